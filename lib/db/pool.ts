// A plain node-postgres pool beside Prisma's, for the few hot paths that need raw SQL in one
// transaction with pg-boss (enqueue) and for LISTEN connections.
import pg from "pg";
import { databaseUrl } from "@/lib/env";

const globalForPool = globalThis as unknown as { __ftfPool?: pg.Pool };

export function getPool(): pg.Pool {
  if (!globalForPool.__ftfPool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 10, application_name: "finetuneflow" });
    // An idle client whose server went away must not crash the process; the pool replaces it.
    pool.on("error", () => {});
    // Nor one that is checked out between two queries when the server goes (a database restart
    // mid-transaction): node-postgres emits that on the client, where an unheard 'error' event
    // ends the process. Its next query fails instead, and the holder releases it as broken.
    pool.on("connect", (client) => client.on("error", () => {}));
    globalForPool.__ftfPool = pool;
  }
  return globalForPool.__ftfPool;
}

/**
 * `name`, where given, makes it a prepared statement on the connection (node-postgres keeps one
 * per name and connection): parsed and planned once rather than at every call. Only for a
 * statement whose text never changes under that name; executors that cannot prepare ignore it.
 */
export type SqlExecutor = (text: string, values?: unknown[], name?: string) => Promise<Array<Record<string, unknown>>>;

/** Runs `fn` in one transaction on a pooled client; `exec` runs statements inside it. */
export async function withPgTransaction<T>(fn: (exec: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(async (text, values, name) => (await client.query({ text, values: values as unknown[], name })).rows);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollback: Error) => {
      // The connection itself failed: it goes, rather than back to the pool.
      broken = rollback;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function closePool(): Promise<void> {
  const pool = globalForPool.__ftfPool;
  globalForPool.__ftfPool = undefined;
  await pool?.end();
}
