"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { ROLES } from "@/lib/access/permissions";
import { requestOrigin } from "@/lib/http/request";
import { changeMemberRole, leaveWorkspace, removeMember } from "@/lib/workspaces";
import { createInvitation, inviteSchema, revokeInvitation } from "@/lib/workspaces/invitations";

const refresh = (slug: string) => revalidatePath(`/w/${slug}/members`);

export const inviteMemberAction = workspaceAction(
  "inviteMember",
  "members.invite",
  inviteSchema.extend({ workspaceId: z.string() }),
  async (ctx, input) => {
    const { link, emailed } = await createInvitation(ctx, input.email, input.role, await requestOrigin());
    refresh(ctx.workspace.slug);
    return { link, emailed };
  },
);

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

export const leaveWorkspaceAction = workspaceAction(
  "leaveWorkspace",
  "workspace.view",
  z.object({ workspaceId: z.string() }),
  async (ctx) => {
    await leaveWorkspace(ctx);
    return { left: ctx.workspace.slug };
  },
);
