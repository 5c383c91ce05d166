// Log retention: lines older than LOG_RETENTION_DAYS go, then the oldest beyond LOG_RETENTION_ROWS.
// Deleted in batches by id (the primary key), so a large backlog never holds a long lock or a
// huge transaction; one worker at a time sweeps (a session advisory lock), whichever gets there.
import { getPool } from "@/lib/db/pool";
import { env } from "@/lib/env";

const BATCH = 10_000;
const LOCK = "ftf-log-retention";

export type RetentionResult = { byAge: number; byCount: number } | { skipped: true };

export async function enforceLogRetention(options: { days?: number; rows?: number } = {}): Promise<RetentionResult> {
  const days = options.days ?? env().LOG_RETENTION_DAYS;
  const rows = options.rows ?? env().LOG_RETENTION_ROWS;
  const client = await getPool().connect();
  try {
    const { rows: locked } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [LOCK]);
    if (!locked[0].ok) return { skipped: true };
    try {
      let byAge = 0;
      if (days > 0) {
        for (;;) {
          const { rowCount } = await client.query(
            `DELETE FROM app_logs WHERE id IN (SELECT id FROM app_logs WHERE "timestamp" < now() - make_interval(days => $1) ORDER BY id LIMIT $2)`,
            [days, BATCH],
          );
          byAge += rowCount ?? 0;
          if ((rowCount ?? 0) < BATCH) break;
        }
      }
      let byCount = 0;
      if (rows > 0) {
        // The id of the newest line past the cap; everything at or below it goes.
        const { rows: cut } = await client.query<{ id: string }>("SELECT id::text AS id FROM app_logs ORDER BY id DESC OFFSET $1 LIMIT 1", [rows]);
        if (cut[0]) {
          for (;;) {
            const { rowCount } = await client.query(`DELETE FROM app_logs WHERE id IN (SELECT id FROM app_logs WHERE id <= $1::bigint ORDER BY id LIMIT $2)`, [
              cut[0].id,
              BATCH,
            ]);
            byCount += rowCount ?? 0;
            if ((rowCount ?? 0) < BATCH) break;
          }
        }
      }
      return { byAge, byCount };
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK]);
    }
  } finally {
    client.release();
  }
}
