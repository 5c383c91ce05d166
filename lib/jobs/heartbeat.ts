// Workers' heartbeats: each worker keeps a `Setting` row under WORKER_HEARTBEAT_KEY fresh with
// what it runs (types, slots) and what its machine offers (OCR languages). /api/health lists the
// live ones; the project settings show the OCR languages the workers can read.
import { db } from "@/lib/db/client";

export const WORKER_HEARTBEAT_KEY = "worker.heartbeat.";

/** A worker seen within this many seconds is live. */
export const WORKER_FRESH_SECONDS = 30;

export type WorkerHeartbeat = {
  at: string;
  pid?: number;
  host?: string;
  startedAt?: string;
  version?: string;
  types: string[];
  concurrency?: Record<string, number>;
  /** Tesseract's installed languages on the worker's machine; null when it has no Tesseract. */
  ocrLanguages?: string[] | null;
};

export async function liveWorkerHeartbeats(): Promise<Array<{ id: string; value: WorkerHeartbeat }>> {
  const rows = await db.setting.findMany({ where: { key: { startsWith: WORKER_HEARTBEAT_KEY } } });
  return rows
    .map((row) => ({ id: row.key.slice(WORKER_HEARTBEAT_KEY.length), value: row.value as WorkerHeartbeat }))
    .filter((w) => Date.now() - Date.parse(w.value.at) < WORKER_FRESH_SECONDS * 1000);
}

/**
 * The OCR languages every live worker can read (any worker may take a scan), or undefined when
 * no live worker says (none running, or ones from before workers reported it).
 */
export async function workersOcrLanguages(): Promise<string[] | undefined> {
  const reports = (await liveWorkerHeartbeats()).map((w) => w.value.ocrLanguages).filter((l) => l !== undefined);
  if (!reports.length) return undefined;
  const [first, ...rest] = reports.map((l) => l ?? []);
  return first.filter((lang) => rest.every((other) => other.includes(lang)));
}
