import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { prismaDiff, SCHEMA_FILE } from "@/lib/db/diff";
import { loadMigrations, migrate, migrationStatus, rollback } from "@/lib/db/migrator";
import { createEmptyDatabase } from "../support/postgres";
import { runSql, schemaSnapshot } from "../support/schema-snapshot";

const run = promisify(execFile);
const server = () => inject("pgServerUrl");

describe("migrations", () => {
  it("produce exactly the schema in schema.prisma (no drift)", async () => {
    const migrated = await createEmptyDatabase(server());
    await migrate(migrated);
    const fromSchema = await createEmptyDatabase(server());
    await runSql(fromSchema, await prismaDiff(fromSchema, ["--from-empty"], ["--to-schema-datamodel", SCHEMA_FILE]));
    expect(await schemaSnapshot(migrated)).toEqual(await schemaSnapshot(fromSchema));
  }, 60_000);

  it("each down.sql restores the schema that came before it", async () => {
    const url = await createEmptyDatabase(server());
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    for (const migration of migrations) {
      expect(migration.downSql, `${migration.name} needs a down.sql`).toBeTruthy();
      const before = await schemaSnapshot(url);
      await migrate(url, { target: migration.name });
      await rollback(url);
      expect(await schemaSnapshot(url), `rolling back ${migration.name}`).toEqual(before);
      await migrate(url, { target: migration.name });
    }
    const status = await migrationStatus(url);
    expect(status.pending).toEqual([]);
  }, 60_000);

  it("keep the data of a database migrated step by step", async () => {
    const url = await createEmptyDatabase(server());
    const [first] = loadMigrations();
    await migrate(url, { target: first.name });
    await runSql(
      url,
      `INSERT INTO users (id, email, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 'keep@example.com', now());
       INSERT INTO workspaces (id, name, slug, updated_at) VALUES ('00000000-0000-4000-8000-000000000002', 'Keep', 'keep', now());
       INSERT INTO projects (id, workspace_id, name, config) VALUES
         ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'Kept project', '{"chunk_size_tokens": 256}');`,
    );
    await migrate(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = (await client.query(`SELECT name, config FROM projects`)).rows;
      expect(rows).toEqual([{ name: "Kept project", config: { chunk_size_tokens: 256 } }]);
      expect((await client.query(`SELECT email FROM users`)).rows).toEqual([{ email: "keep@example.com" }]);
    } finally {
      await client.end();
    }
  });

  it("two processes migrating at once apply each migration once", async () => {
    const url = await createEmptyDatabase(server());
    const cli = (env: NodeJS.ProcessEnv) => run(path.resolve("node_modules/.bin/tsx"), ["lib/db/cli.ts", "migrate"], { env: { ...env, DATABASE_URL: url } });
    const [a, b] = await Promise.all([cli(process.env), cli(process.env)]);
    expect(a.stdout + b.stdout).toContain("Applied migration");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = (await client.query(`SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY 1`)).rows;
      expect(rows).toHaveLength(loadMigrations().length);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await client.end();
    }
  }, 60_000);

  it("refuses to run when an applied migration was edited", async () => {
    const url = await createEmptyDatabase(server());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-migs-"));
    fs.mkdirSync(path.join(dir, "20200101000000_one"));
    fs.writeFileSync(path.join(dir, "20200101000000_one", "migration.sql"), "CREATE TABLE one (id int);");
    await migrate(url, { dir });
    fs.writeFileSync(path.join(dir, "20200101000000_one", "migration.sql"), "CREATE TABLE one (id bigint);");
    await expect(migrate(url, { dir })).rejects.toThrow(/changed after it was applied/);
  });

  it("rolls a failing migration back whole and names it", async () => {
    const url = await createEmptyDatabase(server());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-migs-"));
    fs.mkdirSync(path.join(dir, "20200101000000_broken"));
    fs.writeFileSync(path.join(dir, "20200101000000_broken", "migration.sql"), "CREATE TABLE half (id int); SELECT nonsense;");
    await expect(migrate(url, { dir })).rejects.toThrow(/20200101000000_broken failed/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query(`SELECT to_regclass('half') AS t`)).rows[0].t).toBeNull();
    } finally {
      await client.end();
    }
  });
});
