// Projects: create, list (with the seed's dashboard figures), read, update, delete.
// Every query carries the caller's workspace in its `where`.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext, WorkspaceContext } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { USABLE_EXAMPLE } from "@/lib/datasets/example";
import { db } from "@/lib/db/client";
import { conflict, invalidInput, notFound } from "@/lib/errors";
import { JOB_LABELS } from "@/lib/jobs/labels";
import { getStorage } from "@/lib/storage";
import { projectPrefix } from "@/lib/storage/keys";
import { queueProjectCleanups } from "@/lib/training/remote-cleanups";
import { projectConfigSchema } from "./config";

export const HF_MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
/** A model folder on the GPU box (saved with save_pretrained, tokenizer included): for boxes that cannot reach the Hub. */
const LOCAL_MODEL_DIR = /^~?\/[^\0'"\\]*$/;

export function isLocalModelDir(baseModelId: string): boolean {
  return LOCAL_MODEL_DIR.test(baseModelId);
}

export const projectFieldsSchema = z.object({
  name: z.string().trim().min(1, "Give the project a name.").max(255, "At most 255 characters."),
  description: z.string().trim().max(5000, "At most 5000 characters.").optional().default(""),
  taskType: z.enum(["instruction", "qa"]),
  baseModelId: z
    .string()
    .trim()
    .max(255)
    .refine(
      (v) => v === "" || HF_MODEL_ID.test(v) || isLocalModelDir(v),
      "Use a Hugging Face model id such as meta-llama/Llama-3.1-8B, or the absolute path of a model folder on the GPU box.",
    )
    .optional()
    .default(""),
  config: projectConfigSchema.optional().default(projectConfigSchema.parse({})),
});
export type ProjectFields = z.infer<typeof projectFieldsSchema>;

/** Whether a project's vision OCR provider (empty: the workspace default) is one of this workspace's. */
export async function ocrProviderKnown(ctx: WorkspaceContext | ProjectContext, id: string | undefined): Promise<boolean> {
  return !id || (await db.llmProvider.count({ where: { id, workspaceId: ctx.workspace.id } })) > 0;
}

/** A vision OCR provider must be one of this workspace's (another's id is refused like any unknown one). */
async function assertOcrProvider(ctx: WorkspaceContext | ProjectContext, config: ProjectFields["config"]): Promise<void> {
  if (!(await ocrProviderKnown(ctx, config.ocr_vision_provider))) {
    const message = "Choose one of this workspace's LLM providers.";
    throw invalidInput(message, { "config.ocr_vision_provider": message });
  }
}

/** `origin` names what its settings came from (a template, another project), for the audit log. */
export async function createProject(ctx: WorkspaceContext, fields: ProjectFields, origin: Record<string, string> = {}) {
  await assertOcrProvider(ctx, fields.config);
  const project = await db.project.create({
    data: {
      workspaceId: ctx.workspace.id,
      name: fields.name,
      description: fields.description || null,
      taskType: fields.taskType,
      baseModelId: fields.baseModelId || null,
      config: fields.config as Prisma.InputJsonObject,
      createdById: ctx.actor.id,
    },
  });
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "project.create",
    targetType: "project",
    targetId: project.id,
    metadata: { name: project.name, ...origin },
  });
  return project;
}

/** The workspace dashboard: projects with documents, valid train examples and last job status. */
export async function listProjects(ctx: WorkspaceContext) {
  const projects = await db.project.findMany({
    where: { workspaceId: ctx.workspace.id },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      description: true,
      taskType: true,
      baseModelId: true,
      status: true,
      createdAt: true,
      updatedAt: true,
      _count: {
        select: {
          files: { where: { kind: "raw_doc" } },
          examples: { where: { ...USABLE_EXAMPLE, split: "train" } },
        },
      },
      jobs: { orderBy: { createdAt: "desc" }, take: 1, select: { status: true, type: true } },
    },
  });
  return projects.map(({ _count, jobs, ...project }) => ({
    ...project,
    docCount: _count.files,
    trainExamples: _count.examples,
    lastJob: jobs[0] ?? null,
  }));
}

export async function getProject(ctx: ProjectContext | WorkspaceContext, projectId: string) {
  const project = await db.project.findFirst({ where: { id: projectId, workspaceId: ctx.workspace.id } });
  if (!project) throw notFound("Project");
  return project;
}

export async function updateProject(ctx: ProjectContext, fields: ProjectFields) {
  // Settings kept elsewhere in the config (generation) survive an edit of the project's fields.
  const current = await getProject(ctx, ctx.projectId);
  await assertOcrProvider(ctx, fields.config);
  const stored = current.config as Prisma.JsonObject;
  const baseModelId = fields.baseModelId || null;
  const { count } = await db.project.updateMany({
    where: { id: ctx.projectId, workspaceId: ctx.workspace.id },
    data: {
      name: fields.name,
      description: fields.description || null,
      taskType: fields.taskType,
      baseModelId,
      // Model info describes the old base model; the Train step fetches the new one's.
      ...(baseModelId !== current.baseModelId ? { modelInfo: Prisma.DbNull } : {}),
      config: { ...stored, ...fields.config } as Prisma.InputJsonObject,
    },
  });
  if (count === 0) throw notFound("Project");
  await recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "project.update", targetType: "project", targetId: ctx.projectId });
  return getProject(ctx, ctx.projectId);
}

/**
 * Deletes a project with everything in it. Refused while one of its jobs is queued or running (a
 * trainer would go on on its box, a generation on spending): cancel those first. Its runs'
 * folders on the GPU boxes are queued for removal in the same transaction (remote_cleanups).
 */
export async function deleteProject(ctx: ProjectContext): Promise<{ remoteCleanups: number }> {
  const project = await getProject(ctx, ctx.projectId);
  const active = await db.job.findFirst({
    // A queued folder removal is no reason to wait: it moves to remote_cleanups below.
    where: { projectId: ctx.projectId, status: { in: ["queued", "running", "retrying"] }, type: { not: "run_cleanup" } },
    select: { type: true },
    orderBy: { createdAt: "asc" },
  });
  if (active) {
    throw conflict(
      `A ${JOB_LABELS[active.type].toLowerCase()} job of this project is still queued or running. Cancel it in the Jobs step (or wait for it), then delete the project.`,
    );
  }
  const remoteCleanups = await db.$transaction(async (tx) => {
    const queued = await queueProjectCleanups(tx, ctx.workspace.id, ctx.projectId, project.name);
    await tx.project.deleteMany({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id } });
    return queued;
  });
  // Stored bytes (sources, artifacts, exports) go with it; the rows are gone already.
  await getStorage().deletePrefix(projectPrefix(ctx.workspace.id, ctx.projectId));
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "project.delete",
    targetType: "project",
    targetId: ctx.projectId,
    metadata: { name: project.name, remoteCleanups },
  });
  return { remoteCleanups };
}
