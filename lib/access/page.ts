// Page-side access: the same checks as actions, turned into Next's not-found page.
import { notFound } from "next/navigation";
import { cache } from "react";
import { requirePageActor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { isUuid, requireWorkspace, type WorkspaceContext } from "./guard";

/** The caller's context in the workspace of the URL; 404 for non-members. */
export const workspacePageContext = cache(async (slug: string): Promise<WorkspaceContext> => {
  const actor = await requirePageActor(`/w/${slug}`);
  try {
    return await requireWorkspace(actor, { slug }, "workspace.view");
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
});

/** The project of the URL within that workspace; 404 when it belongs elsewhere. */
export const projectPageContext = cache(async (slug: string, projectId: string) => {
  const ctx = await workspacePageContext(slug);
  if (!isUuid(projectId)) notFound();
  const project = await db.project.findFirst({ where: { id: projectId, workspaceId: ctx.workspace.id } });
  if (!project) notFound();
  return { ...ctx, projectId: project.id, project };
});
