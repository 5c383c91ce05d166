// Shared benchmark plumbing: a throwaway embedded PostgreSQL, timing and percentiles.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrator";
import { resetEnvCache } from "@/lib/env";

export async function benchDatabase(): Promise<EmbeddedDatabase & { cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-bench-"));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), preferredPort: 0, ephemeral: true });
  Object.assign(process.env, {
    DATABASE_URL: server.url,
    STORAGE_DIR: path.join(dir, "storage"),
    SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
    AUTH_SECRET: "bench-secret-bench-secret-bench-secret-00",
    LOG_LEVEL: "warn",
  });
  resetEnvCache();
  await migrate(server.url);
  return {
    ...server,
    cleanup: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function row(label: string, ...cells: Array<string | number>): void {
  console.log(`  ${label.padEnd(44)} ${cells.map((c) => String(c).padStart(12)).join(" ")}`);
}

export function verdict(name: string, ratio: number, target: string, ok: boolean): void {
  console.log(`  ${name.padEnd(44)} ${ratio.toFixed(2).padStart(12)}   target ${target}: ${ok ? "met" : "NOT met"}`);
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
