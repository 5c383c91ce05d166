// Starting a dataset merge (./merge-job): from another project of the workspace or from a frozen
// version; what can be merged, for the Dataset page.
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { datasetMergeJob, type MergePayload, mergePayload } from "./merge-job";

export async function startDatasetMerge(ctx: ProjectContext, input: MergePayload) {
  assertPermission(ctx.role, "dataset.edit");
  const payload = mergePayload.parse(input);
  const target = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { taskType: true } });
  if (payload.fromProjectId) {
    const source = await db.project.findFirst({ where: { id: payload.fromProjectId, workspaceId: ctx.workspace.id }, select: { id: true, taskType: true } });
    if (!source) throw notFound("Project");
    if (source.id === ctx.projectId) throw invalidInput("Choose another project, or one of this project's versions.");
    if (source.taskType !== target.taskType) throw invalidInput("That project makes examples of another task type; merge one of the same type.");
  } else {
    const version = await db.datasetVersion.findFirst({
      where: { id: payload.fromVersionId, project: { workspaceId: ctx.workspace.id } },
      select: { id: true },
    });
    if (!version) throw notFound("Dataset version");
  }
  return enqueueJob(ctx, datasetMergeJob, payload);
}

export type MergeSources = {
  projects: Array<{ id: string; name: string; examples: number }>;
  versions: Array<{ id: string; label: string; examples: number }>;
};

/** Projects of the workspace with the same task type, and the frozen versions of those and this one. */
export async function mergeSources(ctx: ProjectContext): Promise<MergeSources> {
  const target = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { taskType: true } });
  const projects = await db.project.findMany({
    where: { workspaceId: ctx.workspace.id, taskType: target.taskType },
    orderBy: { name: "asc" },
    select: { id: true, name: true, _count: { select: { examples: { where: { split: { in: ["train", "eval"] } } } } } },
  });
  const versions = await db.datasetVersion.findMany({
    where: { projectId: { in: projects.map((p) => p.id) }, trainPath: { not: null } },
    orderBy: [{ createdAt: "desc" }],
    take: 100,
    select: { id: true, version: true, numTrain: true, numEval: true, createdAt: true, project: { select: { id: true, name: true } } },
  });
  return {
    projects: projects.filter((p) => p.id !== ctx.projectId).map((p) => ({ id: p.id, name: p.name, examples: p._count.examples })),
    versions: versions.map((v) => ({
      id: v.id,
      label: `${v.project.id === ctx.projectId ? "This project" : v.project.name} · version ${v.version} (${v.createdAt.toISOString().slice(0, 10)})`,
      examples: v.numTrain + v.numEval,
    })),
  };
}
