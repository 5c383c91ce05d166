// npm run backup / npm run restore on real parts: a populated instance (a team with projects,
// sources, examples, runs, exports, logs, tokens and stored objects) goes into one archive and
// comes back into an empty database and an empty storage folder with every row of every table
// and every object's bytes the same.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { createApiToken } from "@/lib/auth/api-tokens";
import { type BackupManifest, createBackup, insertOrder, restoreBackup } from "@/lib/backup";
import { flushLogs, writeLog } from "@/lib/log";
import { receiveUpload } from "@/lib/sources/upload";
import { getStorage, readToBuffer, type StorageDriver } from "@/lib/storage";
import { createLocalDriver } from "@/lib/storage/local";
import { createTeam } from "../support/fixtures";
import { createEmptyDatabase } from "../support/postgres";

const exec = promisify(execFile);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-backup-test-"));
const archive = path.join(scratch, "instance.zip");
let manifest: BackupManifest;
let targetUrl: string;
let target: StorageDriver;

/** Every table's rows as PostgreSQL prints them (row_to_json over the backed-up columns), sorted. */
async function tableRows(url: string, tables: BackupManifest["tables"]): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, string[]> = {};
    for (const t of tables) {
      const columns = t.columns.map((c) => `"${c}"`).join(", ");
      const { rows } = await client.query<{ j: string }>(`SELECT row_to_json(r)::text AS j FROM (SELECT ${columns} FROM "${t.name}") r`);
      out[t.name] = rows.map((r) => r.j).sort();
    }
    return out;
  } finally {
    await client.end();
  }
}

async function objectHashes(storage: StorageDriver): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const { key } of storage.list("ws/")) {
    out[key] = crypto
      .createHash("sha256")
      .update(await readToBuffer(await storage.get(key), 100_000_000))
      .digest("hex");
  }
  return out;
}

let before: { rows: Record<string, string[]>; objects: Record<string, string> };

beforeAll(async () => {
  const team = await createTeam();
  const ctx = await requireProject(team.members.editor, team.project.id, "sources.manage");
  const body = new Blob([`# Handbook\n\nRefunds take ${crypto.randomUUID()} days.\n`]).stream();
  await receiveUpload(ctx, { filename: "handbook.md", body, declaredSize: null });
  await createApiToken(await requireWorkspace(team.members.owner, { id: team.workspace.id }, "workspace.view"), { name: "ci", role: "viewer" });
  writeLog("warn", "test", "A line in app_logs, whose id is a sequence.", { workspaceId: team.workspace.id });
  await flushLogs();
  manifest = await createBackup(archive, { databaseUrl: process.env.DATABASE_URL! });
  // Nothing else writes to this file's database: what it holds now is what the archive holds.
  before = { rows: await tableRows(process.env.DATABASE_URL!, manifest.tables), objects: await objectHashes(getStorage()) };
  targetUrl = await createEmptyDatabase(inject("pgServerUrl"));
  target = createLocalDriver(fs.mkdtempSync(path.join(scratch, "storage-")));
}, 120_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("backup and restore", () => {
  it("the archive lists every table with its rows and every stored object with its hash, and no secret key", async () => {
    for (const t of manifest.tables) expect(t.rows, t.name).toBe(before.rows[t.name].length);
    expect(manifest.tables.find((t) => t.name === "users")!.rows).toBeGreaterThanOrEqual(4);
    expect(manifest.tables.find((t) => t.name === "app_logs")!.rows).toBeGreaterThan(0);
    expect(manifest.tables.map((t) => t.name)).not.toContain("_prisma_migrations");
    expect(manifest.migrations.length).toBe(fs.readdirSync("prisma/migrations").filter((d) => /^\d/.test(d)).length);
    expect(Object.keys(before.objects).length).toBeGreaterThanOrEqual(3);
    expect(manifest.objects.map((o) => o.key).sort()).toEqual(Object.keys(before.objects).sort());
    for (const o of manifest.objects) expect(o.sha256).toBe(before.objects[o.key]);
    const text = fs.readFileSync(archive).toString("latin1");
    expect(text).not.toContain(process.env.SECRET_KEY!);
    expect(manifest.secret_key_fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it("restores into an empty instance: every row of every table and every object the same; sequences continue", async () => {
    const log: string[] = [];
    await restoreBackup(archive, { databaseUrl: targetUrl, storage: target, log: (m) => log.push(m) });
    const after = await tableRows(targetUrl, manifest.tables);
    for (const t of manifest.tables) expect(after[t.name], t.name).toEqual(before.rows[t.name]);
    expect(await objectHashes(target)).toEqual(before.objects);
    const client = new pg.Client({ connectionString: targetUrl });
    await client.connect();
    try {
      const max = (await client.query<{ id: string }>(`SELECT max(id)::text AS id FROM app_logs`)).rows[0].id;
      const next = (
        await client.query<{ id: string }>(`INSERT INTO app_logs (level, source, message) VALUES ('info', 'test', 'after restore') RETURNING id::text AS id`)
      ).rows[0].id;
      expect(BigInt(next)).toBeGreaterThan(BigInt(max));
      const applied = (await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`)).rows[0].n;
      expect(applied).toBe(manifest.migrations.length);
    } finally {
      await client.end();
    }
    expect(log).toContain(`users: ${before.rows.users.length} rows`);
  }, 120_000);

  it("refuses a database that is not empty, a damaged archive, and an archive of a newer version", async () => {
    await expect(restoreBackup(archive, { databaseUrl: targetUrl, storage: target })).rejects.toThrow(/not empty/);
    const fresh = await createEmptyDatabase(inject("pgServerUrl"));
    const truncated = path.join(scratch, "truncated.zip");
    fs.writeFileSync(truncated, fs.readFileSync(archive).subarray(0, 2000));
    await expect(restoreBackup(truncated, { databaseUrl: fresh, storage: target })).rejects.toThrow();
    // A migration this checkout does not have: made by a newer FineTuneFlow.
    const migrations = path.join(scratch, "older-migrations");
    fs.cpSync("prisma/migrations", migrations, { recursive: true });
    fs.rmSync(path.join(migrations, manifest.migrations.at(-1)!), { recursive: true });
    await expect(restoreBackup(archive, { databaseUrl: fresh, storage: target, migrationsDir: migrations })).rejects.toThrow(/newer FineTuneFlow/);
  }, 120_000);

  it("npm run backup writes the archive from the command line", async () => {
    const out = path.join(scratch, "cli.zip");
    const { stdout } = await exec("npx", ["tsx", "lib/backup/cli.ts", "backup", out], { env: { ...process.env } });
    expect(stdout).toMatch(/Wrote .*cli\.zip: \d+ rows in \d+ tables, \d+ stored objects/);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
  }, 120_000);

  it("orders tables parents first, and fills in keys into the table itself or around a cycle after the rows are in", async () => {
    const url = await createEmptyDatabase(inject("pgServerUrl"));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`
        CREATE TABLE bk_parent (id int PRIMARY KEY);
        CREATE TABLE bk_child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES bk_parent);
        CREATE TABLE bk_tree (id int PRIMARY KEY, up_id int REFERENCES bk_tree);
        CREATE TABLE bk_a (id int PRIMARY KEY, b_id int);
        CREATE TABLE bk_b (id int PRIMARY KEY, a_id int REFERENCES bk_a);
        ALTER TABLE bk_a ADD FOREIGN KEY (b_id) REFERENCES bk_b;`);
      const { order, deferred } = await insertOrder(client, ["bk_child", "bk_tree", "bk_b", "bk_a", "bk_parent"]);
      expect(order.indexOf("bk_parent")).toBeLessThan(order.indexOf("bk_child"));
      expect(order.indexOf("bk_a")).toBeLessThan(order.indexOf("bk_b"));
      expect(Object.fromEntries([...deferred].map(([t, cols]) => [t, [...cols]]))).toEqual({ bk_tree: ["up_id"], bk_a: ["b_id"] });
    } finally {
      await client.end();
    }
  });
});
