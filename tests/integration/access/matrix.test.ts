// The cross-tenant access matrix: for every action and route that takes an id, a member of
// another workspace gets not-found, and each role gets exactly what lib/access/permissions says.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActionResult, GuardMeta } from "@/lib/access/action";
import { requireWorkspace } from "@/lib/access/guard";
import { can, ROLES } from "@/lib/access/permissions";
import { createApiToken } from "@/lib/auth/api-tokens";
import { resetEnvCache } from "@/lib/env";
import { createProjectIn, createTeam, createUser, createWorkspaceFor, type Team } from "../../support/fixtures";
import { actAs, requestWithSession } from "../../support/request";
import { ACTIONS, type ActionEntry, LIBRARY_ROUTES, ROUTES, type RouteEntry } from "./registry";

type Guarded = { guard?: GuardMeta };
type ActionFn = ((input: unknown) => Promise<ActionResult<unknown>>) & Guarded;
type RouteFn = ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & Guarded;

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function findFiles(dir: string, name: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => path.basename(f) === name)
    .map((f) => path.join(dir, f))
    .sort();
}

async function discover<T>(dir: string, fileName: string, pick: (name: string, value: unknown) => boolean) {
  const found = new Map<string, T>();
  for (const file of findFiles(dir, fileName)) {
    const module = (await import(path.resolve(file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (pick(name, value)) found.set(`${file}#${name}`, value as T);
    }
  }
  return found;
}

let actions: Map<string, ActionFn>;
let routes: Map<string, RouteFn>;

beforeAll(async () => {
  actions = await discover<ActionFn>("lib", "actions.ts", (_n, v) => typeof v === "function");
  routes = await discover<RouteFn>("app", "route.ts", (n) => HTTP_METHODS.includes(n));
}, 120_000);

async function callRoute(fn: RouteFn, entry: RouteEntry, team: Team, authorization?: string): Promise<number> {
  const headers = authorization ? { authorization } : undefined;
  const request = requestWithSession(`/test${entry.search ?? ""}`, { method: entry.method, body: await entry.body?.(team), headers });
  const response = await fn(request, { params: Promise.resolve(entry.params(team)) });
  await response.body?.cancel();
  return response.status;
}

function tenantActions(): Array<[string, ActionFn, ActionEntry]> {
  return [...actions].flatMap(([key, fn]) => {
    const entry = ACTIONS[key];
    return entry && entry !== "self-service" && fn.guard?.scope !== "instance" ? [[key, fn, entry] as [string, ActionFn, ActionEntry]] : [];
  });
}

function instanceActions(): Array<[string, ActionFn, ActionEntry]> {
  return [...actions].flatMap(([key, fn]) => {
    const entry = ACTIONS[key];
    return entry && entry !== "self-service" && fn.guard?.scope === "instance" ? [[key, fn, entry] as [string, ActionFn, ActionEntry]] : [];
  });
}

function tenantRoutes(): Array<[string, RouteFn, RouteEntry]> {
  return [...routes].flatMap(([key, fn]) => {
    const entry = ROUTES[key];
    return entry && entry !== "public" && entry !== "self" ? [[key, fn, entry] as [string, RouteFn, RouteEntry]] : [];
  });
}

function permissionOf(fn: Guarded) {
  const guard = fn.guard;
  if (!guard || !("permission" in guard)) throw new Error("a tenant action must name a permission");
  return guard.permission;
}

describe("access registry", () => {
  it("lists every server action, and each is guarded", () => {
    expect([...actions.keys()].sort()).toEqual(Object.keys(ACTIONS).sort());
    for (const [key, fn] of actions) expect(fn.guard, `${key} must be built with lib/access/action`).toBeDefined();
  });

  it("lists every route handler, and each is guarded", () => {
    const guarded = [...routes.keys()].filter((key) => !LIBRARY_ROUTES.some((file) => key.startsWith(`${file}#`)));
    expect(guarded.sort()).toEqual(Object.keys(ROUTES).sort());
    for (const key of guarded) expect(routes.get(key)!.guard, `${key} must be built with lib/access/action`).toBeDefined();
  });
});

describe("cross-tenant and role matrix", () => {
  it("a member of another workspace gets not-found from every action and route on workspace A", async () => {
    const team = await createTeam();
    const stranger = await createUser("stranger");
    await createWorkspaceFor(stranger, "Team B");
    await actAs(stranger);
    for (const [key, fn, entry] of tenantActions()) {
      const result = await fn(await entry.input(team));
      expect(result.ok ? "ok" : result.error.code, key).toBe("not_found");
    }
    for (const [key, fn, entry] of tenantRoutes()) {
      expect(await callRoute(fn, entry, team), key).toBe(404);
    }
  });

  it("an owner of workspace B naming B (or B's project) but passing A's ids gets not-found (ids are scoped in the query)", async () => {
    const team = await createTeam();
    const stranger = await createUser("stranger");
    const own = await createWorkspaceFor(stranger, "Team B");
    const ownProject = await createProjectIn(own.id, "B's project");
    await actAs(stranger);
    let checked = 0;
    for (const [key, fn, entry] of tenantActions()) {
      const input = await entry.input(team);
      const foreignIds = Object.keys(input).filter((k) => k.endsWith("Id") && k !== "workspaceId" && k !== "projectId");
      if (foreignIds.length === 0) continue;
      const scope = "workspaceId" in input ? { workspaceId: own.id } : { projectId: ownProject.id };
      const result = await fn({ ...input, ...scope });
      expect(result.ok ? "ok" : result.error.code, key).toBe("not_found");
      checked++;
    }
    for (const [key, fn, entry] of tenantRoutes()) {
      const params = entry.params(team);
      if (!Object.keys(params).some((k) => k !== "projectId" && k !== "workspaceId")) continue;
      const scoped = { ...entry, params: () => ({ ...params, ...("workspaceId" in params ? { workspaceId: own.id } : { projectId: ownProject.id }) }) };
      expect(await callRoute(fn, scoped, team), key).toBe(404);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("the instance administrator's actions refuse every other account, owners of the workspace included, and anyone signed out", async () => {
    // Nobody here is the administrator (without ADMIN_EMAILS the first account would be).
    process.env.ADMIN_EMAILS = "the-operator@example.com";
    resetEnvCache();
    const team = await createTeam();
    const checked = instanceActions();
    expect(checked.length).toBeGreaterThan(0);
    for (const [key, fn, entry] of checked) {
      expect(entry.instanceAdminOnly, `${key} is marked instanceAdminOnly`).toBe(true);
      for (const role of ROLES) {
        await actAs(team.members[role]);
        const result = await fn(await entry.input(team));
        expect(result.ok ? "ok" : result.error.code, `${key} as ${role}`).toBe("forbidden");
      }
      await actAs(null);
      const result = await fn(await entry.input(team));
      expect(result.ok ? "ok" : result.error.code, `${key} signed out`).toBe("unauthorized");
    }
    delete process.env.ADMIN_EMAILS;
    resetEnvCache();
  });

  it("without a session every tenant action and route answers unauthorized", async () => {
    const team = await createTeam();
    await actAs(null);
    for (const [key, fn, entry] of tenantActions()) {
      const result = await fn(await entry.input(team));
      expect(result.ok ? "ok" : result.error.code, key).toBe("unauthorized");
    }
    for (const [key, fn, entry] of tenantRoutes()) {
      expect(await callRoute(fn, entry, team), key).toBe(401);
    }
  });

  for (const role of ROLES) {
    it(`the ${role} role gets exactly what the permission table says`, async () => {
      for (const [key, fn, entry] of tenantActions()) {
        const team = await createTeam(); // fresh per call: allowed actions change state
        await actAs(team.members[role]);
        const result = await fn(await entry.input(team));
        const code = result.ok ? "ok" : result.error.code;
        if (can(role, permissionOf(fn))) {
          expect(["forbidden", "not_found", "unauthorized"], `${key} as ${role}: ${JSON.stringify(result)}`).not.toContain(code);
        } else {
          expect(code, `${key} as ${role}`).toBe("forbidden");
        }
      }
      for (const [key, fn, entry] of tenantRoutes()) {
        const team = await createTeam();
        await actAs(team.members[role]);
        const status = await callRoute(fn, entry, team);
        if (can(role, permissionOf(fn))) expect([401, 403, 404], `${key} as ${role}`).not.toContain(status);
        else expect(status, `${key} as ${role}`).toBe(403);
      }
    }, 120_000);
  }
});

/** A personal API token of `user` in the team's workspace, carrying `role`. */
async function bearer(user: Team["members"]["owner"], workspaceId: string, role: (typeof ROLES)[number]): Promise<string> {
  const ctx = await requireWorkspace(user, { id: workspaceId }, "workspace.view");
  return `Bearer ${(await createApiToken(ctx, { name: "matrix", role, expiresInDays: 1 })).token}`;
}

describe("the same matrix with API tokens instead of a session", () => {
  for (const role of ROLES) {
    it(`a ${role}'s token gets exactly what the permission table says for ${role}`, async () => {
      for (const [key, fn, entry] of tenantRoutes()) {
        const team = await createTeam();
        const token = await bearer(team.members[role], team.workspace.id, role);
        await actAs(null);
        const status = await callRoute(fn, entry, team, token);
        if (can(role, permissionOf(fn))) expect([401, 403, 404], `${key} with a ${role} token`).not.toContain(status);
        else expect(status, `${key} with a ${role} token`).toBe(403);
      }
    }, 120_000);
  }

  it("an owner's token made for the viewer role is a viewer; a token of workspace B finds nothing of A, even for a member of both", async () => {
    const team = await createTeam();
    const asViewer = await bearer(team.members.owner, team.workspace.id, "viewer");
    const other = await createWorkspaceFor(team.members.owner, "Team B");
    const ofB = await bearer(team.members.owner, other.id, "owner");
    await actAs(null);
    for (const [key, fn, entry] of tenantRoutes()) {
      const status = await callRoute(fn, entry, team, asViewer);
      if (can("viewer", permissionOf(fn))) expect([401, 403, 404], key).not.toContain(status);
      else expect(status, `${key} with the owner's viewer token`).toBe(403);
      expect(await callRoute(fn, entry, team, ofB), `${key} with B's token`).toBe(404);
    }
  }, 120_000);
});
