// The worker process's body: registers the given job definitions with pg-boss, runs them with
// per-type concurrency, writes its heartbeat, sweeps stale jobs, survives database restarts,
// and on stop stops taking jobs and finishes or hands back the running ones within the grace.
import crypto from "node:crypto";
import os from "node:os";
import { type JobWithMetadata, PgBoss } from "pg-boss";
import { db, disconnectDb } from "@/lib/db/client";
import { closePool } from "@/lib/db/pool";
import { env, workerConcurrency } from "@/lib/env";
import { ocrEngine } from "@/lib/ingest/ocr";
import { bossOptions, ensureQueue, installQueues, stopSender } from "@/lib/jobs/boss";
import type { JobDefinition } from "@/lib/jobs/definition";
import { WORKER_HEARTBEAT_KEY, type WorkerHeartbeat } from "@/lib/jobs/heartbeat";
import { refreshQueuePlaces } from "@/lib/jobs/queue-place";
import { runJob } from "@/lib/jobs/runtime";
import { sweepStaleJobs } from "@/lib/jobs/sweeper";
import { flushLogs, logger } from "@/lib/log";
import { enforceLogRetention } from "@/lib/log/retention";
import { sweepAbandonedUploads } from "@/lib/sources/direct-upload";
import { processRemoteCleanups } from "@/lib/training/remote-cleanups";
import packageJson from "@/package.json" with { type: "json" };

const HEARTBEAT_MS = 5000;
const SWEEP_MS = 10_000;
/** How often a worker deletes log lines past the retention settings (the first sweep runs at start). */
const RETENTION_MS = 3600_000;
const PLACES_MS = 3000;
/** How often a worker removes deleted projects' run folders on the GPU boxes (lib/training/remote-cleanups). */
const REMOTE_CLEANUP_MS = 60_000;

export type RunningWorker = { id: string; stop(): Promise<void> };

const log = logger("worker");

async function writeHeartbeat(id: string, startedAt: Date, types: string[], concurrency: Record<string, number>): Promise<void> {
  const value = {
    at: new Date().toISOString(),
    pid: process.pid,
    host: os.hostname(),
    startedAt: startedAt.toISOString(),
    version: packageJson.version,
    types,
    // Job slots per type: waiting jobs' places and estimates count them (lib/jobs/queue-place).
    concurrency,
    // What scans this machine can read, for the project settings (Tesseract's packs).
    ocrLanguages: (await ocrEngine())?.languages ?? null,
  } satisfies WorkerHeartbeat;
  await db.setting.upsert({ where: { key: WORKER_HEARTBEAT_KEY + id }, create: { key: WORKER_HEARTBEAT_KEY + id, value }, update: { value } });
}

export async function startWorker(definitions: ReadonlyArray<JobDefinition<unknown>>): Promise<RunningWorker> {
  const id = `${os.hostname()}-${process.pid}-${crypto.randomBytes(2).toString("hex")}`;
  const startedAt = new Date();
  const concurrency = workerConcurrency();
  await installQueues(definitions);

  const boss = new PgBoss(bossOptions("worker"));
  // pg-boss reports database trouble as events and keeps polling; we log and carry on.
  boss.on("error", (error) => log.warn(`Queue error (retrying): ${error.message}`));
  await boss.start({ attempts: 10 });

  // Handlers still settling their Job rows; stop() waits for them before closing the pool.
  const inFlight = new Set<Promise<unknown>>();
  for (const definition of definitions) {
    await ensureQueue(boss, definition);
    let workId = "";
    workId = await boss.work<
      { jobId: string },
      unknown,
      {
        includeMetadata: true;
        localConcurrency: number;
        groupConcurrency?: number;
        batchSize: number;
        pollingIntervalSeconds: number;
        notifyPollingIntervalSeconds: number;
      }
    >(
      definition.type,
      {
        includeMetadata: true,
        batchSize: 1,
        localConcurrency: concurrency[definition.type] ?? definition.concurrency,
        // Counted by pg-boss in the database, so it holds across workers.
        groupConcurrency: definition.perWorkspace ? env().WORKSPACE_JOBS_AT_ONCE : undefined,
        pollingIntervalSeconds: 1,
        notifyPollingIntervalSeconds: 5,
      },
      async ([job]: JobWithMetadata<{ jobId: string }>[]) => {
        const run = runJob(definition, { id: job.id, signal: job.signal, retryCount: job.retryCount }, job.data.jobId, id);
        const settled = run.catch(() => undefined);
        inFlight.add(settled);
        try {
          await run;
        } finally {
          inFlight.delete(settled);
          // Fetch again at once: drains a backlog instead of waiting for the next poll.
          boss.notifyWorker(workId);
        }
      },
    );
  }

  const types = definitions.map((d) => d.type);
  const slots = Object.fromEntries(definitions.map((d) => [d.type, concurrency[d.type] ?? d.concurrency]));
  const beat = () => writeHeartbeat(id, startedAt, types, slots).catch(() => {});
  const sweep = () => sweepStaleJobs().catch((error) => log.warn(`Sweep failed: ${(error as Error).message}`));
  const perWorkspace = (type: string) => (definitions.find((d) => d.type === type)?.perWorkspace ? env().WORKSPACE_JOBS_AT_ONCE : Number.POSITIVE_INFINITY);
  const retention = () =>
    enforceLogRetention()
      .then((result) => {
        if ("byAge" in result && result.byAge + result.byCount > 0)
          log.info(`Log retention: deleted ${result.byAge} lines by age, ${result.byCount} over the cap.`);
      })
      .catch((error) => log.warn(`Log retention failed: ${(error as Error).message}`))
      .then(() => sweepAbandonedUploads())
      .then((removed) => {
        if (removed > 0) log.info(`Removed ${removed} upload${removed === 1 ? "" : "s"} abandoned for over a day.`);
      })
      .catch((error) => log.warn(`Could not remove abandoned uploads: ${(error as Error).message}`));
  // One pass at a time (a box that is off can take a while to time out).
  let cleaning: Promise<void> | undefined;
  const remoteCleanups = () =>
    (cleaning ??= processRemoteCleanups()
      .then(({ removed, givenUp }) => {
        if (removed + givenUp > 0) log.info(`Deleted projects' run folders: ${removed} removed, ${givenUp} given up.`);
      })
      .catch((error) => log.warn(`Could not remove deleted projects' run folders: ${(error as Error).message}`))
      .finally(() => {
        cleaning = undefined;
      }));
  const places = () => refreshQueuePlaces(perWorkspace).catch((error) => log.warn(`Could not update waiting jobs' places: ${(error as Error).message}`));
  await beat();
  const heartbeatTimer = setInterval(beat, HEARTBEAT_MS);
  const sweepTimer = setInterval(sweep, SWEEP_MS);
  const placesTimer = setInterval(places, PLACES_MS);
  void remoteCleanups();
  const remoteCleanupTimer = setInterval(remoteCleanups, REMOTE_CLEANUP_MS);
  void retention();
  const retentionTimer = setInterval(retention, RETENTION_MS);
  log.info(`Worker ${id} started: ${types.join(", ") || "no job types"}.`);

  let stopping: Promise<void> | undefined;
  const SETTLE_MS = 5000;
  return {
    id,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(heartbeatTimer);
        clearInterval(sweepTimer);
        clearInterval(placesTimer);
        clearInterval(remoteCleanupTimer);
        clearInterval(retentionTimer);
        log.info(`Worker ${id} stopping: finishing running jobs (up to ${env().WORKER_SHUTDOWN_GRACE_S} s), then handing back the rest.`);
        await boss.stop({ graceful: true, timeout: env().WORKER_SHUTDOWN_GRACE_S * 1000 });
        // Past the grace, pg-boss aborts the handlers; let them write "retrying" before the pool goes.
        await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, SETTLE_MS))]);
        await db.setting.deleteMany({ where: { key: WORKER_HEARTBEAT_KEY + id } }).catch(() => {});
        await flushLogs();
        await stopSender();
        await closePool();
        await disconnectDb();
      })()),
  };
}

/** Starts a worker for this process and stops it gracefully on SIGTERM or Ctrl-C. */
export function runWorkerProcess(definitions: ReadonlyArray<JobDefinition<unknown>>): void {
  // Last line of defence: a promise nobody awaited that rejects (a database write while the
  // database is away) is a bug to log, not a reason to drop every running job. Jobs fail and
  // retry through their own error paths.
  process.on("unhandledRejection", (reason) => {
    log.error(`Unhandled rejection (kept running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });
  startWorker(definitions)
    .then((worker) => {
      const stop = (signal: string) => {
        log.info(`${signal} received.`);
        worker.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    })
    .catch((error) => {
      console.error(`[worker] Could not start: ${(error as Error).message}`);
      log.critical(`The worker could not start: ${(error as Error).message}`);
      void flushLogs().finally(() => process.exit(1));
    });
}
