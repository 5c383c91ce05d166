import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as liveness } from "@/app/api/live/route";
import { db } from "@/lib/db/client";
import { loadMigrations, migrationStatus } from "@/lib/db/migrator";
import { resetEnvCache } from "@/lib/env";
import { healthReport, publicHealth } from "@/lib/health";
import { WORKER_HEARTBEAT_KEY } from "@/lib/jobs/heartbeat";
import { createUser } from "../support/fixtures";
import { createEmptyDatabase } from "../support/postgres";
import { actAs, requestWithSession } from "../support/request";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

async function launch(args: string[], env: Record<string, string | undefined>) {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  try {
    const { stdout, stderr } = await run(TSX, args, { env: merged, timeout: 90_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe("migrations in a split deployment", () => {
  it("db:migrate uses DATABASE_DIRECT_URL when set (DATABASE_URL may be a transaction pooler's)", async () => {
    const pooled = await createEmptyDatabase(inject("pgServerUrl"), "pooled");
    const direct = await createEmptyDatabase(inject("pgServerUrl"), "direct");
    const result = await launch(["lib/db/cli.ts", "migrate"], { DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct });
    expect(result.code, result.output).toBe(0);
    expect((await migrationStatus(direct)).pending).toEqual([]);
    expect((await migrationStatus(pooled)).applied).toEqual([]);
  });

  it("with MIGRATE_ON_START=false a process refuses an unmigrated database instead of migrating it", async () => {
    const empty = await createEmptyDatabase(inject("pgServerUrl"), "unmigrated");
    const result = await launch(["lib/launcher/main.ts", "worker"], { DATABASE_URL: empty, MIGRATE_ON_START: "false" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      new RegExp(`The database has ${loadMigrations().length} pending migrations \\(first: ${loadMigrations()[0].name}\\)\\. Run \`npm run db:migrate\` first`),
    );
    expect((await migrationStatus(empty)).applied).toEqual([]);
  });
});

describe("start-up", () => {
  it("explains a DATABASE_URL that does not answer, and stops", async () => {
    const result = await launch(["lib/launcher/main.ts", "web"], { DATABASE_URL: "postgresql://app:secret@127.0.0.1:1/app" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("Cannot reach the database at postgresql://app:***@127.0.0.1:1/app");
    expect(result.output).not.toContain("secret");
  });

  it("names a bad setting", async () => {
    const result = await launch(["lib/launcher/main.ts", "web"], { PORT: "eighty" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Invalid configuration:\s+PORT: .*\(got "eighty"\)/);
  });

  it("runs the embedded PostgreSQL when DATABASE_URL is unset: data survives restarts, a taken port is avoided", async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-embedded-"));
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    let output = "";
    try {
      const env = { DATABASE_URL: undefined, STORAGE_DIR: storage, EMBEDDED_PG_PORT: String(takenPort) };
      const first = await launch(["lib/db/cli.ts", "migrate"], env);
      output = first.output;
      expect(first.code, first.output).toBe(0);
      expect(first.output).toContain(`Port ${takenPort} is taken`);
      expect(first.output).toContain(`Applied migration ${loadMigrations()[0].name}`);
      if (process.getuid?.() === 0) expect(first.output).toMatch(/cannot reach .* keeping the embedded database in \/var\/tmp\/finetuneflow-/);
      const second = await launch(["lib/db/cli.ts", "status"], env);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toContain(`Applied (${loadMigrations().length})`);
      expect(second.output).toContain("Pending (0)");
    } finally {
      blocker.close();
      const fallback = /keeping the embedded database in (\/var\/tmp\/finetuneflow-[0-9a-f]+)/.exec(output)?.[1];
      for (const dir of [storage, fallback]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is ready only with a live worker: database reachable, migrations applied, a fresh heartbeat", async () => {
    await db.setting.deleteMany({ where: { key: { startsWith: WORKER_HEARTBEAT_KEY } } });
    const noWorker = await health(new Request("http://localhost/api/health"), { params: Promise.resolve({}) });
    expect(noWorker.status).toBe(503);
    expect(await noWorker.json()).toMatchObject({ ok: false, database: { ok: true }, migrations: { ok: true }, workers: { ok: false, count: 0 } });
    // Liveness does not care: the web process answers.
    const live = await liveness(new Request("http://localhost/api/live"), { params: Promise.resolve({}) });
    expect(live.status).toBe(200);
    const stale = new Date(Date.now() - 120_000).toISOString();
    await db.setting.create({ data: { key: `${WORKER_HEARTBEAT_KEY}old-box:1`, value: { at: stale, types: ["train"] } } });
    expect((await health(new Request("http://localhost/api/health"), { params: Promise.resolve({}) })).status).toBe(503);
    await db.setting.create({ data: { key: `${WORKER_HEARTBEAT_KEY}box:2`, value: { at: new Date().toISOString(), types: ["train"] } } });
    const response = await health(new Request("http://localhost/api/health"), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ ok: true, database: { ok: true }, migrations: { ok: true } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    // Anonymous callers get verdicts only: no worker host names, migration names or errors.
    expect(body).toEqual(publicHealth(await healthReport()));
    expect(JSON.stringify(body)).not.toMatch(/pending|live|hostname/);
  });

  it("shows the details to the signed-in instance administrator only", async () => {
    await db.setting.upsert({
      where: { key: `${WORKER_HEARTBEAT_KEY}gpu-box-7:1234` },
      create: { key: `${WORKER_HEARTBEAT_KEY}gpu-box-7:1234`, value: { at: new Date().toISOString(), types: ["train"] } },
      update: { value: { at: new Date().toISOString(), types: ["train"] } },
    });
    const call = async () => (await health(requestWithSession("/api/health"), { params: Promise.resolve({}) })).text();
    await actAs(await createUser("tenant"));
    process.env.ADMIN_EMAILS = "admin@example.com";
    resetEnvCache();
    try {
      expect(await call()).not.toContain("gpu-box-7");
      const admin = await createUser("admin");
      process.env.ADMIN_EMAILS = admin.email;
      resetEnvCache();
      await actAs(admin);
      expect(await call()).toContain("gpu-box-7");
    } finally {
      delete process.env.ADMIN_EMAILS;
      resetEnvCache();
      await actAs(null);
    }
  });
});
