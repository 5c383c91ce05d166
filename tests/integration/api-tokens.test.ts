// Personal API tokens on the real database, through the route handlers as a script calls them
// (Authorization: Bearer, no session): what a token reaches, for how long, and that only its
// hash is kept. The access matrix (access/matrix.test.ts) holds every route to the permission
// table with tokens of each role.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/me/route";
import { GET as openapi } from "@/app/api/openapi.json/route";
import { POST as upload } from "@/app/api/projects/[projectId]/files/route";
import { GET as sources } from "@/app/api/projects/[projectId]/sources/route";
import { GET as projects } from "@/app/api/workspaces/[workspaceId]/projects/route";
import { requireWorkspace } from "@/lib/access/guard";
import { createApiToken, hashToken, listApiTokens, revokeApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db/client";
import { createTeam, type Team } from "../support/fixtures";
import { actAs, requestWithSession } from "../support/request";

let team: Team;

beforeAll(async () => {
  team = await createTeam();
  await actAs(null);
});

async function tokenFor(role: "owner" | "admin" | "editor" | "viewer", tokenRole = role, expiresInDays: number | null = 30) {
  const ctx = await requireWorkspace(team.members[role], { id: team.workspace.id }, "workspace.view");
  return { ctx, ...(await createApiToken(ctx, { name: `${role} script`, role: tokenRole, expiresInDays })) };
}

function call(token: string | null, url: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  return new Request(new URL(url, "http://localhost:3000"), { ...init, headers });
}

const params = (values: Record<string, string>) => ({ params: Promise.resolve(values) });

describe("personal API tokens", () => {
  it("a token reaches its workspace's projects and sources and uploads a file, at the role it carries", async () => {
    const { token } = await tokenFor("editor");
    expect(token).toMatch(/^ftf_[A-Za-z0-9_-]{43}$/);
    const whoami = await (await me(call(token, "/api/me"), params({}))).json();
    expect(whoami).toMatchObject({ user: { id: team.members.editor.id }, token: { role: "editor" }, workspaces: [{ id: team.workspace.id, role: "editor" }] });

    const listed = await (await projects(call(token, "/x"), params({ workspaceId: team.workspace.id }))).json();
    expect(listed.projects.map((p: { id: string }) => p.id)).toContain(team.project.id);

    const body = new TextEncoder().encode("# Warranty\n\nThe warranty covers two years.\n");
    const uploaded = await upload(call(token, "/x?name=warranty.md", { method: "POST", body }), params({ projectId: team.project.id }));
    expect(uploaded.status).toBe(201);
    const { file } = await uploaded.json();
    expect(file).toMatchObject({ filename: "warranty.md" });
    const list = await (await sources(call(token, "/x"), params({ projectId: team.project.id }))).json();
    expect(list.sources.map((s: { id: string }) => s.id)).toContain(file.id);
    const row = await db.file.findUniqueOrThrow({ where: { id: file.id } });
    expect(row.createdById).toBe(team.members.editor.id);
  });

  it("a token can carry at most its member's role, and never more than the member has at the time of the call", async () => {
    const editor = await requireWorkspace(team.members.editor, { id: team.workspace.id }, "workspace.view");
    await expect(createApiToken(editor, { name: "too much", role: "admin" })).rejects.toThrow(/at most your own role/);
    const { token } = await tokenFor("editor");
    const send = () =>
      upload(
        call(token, "/x?name=notes.txt", { method: "POST", body: new TextEncoder().encode(`notes ${crypto.randomUUID()}`) }),
        params({ projectId: team.project.id }),
      );
    expect((await send()).status).toBe(201);
    // Demoted after the token was made: the token goes down with the member.
    await db.membership.updateMany({ where: { workspaceId: team.workspace.id, userId: team.members.editor.id }, data: { role: "viewer" } });
    try {
      expect((await send()).status).toBe(403);
    } finally {
      await db.membership.updateMany({ where: { workspaceId: team.workspace.id, userId: team.members.editor.id }, data: { role: "editor" } });
    }
  });

  it("revoked, expired, unknown or a deactivated user's tokens answer 401; a removed member's token finds nothing", async () => {
    const revoked = await tokenFor("viewer");
    await revokeApiToken(revoked.ctx, revoked.id);
    const expired = await tokenFor("viewer");
    await db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const forged = `ftf_${crypto.randomBytes(32).toString("base64url")}`;
    for (const token of [revoked.token, expired.token, forged]) {
      const response = await me(call(token, "/api/me"), params({}));
      expect(response.status, token).toBe(401);
      expect((await response.json()).error.message).toMatch(/API token/);
    }
    const admin = await tokenFor("admin");
    await db.user.update({ where: { id: team.members.admin.id }, data: { isActive: false } });
    try {
      expect((await me(call(admin.token, "/api/me"), params({}))).status).toBe(401);
    } finally {
      await db.user.update({ where: { id: team.members.admin.id }, data: { isActive: true } });
    }
    const other = await createTeam("Team C");
    const leaving = await requireWorkspace(other.members.viewer, { id: other.workspace.id }, "workspace.view");
    const { token } = await createApiToken(leaving, { name: "gone", role: "viewer" });
    await db.membership.deleteMany({ where: { workspaceId: other.workspace.id, userId: other.members.viewer.id } });
    expect((await projects(call(token, "/x"), params({ workspaceId: other.workspace.id }))).status).toBe(404);
  });

  it("only the hash is stored; the list shows name, role, prefix and last use, never the token; others' tokens cannot be revoked", async () => {
    const { ctx, token, id } = await tokenFor("owner", "viewer", null);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(10));
    expect(row.expiresAt).toBeNull();
    await me(call(token, "/api/me"), params({}));
    const listed = (await listApiTokens(ctx)).find((t) => t.id === id)!;
    expect(listed).toMatchObject({ name: "owner script", role: "viewer", prefix: token.slice(0, 10), lastUsedAt: expect.any(String) });
    expect(JSON.stringify(await listApiTokens(ctx))).not.toContain(token.slice(10));
    const viewer = await requireWorkspace(team.members.viewer, { id: team.workspace.id }, "workspace.view");
    await expect(revokeApiToken(viewer, id)).rejects.toThrow(/not found/);
    expect(await db.auditEvent.count({ where: { workspaceId: team.workspace.id, action: "api_token.create", targetId: id } })).toBe(1);
  });

  it("serves its OpenAPI document without a session", async () => {
    const response = await openapi(call(null, "/api/openapi.json"), params({}));
    expect(response.status).toBe(200);
    const doc = await response.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/projects/{projectId}/files");
  });

  it("another Authorization header (a proxy's Basic credential) leaves the session in charge", async () => {
    await actAs(team.members.viewer);
    try {
      const request = requestWithSession("/api/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
      const response = await me(request, params({}));
      expect(response.status).toBe(200);
      expect((await response.json()).token).toBeNull();
    } finally {
      await actAs(null);
    }
  });
});
