// Workspaces and their members. Role rules: owners and admins manage members; only owners
// make or unmake owners; the last owner can be neither demoted, removed, nor leave.
import { z } from "zod";
import type { Actor, WorkspaceContext } from "@/lib/access/guard";
import { assignableRoles, type Role } from "@/lib/access/permissions";
import { recordAudit } from "@/lib/audit";
import { db, type Tx } from "@/lib/db/client";
import { AppError, forbidden, notFound } from "@/lib/errors";
import { uniqueSlug } from "./slug";

export const workspaceNameSchema = z.string().trim().min(1, "Give the workspace a name.").max(120, "At most 120 characters.");

export async function listWorkspacesForUser(userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { workspace: { name: "asc" } },
    select: { role: true, workspace: { select: { id: true, slug: true, name: true, isPersonal: true } } },
  });
  return memberships.map((m) => ({ ...m.workspace, role: m.role }));
}

export async function createWorkspace(actor: Actor, name: string) {
  return db.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({
      data: {
        name,
        slug: await uniqueSlug(tx, name),
        createdById: actor.id,
        memberships: { create: { userId: actor.id, role: "owner" } },
      },
    });
    await recordAudit(
      { workspaceId: workspace.id, actorId: actor.id, action: "workspace.create", targetType: "workspace", targetId: workspace.id, metadata: { name } },
      tx,
    );
    return workspace;
  });
}

export async function renameWorkspace(ctx: WorkspaceContext, name: string) {
  const workspace = await db.workspace.update({ where: { id: ctx.workspace.id }, data: { name } });
  await recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "workspace.rename", metadata: { from: ctx.workspace.name, to: name } });
  return workspace;
}

export async function listMembers(ctx: WorkspaceContext) {
  return db.membership.findMany({
    where: { workspaceId: ctx.workspace.id },
    orderBy: [{ role: "asc" }, { createdAt: "asc" }],
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, email: true, name: true, lastLoginAt: true } } },
  });
}

/**
 * Locks the workspace row for the rest of the transaction and reads the caller's role again under
 * the lock: member changes of one workspace then run one at a time, so two owners demoting each
 * other at once cannot both pass the "another owner remains" check.
 */
async function lockWorkspace(tx: Tx, ctx: WorkspaceContext): Promise<WorkspaceContext["role"]> {
  await tx.$queryRaw`SELECT id FROM workspaces WHERE id = ${ctx.workspace.id}::uuid FOR UPDATE`;
  const mine = await tx.membership.findFirst({ where: { workspaceId: ctx.workspace.id, userId: ctx.actor.id }, select: { role: true } });
  if (!mine) throw notFound("Workspace");
  return mine.role;
}

async function countOwners(tx: Tx, workspaceId: string): Promise<number> {
  return tx.membership.count({ where: { workspaceId, role: "owner" } });
}

async function findMember(tx: Tx, ctx: WorkspaceContext, membershipId: string) {
  const member = await tx.membership.findFirst({
    where: { id: membershipId, workspaceId: ctx.workspace.id },
    include: { user: { select: { email: true } } },
  });
  if (!member) throw notFound("Member");
  return member;
}

const LAST_OWNER = "A workspace needs at least one owner. Make someone else an owner first.";

export async function changeMemberRole(ctx: WorkspaceContext, membershipId: string, role: Role) {
  return db.$transaction(async (tx) => {
    const actorRole = await lockWorkspace(tx, ctx);
    const member = await findMember(tx, ctx, membershipId);
    if (member.role === role) return member;
    const allowed = assignableRoles(actorRole);
    if (!allowed.includes(role) || (member.role === "owner" && actorRole !== "owner")) {
      throw forbidden("Only owners can make or change owners.");
    }
    if (member.role === "owner" && (await countOwners(tx, ctx.workspace.id)) <= 1) throw new AppError("conflict", LAST_OWNER);
    const updated = await tx.membership.update({ where: { id: member.id }, data: { role } });
    await recordAudit(
      {
        workspaceId: ctx.workspace.id,
        actorId: ctx.actor.id,
        action: "member.role_change",
        targetType: "user",
        targetId: member.userId,
        metadata: { email: member.user.email, from: member.role, to: role },
      },
      tx,
    );
    return updated;
  });
}

export async function removeMember(ctx: WorkspaceContext, membershipId: string) {
  await db.$transaction(async (tx) => {
    const actorRole = await lockWorkspace(tx, ctx);
    const member = await findMember(tx, ctx, membershipId);
    if (member.role === "owner" && actorRole !== "owner") throw forbidden("Only owners can remove owners.");
    if (member.role === "owner" && (await countOwners(tx, ctx.workspace.id)) <= 1) throw new AppError("conflict", LAST_OWNER);
    await tx.membership.delete({ where: { id: member.id } });
    await recordAudit(
      {
        workspaceId: ctx.workspace.id,
        actorId: ctx.actor.id,
        action: "member.remove",
        targetType: "user",
        targetId: member.userId,
        metadata: { email: member.user.email },
      },
      tx,
    );
  });
}

export async function leaveWorkspace(ctx: WorkspaceContext) {
  await db.$transaction(async (tx) => {
    const actorRole = await lockWorkspace(tx, ctx);
    if (actorRole === "owner" && (await countOwners(tx, ctx.workspace.id)) <= 1) {
      throw new AppError("conflict", "You are the last owner. Make someone else an owner before leaving.");
    }
    await tx.membership.deleteMany({ where: { workspaceId: ctx.workspace.id, userId: ctx.actor.id } });
    await recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "member.leave" }, tx);
  });
}
