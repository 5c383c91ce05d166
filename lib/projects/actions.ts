"use server";
// Server actions for a project's settings and deletion.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { deleteProject, projectFieldsSchema, updateProject } from "@/lib/projects";

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
