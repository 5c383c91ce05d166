// GET /api/health is readiness: `ok` (and 200) only when the database answers, every migration
// is applied and at least one worker has a fresh heartbeat, so a load balancer or deploy script
// never routes to an instance whose jobs would wait. GET /api/live is liveness: the web process
// answers, whatever the rest is doing (for restarting a hung container, not for routing).
import { db } from "@/lib/db/client";
import { loadMigrations } from "@/lib/db/migrator";
import { liveWorkerHeartbeats } from "@/lib/jobs/heartbeat";
import packageJson from "@/package.json" with { type: "json" };

export type HealthReport = {
  ok: boolean;
  version: string;
  database: { ok: boolean; error?: string };
  migrations: { ok: boolean; applied: number; pending: string[] };
  /** Workers seen within WORKER_FRESH_SECONDS (the web runs without one, but its jobs wait: not ready). */
  workers: { ok: boolean; live: Array<{ id: string; lastSeen: string; types: string[] }> };
};

async function liveWorkers(): Promise<HealthReport["workers"]["live"]> {
  return (await liveWorkerHeartbeats()).map((w) => ({ id: w.id, lastSeen: w.value.at, types: w.value.types }));
}

export async function healthReport(): Promise<HealthReport> {
  const version = packageJson.version;
  try {
    const rows = await db.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((r) => r.migration_name));
    const pending = loadMigrations()
      .map((m) => m.name)
      .filter((name) => !applied.has(name));
    const live = await liveWorkers();
    return {
      ok: pending.length === 0 && live.length > 0,
      version,
      database: { ok: true },
      migrations: { ok: pending.length === 0, applied: applied.size, pending },
      workers: { ok: live.length > 0, live },
    };
  } catch {
    return {
      ok: false,
      version,
      database: { ok: false, error: "The database does not answer." },
      migrations: { ok: false, applied: 0, pending: [] },
      workers: { ok: false, live: [] },
    };
  }
}

/**
 * What an anonymous caller sees: each verdict, no worker host names, migration names or error
 * text (those are for the instance administrator signed in).
 */
export function publicHealth(report: HealthReport) {
  return {
    ok: report.ok,
    version: report.version,
    database: { ok: report.database.ok },
    migrations: { ok: report.migrations.ok },
    workers: { ok: report.workers.ok, count: report.workers.live.length },
  };
}
