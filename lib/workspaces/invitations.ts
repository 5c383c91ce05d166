// Invitations: a link with a random token (only its hash is stored), for one email and role,
// valid for 7 days; sent by SMTP when configured, always shown to the admin to copy.
import { z } from "zod";
import type { Actor, WorkspaceContext } from "@/lib/access/guard";
import { assignableRoles, ROLES, type Role } from "@/lib/access/permissions";
import { recordAudit } from "@/lib/audit";
import { emailSchema } from "@/lib/auth/email";
import { randomToken, sha256Hex } from "@/lib/crypto";
import { db, type Tx } from "@/lib/db/client";
import { appUrl } from "@/lib/env";
import { AppError, conflict, forbidden, notFound } from "@/lib/errors";
import { sendMail } from "@/lib/mail";

export const INVITATION_DAYS = 7;

export const inviteSchema = z.object({
  email: emailSchema,
  role: z.enum(ROLES),
});

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export function invitationState(inv: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now = new Date()): InvitationState {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  if (inv.expiresAt <= now) return "expired";
  return "pending";
}

export function invitationLink(token: string, origin: string = appUrl()): string {
  return `${origin.replace(/\/$/, "")}/invite/${token}`;
}

/** Creates an invitation; `origin` is the address people use to reach this app. */
export async function createInvitation(ctx: WorkspaceContext, email: string, role: Role, origin?: string) {
  if (!assignableRoles(ctx.role).includes(role)) throw forbidden("Only owners can invite owners.");
  const alreadyMember = await db.membership.findFirst({ where: { workspaceId: ctx.workspace.id, user: { email } } });
  if (alreadyMember) throw conflict("This person is already a member.", { email: "Already a member of this workspace." });
  const token = randomToken();
  const invitation = await db.$transaction(async (tx) => {
    // A new invitation replaces any pending one for the same email.
    await tx.invitation.updateMany({
      where: { workspaceId: ctx.workspace.id, email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const created = await tx.invitation.create({
      data: {
        workspaceId: ctx.workspace.id,
        email,
        role,
        tokenHash: sha256Hex(token),
        invitedById: ctx.actor.id,
        expiresAt: new Date(Date.now() + INVITATION_DAYS * 24 * 3600 * 1000),
      },
    });
    await recordAudit(
      {
        workspaceId: ctx.workspace.id,
        actorId: ctx.actor.id,
        action: "member.invite",
        targetType: "invitation",
        targetId: created.id,
        metadata: { email, role },
      },
      tx,
    );
    return created;
  });
  const link = invitationLink(token, origin);
  const sent = await sendMail({
    to: email,
    subject: `You are invited to ${ctx.workspace.name} on FineTuneFlow`,
    text: `${ctx.actor.name ?? ctx.actor.email} invited you to the workspace "${ctx.workspace.name}" as ${role}.\n\nAccept within ${INVITATION_DAYS} days: ${link}\n`,
  });
  return { invitation, link, emailed: sent };
}

export async function listInvitations(ctx: WorkspaceContext) {
  const invitations = await db.invitation.findMany({
    where: { workspaceId: ctx.workspace.id },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: {
      id: true,
      email: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      revokedAt: true,
      createdAt: true,
      invitedBy: { select: { email: true, name: true } },
    },
  });
  return invitations.map((inv) => ({ ...inv, state: invitationState(inv) }));
}

export async function revokeInvitation(ctx: WorkspaceContext, invitationId: string) {
  const { count } = await db.invitation.updateMany({
    where: { id: invitationId, workspaceId: ctx.workspace.id, acceptedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw notFound("Pending invitation");
  await recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "member.invite_revoke", targetType: "invitation", targetId: invitationId });
}

/** The invitation behind a link, for the accept page (no access needed: the token is the key). */
export async function findInvitationByToken(token: string) {
  if (!token || token.length > 200) return null;
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: sha256Hex(token) },
    include: { workspace: { select: { id: true, name: true, slug: true } }, invitedBy: { select: { name: true, email: true } } },
  });
  return invitation ? { ...invitation, state: invitationState(invitation) } : null;
}

const STATE_MESSAGES: Record<Exclude<InvitationState, "pending">, string> = {
  accepted: "This invitation was already used.",
  revoked: "This invitation was revoked. Ask a workspace admin for a new one.",
  expired: "This invitation has expired. Ask a workspace admin for a new one.",
};

export function invitationStateMessage(state: Exclude<InvitationState, "pending">): string {
  return STATE_MESSAGES[state];
}

/** Accepts an invitation for the signed-in user (whose email must match); returns the workspace. */
export async function acceptInvitation(actor: Actor, token: string, tx?: Tx) {
  const run = async (t: Tx) => {
    const invitation = await t.invitation.findUnique({
      where: { tokenHash: sha256Hex(token) },
      include: { workspace: { select: { id: true, slug: true, name: true } } },
    });
    if (!invitation) throw notFound("Invitation");
    const state = invitationState(invitation);
    if (state !== "pending") throw new AppError("conflict", STATE_MESSAGES[state]);
    if (invitation.email !== actor.email.toLowerCase()) {
      throw forbidden(`This invitation was sent to ${invitation.email}. Sign in with that email to accept it.`);
    }
    const existing = await t.membership.findUnique({ where: { workspaceId_userId: { workspaceId: invitation.workspaceId, userId: actor.id } } });
    if (!existing) {
      await t.membership.create({ data: { workspaceId: invitation.workspaceId, userId: actor.id, role: invitation.role } });
    }
    // Only one acceptance may win a race for the same token.
    const { count } = await t.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null },
      data: { acceptedAt: new Date(), acceptedById: actor.id },
    });
    if (count === 0) throw new AppError("conflict", STATE_MESSAGES.accepted);
    await recordAudit(
      {
        workspaceId: invitation.workspaceId,
        actorId: actor.id,
        action: "member.join",
        targetType: "user",
        targetId: actor.id,
        metadata: { role: invitation.role, email: actor.email },
      },
      t,
    );
    return invitation.workspace;
  };
  return tx ? run(tx) : db.$transaction(run);
}
