// The single access check: the caller, a permission, and the resource's workspace.
// Membership is part of every lookup's `where`, so a resource of another workspace is
// simply not found (404) — it cannot leak by a forgotten check.
import { db } from "@/lib/db/client";
import { forbidden, notFound } from "@/lib/errors";
import { can, lowerRole, type Permission, type Role } from "./permissions";

/**
 * Who calls. `limit` is set when the call comes with an API token (lib/auth/api-tokens): only
 * that workspace exists for the caller, and the role there is at most the token's.
 */
export type Actor = { id: string; email: string; name: string | null; limit?: { workspaceId: string; role: Role; tokenId: string } };

export type WorkspaceContext = {
  actor: Actor;
  workspace: { id: string; slug: string; name: string; isPersonal: boolean };
  role: Role;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** The member's role, capped by the API token the call came with. */
function limitedRole(actor: Actor, role: Role): Role {
  return actor.limit ? lowerRole(role, actor.limit.role) : role;
}

export function assertPermission(role: Role, permission: Permission): void {
  if (!can(role, permission)) throw forbidden();
}

/** The caller's membership in a workspace given by id or slug; 404 when not a member. */
export async function requireWorkspace(actor: Actor, ref: { id?: string; slug?: string }, permission: Permission): Promise<WorkspaceContext> {
  if (ref.id !== undefined && !isUuid(ref.id)) throw notFound("Workspace");
  if (ref.id === undefined && !ref.slug) throw notFound("Workspace");
  if (actor.limit && ref.id !== undefined && ref.id !== actor.limit.workspaceId) throw notFound("Workspace");
  const membership = await db.membership.findFirst({
    where: { userId: actor.id, workspace: ref.id ? { id: ref.id } : { slug: ref.slug }, ...(actor.limit ? { workspaceId: actor.limit.workspaceId } : {}) },
    select: { role: true, workspace: { select: { id: true, slug: true, name: true, isPersonal: true } } },
  });
  if (!membership) throw notFound("Workspace");
  const role = limitedRole(actor, membership.role);
  assertPermission(role, permission);
  return { actor, workspace: membership.workspace, role };
}

export type ProjectContext = WorkspaceContext & { projectId: string };

/** Access to a project through the caller's membership of its workspace; 404 otherwise. */
export async function requireProject(actor: Actor, projectId: string, permission: Permission): Promise<ProjectContext> {
  if (!isUuid(projectId)) throw notFound("Project");
  const project = await db.project.findFirst({
    where: {
      id: projectId,
      workspace: { memberships: { some: { userId: actor.id } }, ...(actor.limit ? { id: actor.limit.workspaceId } : {}) },
    },
    select: {
      id: true,
      workspace: {
        select: {
          id: true,
          slug: true,
          name: true,
          isPersonal: true,
          memberships: { where: { userId: actor.id }, select: { role: true } },
        },
      },
    },
  });
  if (!project) throw notFound("Project");
  const { memberships, ...workspace } = project.workspace;
  const role = limitedRole(actor, memberships[0].role);
  assertPermission(role, permission);
  return { actor, workspace, role, projectId: project.id };
}
