// Run folders on GPU boxes outlive a deleted project: its runs and jobs go with it, so the folders
// (base model links, checkpoints, adapters: often gigabytes) are written to remote_cleanups in the
// delete's transaction and removed by the workers (every minute, worker/start.ts), each claimed by
// one worker, retried with back-off while the box is off, and given up after MAX_ATTEMPTS (logged
// to the workspace). A run deleted on its own gets a run_cleanup job instead (./cleanup-job).
import type { Prisma } from "@prisma/client";
import { db, type Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { NonRetryableError } from "@/lib/jobs/definition";
import { writeLog } from "@/lib/log";
import { loadRunnerRecord } from "@/lib/runners";
import { removeFolderOnRunner } from "./cleanup-handler";
import { runCleanupJob } from "./cleanup-job";

const SOURCE = "runs:remote-cleanup";
/** About a day of tries: a minute apart at first, then at most an hour apart. */
export const MAX_ATTEMPTS = 24;
const backoffSeconds = (attempts: number) => Math.min(3600, 60 * 2 ** Math.max(0, attempts - 1));
/** A claimed row is someone's for this long (the removal's own limit is 10 minutes). */
const CLAIM_SECONDS = 15 * 60;

/**
 * Queues the removal of every run folder of project `projectId` (its runs' folders, and the
 * run_cleanup jobs of runs deleted before that have not finished). Call in the transaction that
 * deletes the project. Returns how many folders were queued.
 */
export async function queueProjectCleanups(tx: Tx, workspaceId: string, projectId: string, projectName: string): Promise<number> {
  const runs = await tx.run.findMany({
    where: { projectId, remoteDir: { not: null }, runnerId: { not: null } },
    select: { id: true, name: true, runnerId: true, remoteDir: true },
  });
  const pending = await tx.job.findMany({
    where: { projectId, type: runCleanupJob.type, status: { in: ["queued", "running", "retrying"] } },
    select: { payload: true },
  });
  const rows: Prisma.RemoteCleanupCreateManyInput[] = [
    ...runs.map((run) => ({ runId: run.id, runnerId: run.runnerId as string, remoteDir: run.remoteDir as string, name: run.name })),
    ...pending.flatMap(({ payload }) => {
      const parsed = runCleanupJob.payload.safeParse(payload);
      return parsed.success ? [{ runId: parsed.data.runId, runnerId: parsed.data.runnerId, remoteDir: parsed.data.remoteDir, name: parsed.data.runName }] : [];
    }),
  ].map(({ name, ...row }) => ({ ...row, workspaceId, label: `run ${name} of project ${projectName}`.slice(0, 512) }));
  if (rows.length === 0) return 0;
  // Only runners of this workspace (a row's runner id comes from the workspace's own runs).
  const runners = new Set(
    (await tx.runner.findMany({ where: { workspaceId, id: { in: rows.map((r) => r.runnerId) } }, select: { id: true } })).map((r) => r.id),
  );
  const { count } = await tx.remoteCleanup.createMany({ data: rows.filter((r) => runners.has(r.runnerId)) });
  return count;
}

type Claimed = { id: string; workspaceId: string; runnerId: string; runId: string; remoteDir: string; label: string; attempts: number };

/** Takes up to `limit` due rows for this worker (others skip them while they are claimed). */
async function claimDue(limit: number): Promise<Claimed[]> {
  return db.$queryRaw<Claimed[]>`
    UPDATE remote_cleanups SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${CLAIM_SECONDS})
    WHERE id IN (
      SELECT id FROM remote_cleanups WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    RETURNING id, workspace_id AS "workspaceId", runner_id AS "runnerId", run_id AS "runId", remote_dir AS "remoteDir", label, attempts`;
}

/**
 * Removes the due folders (run by every worker, every minute). Returns what happened to each, for
 * the worker's log and the tests.
 */
export async function processRemoteCleanups(limit = 10): Promise<{ removed: number; failed: number; givenUp: number }> {
  const outcome = { removed: 0, failed: 0, givenUp: 0 };
  for (const row of await claimDue(limit)) {
    const context = { workspaceId: row.workspaceId };
    try {
      const runner = await loadRunnerRecord(row.workspaceId, row.runnerId);
      await removeFolderOnRunner(runner, { id: row.runId, label: row.label }, row.remoteDir);
      await db.remoteCleanup.delete({ where: { id: row.id } });
      writeLog("info", SOURCE, `Removed the folder of deleted ${row.label} (${row.remoteDir}) on ${runner.name}.`, context);
      outcome.removed++;
    } catch (error) {
      const message = (error as Error).message;
      // A refused folder, or a runner gone meanwhile (its rows go with it): no point in trying again.
      const final = error instanceof NonRetryableError || (error instanceof AppError && error.code === "not_found");
      if (row.attempts >= MAX_ATTEMPTS || final) {
        await db.remoteCleanup.deleteMany({ where: { id: row.id } });
        writeLog("warn", SOURCE, `Gave up removing the folder of deleted ${row.label} (${row.remoteDir}) after ${row.attempts} tries: ${message}`, context);
        outcome.givenUp++;
      } else {
        await db.remoteCleanup.updateMany({
          where: { id: row.id },
          data: { lastError: message.slice(0, 2000), nextAttemptAt: new Date(Date.now() + backoffSeconds(row.attempts) * 1000) },
        });
        outcome.failed++;
      }
    }
  }
  return outcome;
}
