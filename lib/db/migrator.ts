// Our migrator: applies prisma/migrations/<name>/migration.sql in order, one transaction each,
// records them in Prisma's `_prisma_migrations` table (same columns, sha256 checksums) and
// holds an advisory lock so two starting processes cannot race. `down.sql` beside each
// migration rolls it back. (Prisma's own `migrate deploy` fails with the offline wasm engine.)
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export type Migration = {
  name: string;
  sql: string;
  downSql?: string;
  checksum: string;
};

export type MigrationStatus = {
  applied: string[];
  pending: string[];
};

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

// Any fixed 64-bit key; distinct from Prisma's own (72707369).
const LOCK_KEY = 4_711_202_611;

export function checksumOf(sql: string): string {
  return crypto.createHash("sha256").update(sql).digest("hex");
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  // Traced explicitly (next.config.ts outputFileTracingIncludes), so the bundler need not follow this.
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir)) return [];
  return fs
    .readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const downFile = path.join(dir, name, "down.sql");
      return {
        name,
        sql,
        downSql: fs.existsSync(downFile) ? fs.readFileSync(downFile, "utf8") : undefined,
        checksum: checksumOf(sql),
      };
    });
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type AppliedRow = { id: string; migration_name: string; checksum: string };

async function appliedRows(client: pg.Client): Promise<AppliedRow[]> {
  const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return [];
  const result = await client.query<AppliedRow>(
    `SELECT id, migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
      ORDER BY migration_name`,
  );
  return result.rows;
}

async function withLockedClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "finetuneflow-migrator" });
  await client.connect();
  try {
    await client.query("SET client_min_messages TO warning");
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    try {
      return await fn(client);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

function verifyChecksums(applied: AppliedRow[], migrations: Migration[]): void {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const row of applied) {
    const migration = byName.get(row.migration_name);
    if (migration && migration.checksum !== row.checksum) {
      throw new Error(
        `Migration ${row.migration_name} was changed after it was applied (checksum mismatch). Add a new migration instead of editing an applied one.`,
      );
    }
  }
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(url: string, options: { dir?: string; log?: (message: string) => void; target?: string } = {}): Promise<string[]> {
  const migrations = loadMigrations(options.dir);
  return withLockedClient(url, async (client) => {
    await client.query(CREATE_TABLE);
    const applied = await appliedRows(client);
    verifyChecksums(applied, migrations);
    const done = new Set(applied.map((row) => row.migration_name));
    const names: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      const id = crypto.randomUUID();
      try {
        await client.query("BEGIN");
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [id, migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`);
      }
      options.log?.(`Applied migration ${migration.name}`);
      names.push(migration.name);
      if (options.target && migration.name === options.target) break;
    }
    return names;
  });
}

/** Rolls back the last `steps` applied migrations with their down.sql; returns the names. */
export async function rollback(url: string, options: { dir?: string; steps?: number; log?: (message: string) => void } = {}): Promise<string[]> {
  const migrations = new Map(loadMigrations(options.dir).map((m) => [m.name, m]));
  return withLockedClient(url, async (client) => {
    const applied = await appliedRows(client);
    const targets = applied.slice(-(options.steps ?? 1)).reverse();
    const names: string[] = [];
    for (const row of targets) {
      const migration = migrations.get(row.migration_name);
      if (!migration?.downSql) {
        throw new Error(`Migration ${row.migration_name} has no down.sql; it cannot be rolled back.`);
      }
      try {
        await client.query("BEGIN");
        await client.query(migration.downSql);
        await client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = $1`, [row.id]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`Rolling back ${row.migration_name} failed: ${(error as Error).message}`);
      }
      options.log?.(`Rolled back migration ${row.migration_name}`);
      names.push(row.migration_name);
    }
    return names;
  });
}

export async function migrationStatus(url: string, dir?: string): Promise<MigrationStatus> {
  const migrations = loadMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const applied = await appliedRows(client);
    const done = new Set(applied.map((row) => row.migration_name));
    return {
      applied: applied.map((row) => row.migration_name),
      pending: migrations.filter((m) => !done.has(m.name)).map((m) => m.name),
    };
  } finally {
    await client.end();
  }
}
