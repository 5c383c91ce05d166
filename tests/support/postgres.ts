// One embedded PostgreSQL per test run; a fresh database per test file, copied from a
// migrated template (CREATE DATABASE … TEMPLATE is a file copy: milliseconds).
import crypto from "node:crypto";
import pg from "pg";

export const TEMPLATE_DB = "ftf_template";

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a database copied from the migrated template; returns its URL. */
export async function createTestDatabase(serverUrl: string, prefix = "t"): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
  return withDatabase(serverUrl, name);
}

/** Creates an empty database (no migrations), for migrator tests. */
export async function createEmptyDatabase(serverUrl: string, prefix = "e"): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  return withDatabase(serverUrl, name);
}
