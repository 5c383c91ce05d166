// Exports of a project: dataset files now (bundles and Hub pushes use the same rows and job).
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import { EXPORT_FORMATS } from "@/lib/exports/dataset/formats";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { HF_TOKEN, readSecret } from "@/lib/secrets";
import { loadBundleRun } from "./bundle";
import { exportJob } from "./export-job";
import { modelMergeJob } from "./merge-job";

export const datasetExportSchema = z.object({
  format: z.enum(EXPORT_FORMATS.map((f) => f.id) as [string, ...string[]]),
  selection: z.enum(["approved", "valid", "all"]).default("valid"),
  systemPrompt: z.string().max(4000).optional(),
  reasoning: z.boolean().optional(),
});

export async function startDatasetExport(ctx: ProjectContext, input: z.infer<typeof datasetExportSchema>) {
  assertPermission(ctx.role, "exports.create");
  const usable = await db.datasetExample.count({ where: { projectId: ctx.projectId, split: { in: ["train", "eval"] } } });
  if (usable === 0) throw invalidInput("The dataset is empty. Generate or import examples first.");
  return db.$transaction(async (tx) => {
    const row = await tx.export.create({
      data: {
        projectId: ctx.projectId,
        format: input.format as "jsonl",
        status: "queued",
        createdById: ctx.actor.id,
        metadata: {
          selection: input.selection,
          ...(input.systemPrompt ? { systemPrompt: input.systemPrompt } : {}),
          ...(input.reasoning ? { reasoning: true } : {}),
        },
      },
    });
    const job = await enqueueJob(ctx, exportJob, { exportId: row.id }, { tx });
    await tx.export.update({ where: { id: row.id }, data: { jobId: job.id } });
    return row;
  });
}

export const hubPushSchema = z.object({
  repo: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/, "Use namespace/name, e.g. your-user/handbook-qa."),
  private: z.boolean().default(true),
  includeDataset: z.boolean().default(false),
});

/** Creates the Export row and its job together, for a finished, evaluated run of the project. */
async function startRunExport(
  ctx: ProjectContext,
  runId: string,
  format: "bundle" | "hub",
  metadata: Record<string, unknown>,
  precondition?: () => Promise<void>,
) {
  assertPermission(ctx.role, "exports.create");
  const run = await db.run.findFirst({
    where: { id: runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    select: { id: true, projectId: true },
  });
  if (!run) throw notFound("Run");
  // Refuses early, with the reason, what the job would refuse later.
  await loadBundleRun(ctx.projectId, run.id);
  await precondition?.();
  return db.$transaction(async (tx) => {
    const row = await tx.export.create({
      data: { projectId: ctx.projectId, runId: run.id, format, status: "queued", createdById: ctx.actor.id, metadata: metadata as Prisma.InputJsonObject },
    });
    const job = await enqueueJob(ctx, exportJob, { exportId: row.id }, { tx });
    await tx.export.update({ where: { id: row.id }, data: { jobId: job.id } });
    return row;
  });
}

export async function startBundleExport(ctx: ProjectContext, runId: string) {
  return startRunExport(ctx, runId, "bundle", {});
}

/**
 * Merges a finished run's adapter into its base model on the run's box (job `model_merge`), for
 * the bundle's Ollama-ready variant. The same checks as a bundle: finished, evaluated, an adapter.
 */
export async function startModelMerge(ctx: ProjectContext, runId: string) {
  assertPermission(ctx.role, "exports.create");
  const run = await db.run.findFirst({
    where: { id: runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    select: { id: true, runnerId: true },
  });
  if (!run) throw notFound("Run");
  await loadBundleRun(ctx.projectId, run.id);
  if (!run.runnerId) throw invalidInput("The runner this run trained on was deleted; add it again to merge on it.");
  return enqueueJob(ctx, modelMergeJob, { runId: run.id });
}

export async function startHubPush(ctx: ProjectContext, runId: string, input: z.input<typeof hubPushSchema>) {
  const options = hubPushSchema.parse(input);
  return startRunExport(ctx, runId, "hub", options, async () => {
    if (!(await readSecret(ctx.workspace.id, HF_TOKEN)))
      throw invalidInput("Add a Hugging Face write token as HF_TOKEN in workspace settings → Secrets first.");
  });
}

export async function listExports(ctx: ProjectContext) {
  const rows = await db.export.findMany({
    where: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    orderBy: { createdAt: "desc" },
    take: 50,
    include: { createdBy: { select: { email: true, name: true } }, file: { select: { filename: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    format: r.format,
    status: r.status,
    url: r.url,
    sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes),
    metadata: (r.metadata ?? {}) as Record<string, unknown>,
    filename: r.file?.filename ?? null,
    jobId: r.jobId,
    runId: r.runId,
    createdBy: r.createdBy?.name ?? r.createdBy?.email ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The export's file as a stream, for download. */
export async function openExportFile(ctx: ProjectContext, exportId: string) {
  const row = await db.export.findFirst({
    where: { id: exportId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    include: { file: true },
  });
  if (!row?.file || row.status !== "success") throw notFound("Export file");
  return {
    storagePath: row.file.storagePath,
    filename: row.file.filename,
    size: Number(row.file.sizeBytes),
    mimeType: row.file.mimeType ?? "application/octet-stream",
  };
}
