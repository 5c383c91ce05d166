"use server";
// Server actions for workspaces, their members and invitations (the Members page, the shell, the invite link).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { userAction, workspaceAction } from "@/lib/access/action";
import { ROLES } from "@/lib/access/permissions";
import { requestOrigin } from "@/lib/http/request";
import { createProject, projectFieldsSchema } from "@/lib/projects";
import { changeMemberRole, createWorkspace, leaveWorkspace, removeMember, renameWorkspace, workspaceNameSchema } from "@/lib/workspaces";
import { acceptInvitation, createInvitation, inviteSchema, revokeInvitation } from "@/lib/workspaces/invitations";

const refresh = (slug: string) => revalidatePath(`/w/${slug}/members`);

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

export const inviteMemberAction = workspaceAction("inviteMember", "members.invite", inviteSchema.extend({ workspaceId: z.string() }), async (ctx, input) => {
  const { link, emailed } = await createInvitation(ctx, input.email, input.role, await requestOrigin());
  refresh(ctx.workspace.slug);
  return { link, emailed };
});

export const revokeInvitationAction = workspaceAction(
  "revokeInvitation",
  "members.manage",
  z.object({ workspaceId: z.string(), invitationId: z.uuid() }),
  async (ctx, input) => {
    await revokeInvitation(ctx, input.invitationId);
    refresh(ctx.workspace.slug);
  },
);

export const changeMemberRoleAction = workspaceAction(
  "changeMemberRole",
  "members.manage",
  z.object({ workspaceId: z.string(), membershipId: z.uuid(), role: z.enum(ROLES) }),
  async (ctx, input) => {
    await changeMemberRole(ctx, input.membershipId, input.role);
    refresh(ctx.workspace.slug);
  },
);

export const removeMemberAction = workspaceAction(
  "removeMember",
  "members.manage",
  z.object({ workspaceId: z.string(), membershipId: z.uuid() }),
  async (ctx, input) => {
    await removeMember(ctx, input.membershipId);
    refresh(ctx.workspace.slug);
  },
);

export const leaveWorkspaceAction = workspaceAction("leaveWorkspace", "workspace.view", z.object({ workspaceId: z.string() }), async (ctx) => {
  await leaveWorkspace(ctx);
  return { left: ctx.workspace.slug };
});

export const acceptInvitationAction = userAction("acceptInvitation", z.object({ token: z.string().min(1).max(200) }), async (actor, input) => {
  const workspace = await acceptInvitation(actor, input.token);
  return { workspaceSlug: workspace.slug };
});
