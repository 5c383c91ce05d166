// THE role → permission table. Every server action and route handler checks one of these
// permissions against the caller's role in the resource's workspace (lib/access/guard.ts).
export const ROLES = ["owner", "admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const all: readonly Role[] = ROLES;
const editors: readonly Role[] = ["owner", "admin", "editor"];
const admins: readonly Role[] = ["owner", "admin"];
const owners: readonly Role[] = ["owner"];

export const PERMISSIONS = {
  "workspace.view": all,
  "workspace.rename": admins,
  "workspace.delete": owners,
  "members.view": all,
  "members.invite": admins,
  "members.manage": admins,
  "audit.view": admins,
  "settings.view": all,
  "settings.manage": admins,
  "project.view": all,
  "project.create": editors,
  "project.update": editors,
  "project.delete": admins,
  "sources.manage": editors,
  "dataset.edit": editors,
  "jobs.run": editors,
  "jobs.cancel": editors,
  "training.launch": editors,
  "exports.create": editors,
  "exports.download": all,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** The lesser of two roles (ROLES runs from most to least). */
export function lowerRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) >= ROLES.indexOf(b) ? a : b;
}

/** Roles up to and including `role`: what an API token of a member with `role` may carry. */
export function rolesUpTo(role: Role): Role[] {
  return ROLES.slice(ROLES.indexOf(role));
}

/** Roles that a member with `role` may hand out (only owners make owners). */
export function assignableRoles(role: Role): Role[] {
  if (role === "owner") return [...ROLES];
  if (role === "admin") return ["admin", "editor", "viewer"];
  return [];
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  editor: "Editor",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything, including deleting the workspace and making owners.",
  admin: "Manage members, settings, runners and providers; delete projects.",
  editor: "Create projects, upload sources, generate, train and export.",
  viewer: "Read everything, download exports; change nothing.",
};
