// GET /api/health: database reachable, migrations applied, version (and the worker's heartbeat
// once a worker runs).
import { db } from "@/lib/db/client";
import { loadMigrations } from "@/lib/db/migrator";
import packageJson from "@/package.json" with { type: "json" };

export type HealthReport = {
  ok: boolean;
  version: string;
  database: { ok: boolean; error?: string };
  migrations: { ok: boolean; applied: number; pending: string[] };
};

export async function healthReport(): Promise<HealthReport> {
  const version = packageJson.version;
  try {
    const rows = await db.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((r) => r.migration_name));
    const pending = loadMigrations().map((m) => m.name).filter((name) => !applied.has(name));
    return {
      ok: pending.length === 0,
      version,
      database: { ok: true },
      migrations: { ok: pending.length === 0, applied: applied.size, pending },
    };
  } catch {
    return {
      ok: false,
      version,
      database: { ok: false, error: "The database does not answer." },
      migrations: { ok: false, applied: 0, pending: [] },
    };
  }
}
