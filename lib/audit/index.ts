// Audit trail: who did what in a workspace. Listed for owners and admins.
import type { Prisma } from "@prisma/client";
import { db, type Tx } from "@/lib/db/client";

export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_up"
  | "auth.password_change"
  | "auth.sign_out_everywhere"
  | "workspace.create"
  | "workspace.rename"
  | "member.invite"
  | "member.invite_revoke"
  | "member.join"
  | "member.role_change"
  | "member.remove"
  | "member.leave"
  | "project.create"
  | "project.update"
  | "project.delete"
  | "settings.update"
  | "secret.update"
  | "job.cancel"
  | "job.retry"
  | "dataset.review"
  | "dataset.delete"
  | "dataset.split"
  | "dataset.tag"
  | "source.chunks"
  | "run.delete"
  | "api_token.create"
  | "api_token.revoke";

export type AuditInput = {
  workspaceId?: string | null;
  actorId?: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  metadata?: Prisma.InputJsonObject;
  ip?: string | null;
};

export async function recordAudit(input: AuditInput, tx: Tx = db): Promise<void> {
  await tx.auditEvent.create({
    data: {
      workspaceId: input.workspaceId ?? null,
      actorId: input.actorId ?? null,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId,
      metadata: input.metadata ?? {},
      ip: input.ip ?? null,
    },
  });
}

/** A workspace's events, plus the sign-ins of its current members (those belong to no workspace). */
export async function listAuditEvents(workspaceId: string, options: { before?: Date; limit?: number } = {}) {
  return db.auditEvent.findMany({
    where: {
      OR: [{ workspaceId }, { workspaceId: null, action: { startsWith: "auth." }, actor: { memberships: { some: { workspaceId } } } }],
      ...(options.before ? { createdAt: { lt: options.before } } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: options.limit ?? 100,
    include: { actor: { select: { id: true, email: true, name: true } } },
  });
}
