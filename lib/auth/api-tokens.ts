// Personal API tokens: a member's key to the REST API, for scripts and CI. A token works in one
// workspace with at most the role it was given (and never more than the member's role at the
// time of the call: lib/access/guard.ts caps it); only its sha256 is stored, so a database leak
// gives no usable token; it can expire and be revoked; a deactivated user's tokens stop working.
import crypto from "node:crypto";
import { z } from "zod";
import { type Actor, assertPermission, type WorkspaceContext } from "@/lib/access/guard";
import { ROLES, type Role, rolesUpTo } from "@/lib/access/permissions";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { forbidden, notFound, unauthorized } from "@/lib/errors";

export const TOKEN_PREFIX = "ftf_";
/** lastUsedAt is written at most this often per token, not on every call. */
const LAST_USED_EVERY_MS = 60_000;

export const apiTokenSchema = z.object({
  name: z.string().trim().min(1, "Name the token (what uses it).").max(100),
  role: z.enum(ROLES),
  /** Days until it stops working; null: until revoked. */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** Creates a token of the caller's in this workspace; the token itself is returned only here. */
export async function createApiToken(ctx: WorkspaceContext, input: z.input<typeof apiTokenSchema>) {
  assertPermission(ctx.role, "workspace.view");
  const { name, role, expiresInDays } = apiTokenSchema.parse(input);
  if (!rolesUpTo(ctx.role).includes(role)) throw forbidden(`A token can carry at most your own role (${ctx.role}).`);
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = await db.apiToken.create({
    data: {
      userId: ctx.actor.id,
      workspaceId: ctx.workspace.id,
      name,
      role,
      tokenHash: hashToken(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      expiresAt: expiresInDays === null ? null : new Date(Date.now() + expiresInDays * 86_400_000),
    },
  });
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "api_token.create",
    targetType: "api_token",
    targetId: row.id,
    metadata: { name, role },
  });
  return { token, id: row.id };
}

export type ApiTokenView = {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
};

/** The caller's own tokens in this workspace, newest first; never the token itself. */
export async function listApiTokens(ctx: WorkspaceContext): Promise<ApiTokenView[]> {
  const rows = await db.apiToken.findMany({ where: { workspaceId: ctx.workspace.id, userId: ctx.actor.id }, orderBy: { createdAt: "desc" } });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  }));
}

export async function revokeApiToken(ctx: WorkspaceContext, tokenId: string): Promise<void> {
  assertPermission(ctx.role, "workspace.view");
  const done = await db.apiToken.updateMany({
    where: { id: tokenId, workspaceId: ctx.workspace.id, userId: ctx.actor.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (done.count === 0) throw notFound("API token");
  await recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "api_token.revoke", targetType: "api_token", targetId: tokenId });
}

/**
 * The caller an `Authorization: Bearer ftf_…` header names, limited to the token's workspace
 * and role; an unknown, revoked or expired token, or one of a deactivated user, is refused.
 */
export async function tokenActor(authorization: string): Promise<Actor> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1].startsWith(TOKEN_PREFIX)) throw unauthorized("Send an API token as Authorization: Bearer ftf_….");
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(match[1]) },
    include: { user: { select: { id: true, email: true, name: true, isActive: true } } },
  });
  const now = Date.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now) || !row.user.isActive) {
    throw unauthorized("This API token is not valid: it was revoked, it expired, or it never existed.");
  }
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { id: row.user.id, email: row.user.email, name: row.user.name, limit: { workspaceId: row.workspaceId, role: row.role, tokenId: row.id } };
}
