// Instance administration (seed 003): the instance's administrator sees every account (name,
// email, last sign-in, workspaces, active or not), deactivates one (its sessions end at once and
// it cannot sign in until reactivated) or reactivates it, and sees each workspace's usage.
// Callers are checked by instanceAdminAction (lib/access/action) and the page.
import type { Actor } from "@/lib/access/guard";
import { adminEmails } from "@/lib/auth/admin";
import { endAllSessions } from "@/lib/auth/revocation";
import { db } from "@/lib/db/client";
import { conflict, notFound } from "@/lib/errors";
import { writeLog } from "@/lib/log";
import { type Quota, readQuota, storageBytes, tokensThisMonth } from "@/lib/usage";

export type UserRow = {
  id: string;
  email: string;
  name: string | null;
  isActive: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  workspaces: number;
  admin: boolean;
};

export async function listUsers(): Promise<UserRow[]> {
  const [users, first] = await Promise.all([
    db.user.findMany({
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, email: true, name: true, isActive: true, lastLoginAt: true, createdAt: true, _count: { select: { memberships: true } } },
    }),
    db.user.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } }),
  ]);
  const named = adminEmails();
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    isActive: u.isActive,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    workspaces: u._count.memberships,
    admin: named ? named.includes(u.email.toLowerCase()) : u.id === first?.id,
  }));
}

/** Deactivates (ending every session) or reactivates an account; never the caller's own. */
export async function setUserActive(actor: Actor, userId: string, active: boolean): Promise<{ active: boolean }> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, isActive: true } });
  if (!user) throw notFound("User");
  if (user.id === actor.id && !active) throw conflict("You cannot deactivate your own account.");
  await db.user.update({ where: { id: user.id }, data: { isActive: active } });
  // Every session the account holds ends now (each token carries the version it was issued under).
  if (!active) await endAllSessions(user.id);
  writeLog("info", "admin", `${actor.email} ${active ? "reactivated" : "deactivated (every session ended)"} ${user.email}.`, { userId: user.id });
  return { active };
}

export type WorkspaceUsageRow = {
  id: string;
  name: string;
  slug: string;
  members: number;
  projects: number;
  tokensThisMonth: number;
  storageBytes: number;
  quota: Quota;
};

/** Every workspace with its members, projects, this month's LLM tokens and stored bytes. */
export async function instanceUsage(): Promise<WorkspaceUsageRow[]> {
  const workspaces = await db.workspace.findMany({
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, slug: true, settings: true, _count: { select: { memberships: true, projects: true } } },
  });
  return Promise.all(
    workspaces.map(async (w) => ({
      id: w.id,
      name: w.name,
      slug: w.slug,
      members: w._count.memberships,
      projects: w._count.projects,
      tokensThisMonth: await tokensThisMonth(w.id),
      storageBytes: await storageBytes(w.id),
      quota: readQuota(w.settings),
    })),
  );
}
