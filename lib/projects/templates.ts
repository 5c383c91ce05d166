// Project templates (seed 004): a project's settings saved under a name in its workspace (task
// type, base model, the whole config: chunking, generation prompt and settings, the last training
// launch), and new projects started from a template or from another project's settings. Only
// settings travel: sources, examples and runs stay where they are.
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext, WorkspaceContext } from "@/lib/access/guard";
import { assertPermission, isUuid } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { conflict, notFound, prismaErrorCode } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { createProject, ocrProviderKnown, type ProjectFields } from "@/lib/projects";
import { cloneJob } from "./clone-job";

export const templateNameSchema = z.object({
  name: z.string().trim().min(1, "Name the template.").max(200, "At most 200 characters."),
  description: z.string().trim().max(2000).optional().default(""),
});

export type TemplateView = {
  id: string;
  name: string;
  description: string | null;
  taskType: "instruction" | "qa";
  baseModelId: string | null;
  createdAt: string;
};

export async function saveTemplate(ctx: ProjectContext, input: z.input<typeof templateNameSchema>): Promise<TemplateView> {
  assertPermission(ctx.role, "project.update");
  const fields = templateNameSchema.parse(input);
  const project = await db.project.findFirst({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id } });
  if (!project) throw notFound("Project");
  try {
    const template = await db.projectTemplate.create({
      data: {
        workspaceId: ctx.workspace.id,
        name: fields.name,
        description: fields.description || null,
        taskType: project.taskType,
        baseModelId: project.baseModelId,
        config: project.config as Prisma.InputJsonValue,
        createdById: ctx.actor.id,
      },
    });
    return toView(template);
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw conflict("A template of this workspace already has that name.", { name: "Choose another name." });
    throw error;
  }
}

function toView(t: {
  id: string;
  name: string;
  description: string | null;
  taskType: "instruction" | "qa";
  baseModelId: string | null;
  createdAt: Date;
}): TemplateView {
  return { id: t.id, name: t.name, description: t.description, taskType: t.taskType, baseModelId: t.baseModelId, createdAt: t.createdAt.toISOString() };
}

export async function listTemplates(ctx: WorkspaceContext): Promise<TemplateView[]> {
  const rows = await db.projectTemplate.findMany({ where: { workspaceId: ctx.workspace.id }, orderBy: { name: "asc" } });
  return rows.map(toView);
}

export async function deleteTemplate(ctx: WorkspaceContext, templateId: string): Promise<void> {
  assertPermission(ctx.role, "project.create");
  if (!isUuid(templateId)) throw notFound("Template");
  const { count } = await db.projectTemplate.deleteMany({ where: { id: templateId, workspaceId: ctx.workspace.id } });
  if (count === 0) throw notFound("Template");
}

/** Where a new project's settings come from: a template, or another project of the same workspace. */
export const startFromSchema = z.union([z.object({ templateId: z.uuid() }), z.object({ projectId: z.uuid() })]);

/** Creates a project named `name` with the settings of a template or another project of this workspace. */
export async function createProjectFrom(
  ctx: WorkspaceContext,
  input: { name: string; description?: string; from: z.infer<typeof startFromSchema> },
): Promise<{ id: string }> {
  assertPermission(ctx.role, "project.create");
  const source =
    "templateId" in input.from
      ? await db.projectTemplate.findFirst({ where: { id: input.from.templateId, workspaceId: ctx.workspace.id } })
      : await db.project.findFirst({ where: { id: input.from.projectId, workspaceId: ctx.workspace.id } });
  if (!source) throw notFound("templateId" in input.from ? "Template" : "Project");
  const config = { ...(source.config as ProjectFields["config"]) };
  // A template may name a provider deleted since: the copy reads scans with the workspace default.
  if (!(await ocrProviderKnown(ctx, config.ocr_vision_provider))) config.ocr_vision_provider = "";
  const project = await createProject(
    ctx,
    {
      name: input.name,
      description: input.description ?? "",
      taskType: source.taskType,
      baseModelId: source.baseModelId ?? "",
      config,
    },
    "templateId" in input.from ? { template: source.name } : { settings_from: source.name },
  );
  return { id: project.id };
}

export const cloneSchema = z.object({
  name: z.string().trim().min(1, "Name the copy.").max(255),
  withSources: z.boolean().default(false),
  /** Needs the sources: examples point at their chunks. */
  withExamples: z.boolean().default(false),
});

/**
 * A copy of this project: its settings at once, its sources (files and chunks) and, when asked, its
 * examples by a job in the copy (large projects take a while; the job can be watched and resumes).
 */
export async function cloneProject(ctx: ProjectContext, input: z.input<typeof cloneSchema>): Promise<{ id: string; jobId: string | null }> {
  assertPermission(ctx.role, "project.create");
  const fields = cloneSchema.parse(input);
  const { id } = await createProjectFrom(ctx, { name: fields.name, from: { projectId: ctx.projectId } });
  if (!fields.withSources && !fields.withExamples) return { id, jobId: null };
  const job = await enqueueJob({ ...ctx, projectId: id }, cloneJob, { fromProjectId: ctx.projectId, withExamples: fields.withExamples });
  return { id, jobId: job.id };
}
