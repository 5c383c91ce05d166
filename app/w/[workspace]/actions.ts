"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { userAction, workspaceAction } from "@/lib/access/action";
import { createProject, projectFieldsSchema } from "@/lib/projects";
import { createWorkspace, renameWorkspace, workspaceNameSchema } from "@/lib/workspaces";

export const createWorkspaceAction = userAction("createWorkspace", z.object({ name: workspaceNameSchema }), async (actor, input) => {
  const workspace = await createWorkspace(actor, input.name);
  return { slug: workspace.slug };
});

export const renameWorkspaceAction = workspaceAction(
  "renameWorkspace",
  "workspace.rename",
  z.object({ workspaceId: z.string(), name: workspaceNameSchema }),
  async (ctx, input) => {
    await renameWorkspace(ctx, input.name);
    revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
    return { name: input.name };
  },
);

export const createProjectAction = workspaceAction(
  "createProject",
  "project.create",
  projectFieldsSchema.extend({ workspaceId: z.string() }),
  async (ctx, input) => {
    const project = await createProject(ctx, input);
    revalidatePath(`/w/${ctx.workspace.slug}`, "layout");
    return { id: project.id, href: `/w/${ctx.workspace.slug}/p/${project.id}` };
  },
);
