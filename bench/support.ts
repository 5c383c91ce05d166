// Shared benchmark plumbing: a throwaway embedded PostgreSQL, timing and percentiles.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { Worker } from "node:worker_threads";
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

const SAMPLER = `
const { workerData } = require("node:worker_threads");
const state = new Int32Array(workerData);
const tick = () => {
  const kb = Math.round(process.memoryUsage.rss() / 1024);
  for (let peak = Atomics.load(state, 0); peak < kb; peak = Atomics.load(state, 0)) {
    if (Atomics.compareExchange(state, 0, peak, kb) === peak) break;
  }
  if (Atomics.load(state, 1) === 0) setTimeout(tick, 10);
};
tick();
`;

/**
 * Peak RSS of this process (MB), sampled every 10 ms by a worker thread, so that synchronous work
 * on the main thread (chunkDocument on a whole text) is measured as well as asynchronous work.
 */
export function rssSampler(): { reset(): number; peak(): number; stop(): Promise<void> } {
  const state = new Int32Array(new SharedArrayBuffer(8));
  const nowKb = () => Math.round(process.memoryUsage.rss() / 1024);
  Atomics.store(state, 0, nowKb());
  const worker = new Worker(SAMPLER, { eval: true, workerData: state.buffer });
  return {
    /** Starts a measurement at the current RSS, which it returns. */
    reset: () => {
      const kb = nowKb();
      Atomics.store(state, 0, kb);
      return kb / 1024;
    },
    peak: () => Math.max(Atomics.load(state, 0), nowKb()) / 1024,
    stop: async () => {
      Atomics.store(state, 1, 1);
      await worker.terminate();
    },
  };
}

let collect: (() => void) | undefined;

/** A full garbage collection, so that a measurement does not start with the last one's garbage. */
export function fullGc(): void {
  if (!collect) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  }
  collect();
}
