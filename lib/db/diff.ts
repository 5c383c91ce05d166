// Authoring migrations offline. The wasm schema engine (the only one that runs without a
// download) cannot introspect a database, so each migration folder keeps a snapshot of the
// datamodel it produces (`schema.prisma`); the next migration is the datamodel diff from the
// latest snapshot to prisma/schema.prisma, and its down.sql is the reverse diff.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { childProcessEnv } from "@/lib/env";
import { MIGRATIONS_DIR } from "./migrator";

const run = promisify(execFile);
export const SCHEMA_FILE = path.resolve(process.cwd(), "prisma/schema.prisma");
const PRISMA_BIN = path.resolve(process.cwd(), "node_modules/.bin/prisma");

/** Runs `prisma migrate diff … --script` between two sources; needs a reachable database URL. */
export async function prismaDiff(databaseUrl: string, from: string[], to: string[]): Promise<string> {
  const { stdout } = await run(PRISMA_BIN, ["migrate", "diff", ...from, ...to, "--script"], {
    env: childProcessEnv({
      DATABASE_URL: databaseUrl,
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
      PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    }),
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export function isEmptyDiff(sql: string): boolean {
  return sql.replace(/--.*$/gm, "").trim() === "";
}

function latestSnapshot(dir: string): string | undefined {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (let i = names.length - 1; i >= 0; i--) {
    const file = path.join(dir, names[i], "schema.prisma");
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function timestamp(date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

/** Writes prisma/migrations/<timestamp>_<name>/{migration.sql,down.sql,schema.prisma}. */
export async function authorMigration(databaseUrl: string, name: string, dir: string = MIGRATIONS_DIR): Promise<{ folder: string } | { empty: true }> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("The migration name must be lower-case letters, digits and underscores.");
  fs.mkdirSync(dir, { recursive: true });
  const previous = latestSnapshot(dir);
  const from = previous ? ["--from-schema-datamodel", previous] : ["--from-empty"];
  const fromReverse = previous ? ["--to-schema-datamodel", previous] : ["--to-empty"];
  const up = await prismaDiff(databaseUrl, from, ["--to-schema-datamodel", SCHEMA_FILE]);
  if (isEmptyDiff(up)) return { empty: true };
  const down = await prismaDiff(databaseUrl, ["--from-schema-datamodel", SCHEMA_FILE], fromReverse);
  const folder = path.join(dir, `${timestamp()}_${name}`);
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, "migration.sql"), up);
  fs.writeFileSync(path.join(folder, "down.sql"), down);
  fs.copyFileSync(SCHEMA_FILE, path.join(folder, "schema.prisma"));
  const lock = path.join(dir, "migration_lock.toml");
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, 'provider = "postgresql"\n');
  return { folder };
}

export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
