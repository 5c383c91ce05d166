"use server";
// Server actions for a project's settings, deletion and templates.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction, workspaceAction } from "@/lib/access/action";
import { deleteProject, projectFieldsSchema, updateProject } from "@/lib/projects";
import { cloneProject, cloneSchema, createProjectFrom, deleteTemplate, saveTemplate, startFromSchema, templateNameSchema } from "@/lib/projects/templates";

export const updateProjectAction = projectAction(
  "updateProject",
  "project.update",
  projectFieldsSchema.extend({ projectId: z.string() }),
  async (ctx, input) => {
    await updateProject(ctx, input);
    revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
  },
);

export const deleteProjectAction = projectAction("deleteProject", "project.delete", z.object({ projectId: z.string() }), async (ctx) => {
  await deleteProject(ctx);
  revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
  return { href: `/w/${ctx.workspace.slug}` };
});

/** Saves this project's settings as a template of its workspace. */
export const saveTemplateAction = projectAction("saveTemplate", "project.update", templateNameSchema.extend({ projectId: z.string() }), async (ctx, input) => {
  const template = await saveTemplate(ctx, { name: input.name, description: input.description });
  revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
  return template;
});

/** A new project with a template's or another project's settings. */
export const createProjectFromAction = workspaceAction(
  "createProjectFrom",
  "project.create",
  z.object({ workspaceId: z.string(), name: projectFieldsSchema.shape.name, description: projectFieldsSchema.shape.description, from: startFromSchema }),
  async (ctx, input) => {
    const project = await createProjectFrom(ctx, { name: input.name, description: input.description, from: input.from });
    revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
    return { id: project.id, href: `/w/${ctx.workspace.slug}/p/${project.id}` };
  },
);

export const deleteTemplateAction = workspaceAction(
  "deleteTemplate",
  "project.create",
  z.object({ workspaceId: z.string(), templateId: z.uuid() }),
  async (ctx, input) => {
    await deleteTemplate(ctx, input.templateId);
    revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
    return { deleted: true };
  },
);

/** A copy of this project: settings, and optionally its sources and examples (copied by a job). */
export const cloneProjectAction = projectAction("cloneProject", "project.create", cloneSchema.extend({ projectId: z.string() }), async (ctx, input) => {
  const copy = await cloneProject(ctx, { name: input.name, withSources: input.withSources, withExamples: input.withExamples });
  revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
  return { ...copy, href: `/w/${ctx.workspace.slug}/p/${copy.id}` };
});
