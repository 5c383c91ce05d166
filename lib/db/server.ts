// Where the database comes from: DATABASE_URL when set, otherwise the embedded PostgreSQL
// whose data lives under storage/.
import path from "node:path";
import pg from "pg";
import { env, storageDir } from "@/lib/env";
import { startEmbeddedPostgres } from "./embedded";

export type DatabaseHandle = { url: string; embedded: boolean; stop(): Promise<void> };

/** Redacts the password of a connection string for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Fails with a clear message when the server does not answer within `timeoutMs`. */
export async function checkDatabaseReachable(url: string, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(
      `Cannot reach the database at ${redactUrl(url)}: ${(error as Error).message || String(error)}. ` +
        `Check DATABASE_URL, or unset it to use the embedded PostgreSQL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export async function ensureDatabase(log: (message: string) => void): Promise<DatabaseHandle> {
  const configured = env().DATABASE_URL;
  if (configured) {
    await checkDatabaseReachable(configured);
    return { url: configured, embedded: false, stop: async () => {} };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(storageDir(), "postgres"),
    preferredPort: env().EMBEDDED_PG_PORT,
    log,
  });
  log(`Embedded PostgreSQL is running on 127.0.0.1:${embedded.port} (data: ${embedded.dataDir}).`);
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}
