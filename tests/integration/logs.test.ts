// The log viewer and log retention on the real database: a workspace's admins read its lines
// only (its jobs' too), filtered by level, source, job, text and time, with counts per level and
// a live tail; the instance's administrator reads every line; retention deletes by age and by
// count, one worker at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireWorkspace, type WorkspaceContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { getPool } from "@/lib/db/pool";
import { resetEnvCache } from "@/lib/env";
import { flushLogs, writeLog } from "@/lib/log";
import { queryLogsAction } from "@/lib/log/actions";
import { enforceLogRetention } from "@/lib/log/retention";
import { queryLogs, tailLogs } from "@/lib/log/viewer";
import { createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";

let a: Team;
let b: Team;
let admin: WorkspaceContext;
const tag = `t${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  a = await createTeam("Logs A");
  b = await createTeam("Logs B");
  admin = await requireWorkspace(a.members.admin, { id: a.workspace.id }, "audit.view");
  process.env.ADMIN_EMAILS = "operator@example.com";
  resetEnvCache();
  writeLog("info", "web", `${tag} A info`, { workspaceId: a.workspace.id });
  writeLog("warn", "worker", `${tag} A warning`, { workspaceId: a.workspace.id });
  writeLog("critical", "worker", `${tag} A critical`, { workspaceId: a.workspace.id, errorId: `${tag}err` });
  // A job line from before job lines named their workspace: found through its project.
  writeLog("error", "job:train", `${tag} A job failed`, { projectId: a.project.id, jobId: a.job.id });
  writeLog("error", "web", `${tag} B error`, { workspaceId: b.workspace.id });
  writeLog("info", "launcher", `${tag} instance line`);
  await flushLogs();
});

afterAll(() => {
  delete process.env.ADMIN_EMAILS;
  resetEnvCache();
});

// Log writes are not awaited one by one, so lines written together may be stored in any order.
const mine = (lines: { message: string }[]) =>
  lines
    .map((l) => l.message)
    .filter((m) => m.startsWith(tag))
    .sort();

describe("the log viewer", () => {
  it("shows a workspace's admins its own lines, its jobs' too, newest first, with counts per level", async () => {
    const page = await queryLogs(admin, { q: tag });
    expect(mine(page.lines)).toEqual([`${tag} A critical`, `${tag} A info`, `${tag} A job failed`, `${tag} A warning`]);
    expect(page.lines.map((l) => Number(l.id))).toEqual(page.lines.map((l) => Number(l.id)).sort((x, y) => y - x));
    expect(page.counts).toMatchObject({ info: 1, warn: 1, error: 1, critical: 1 });
  });

  it("filters by lowest level, source, job, error id and time", async () => {
    expect(mine((await queryLogs(admin, { q: tag, level: "error" })).lines)).toEqual([`${tag} A critical`, `${tag} A job failed`]);
    expect(mine((await queryLogs(admin, { q: tag, source: "WORK" })).lines)).toEqual([`${tag} A critical`, `${tag} A warning`]);
    expect(mine((await queryLogs(admin, { jobId: a.job.id })).lines)).toEqual([`${tag} A job failed`]);
    expect(mine((await queryLogs(admin, { q: `${tag}err` })).lines)).toEqual([`${tag} A critical`]);
    expect(mine((await queryLogs(admin, { q: tag, to: new Date(Date.now() - 3600_000).toISOString() })).lines)).toEqual([]);
    // LIKE's wildcards in the search are text.
    expect(mine((await queryLogs(admin, { q: `${tag}%` })).lines)).toEqual([]);
  });

  it("the live tail gives the lines after the newest one seen", async () => {
    const newest = (await queryLogs(admin, {})).lines[0].id;
    writeLog("error", "web", `${tag} A later`, { workspaceId: a.workspace.id });
    writeLog("error", "web", `${tag} B later`, { workspaceId: b.workspace.id });
    await flushLogs();
    expect(mine(await tailLogs(admin, {}, newest))).toEqual([`${tag} A later`]);
  });

  it("every line only for the instance's administrator; editors and viewers not at all", async () => {
    await expect(queryLogs(admin, { scope: "instance", q: tag })).rejects.toThrow(/instance's administrator/);
    const operator = await db.user.update({ where: { id: a.members.owner.id }, data: { email: "operator@example.com" } });
    const owner = await requireWorkspace(operator, { id: a.workspace.id }, "audit.view");
    expect(mine((await queryLogs(owner, { scope: "instance", q: tag })).lines)).toEqual(
      expect.arrayContaining([`${tag} B error`, `${tag} instance line`, `${tag} A info`]),
    );
    await actAs(a.members.editor);
    const denied = await queryLogsAction({ workspaceId: a.workspace.id, filter: {} });
    expect(denied.ok ? "ok" : denied.error.code).toBe("forbidden");
  });
});

describe("log retention", () => {
  it("deletes lines older than the days kept, then the oldest beyond the row cap, in batches", async () => {
    const old = Array.from({ length: 25 }, (_, i) => ({
      level: "info" as const,
      source: "retention",
      message: `${tag} old ${i}`,
      timestamp: new Date(Date.now() - 40 * 86400_000),
    }));
    await db.appLog.createMany({ data: old });
    const result = await enforceLogRetention({ days: 30, rows: 0 });
    expect(result).toMatchObject({ byAge: expect.any(Number) });
    expect((result as { byAge: number }).byAge).toBeGreaterThanOrEqual(25);
    expect(await db.appLog.count({ where: { message: { startsWith: `${tag} old` } } })).toBe(0);

    const total = await db.appLog.count();
    const capped = await enforceLogRetention({ days: 0, rows: total - 3 });
    expect(capped).toEqual({ byAge: 0, byCount: 3 });
    expect(await db.appLog.count()).toBe(total - 3);
  });

  it("a second sweep while one runs is skipped, not doubled", async () => {
    const holder = await getPool().connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtext('ftf-log-retention'))");
      expect(await enforceLogRetention({ days: 30, rows: 0 })).toEqual({ skipped: true });
      await holder.query("SELECT pg_advisory_unlock(hashtext('ftf-log-retention'))");
    } finally {
      holder.release();
    }
  });
});
