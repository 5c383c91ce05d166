// The run_cleanup job's work (./cleanup-job): connect to the runner, check that the folder is one
// of its run folders, remove it.
import path from "node:path";
import { isUuid } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError } from "@/lib/jobs/definition";
import { runDir } from "@/lib/runner-program/commands";
import { loadRunnerRecord, openRunner, type RunnerRecord } from "@/lib/runners";
import { shellQuote } from "@/lib/runners/connection";

type Payload = { runId: string; runnerId: string; remoteDir: string; runName: string };

/** Whether `dir` is exactly the folder of run `runId` under the runner's (resolved) work dir. */
export function isRunDir(dir: string, workDir: string, runId: string): boolean {
  return isUuid(runId) && path.posix.normalize(dir) === dir && dir === runDir(workDir, runId);
}

/**
 * Removes `run`'s folder `remoteDir` on `runner`, if it is exactly that run's folder under
 * the runner's work dir (refused otherwise, whatever a row says).
 */
export async function removeFolderOnRunner(runner: RunnerRecord, run: { id: string; label: string }, remoteDir: string, signal?: AbortSignal): Promise<void> {
  const conn = await openRunner(runner);
  try {
    const workDir = await conn.resolvePath(runner.workDir);
    if (!isRunDir(remoteDir, workDir, run.id))
      throw new NonRetryableError(`Refused to remove ${remoteDir}: it is not the folder of ${run.label} under ${workDir}/runs.`);
    const result = await conn.exec(`rm -rf -- ${shellQuote(remoteDir)}`, { timeoutMs: 10 * 60_000, signal });
    if (result.code !== 0) throw new Error(`Could not remove ${remoteDir} on ${runner.name}: ${result.stderr.trim() || `exit ${result.code}`}`);
  } finally {
    await conn.close().catch(() => {});
  }
}

export async function removeRunDir(ctx: JobContext<Payload>): Promise<Record<string, unknown>> {
  const { runId, runnerId, remoteDir, runName } = ctx.payload;
  const project = await db.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { workspaceId: true } });
  const runner = await loadRunnerRecord(project.workspaceId, runnerId).catch(() => null);
  if (!runner) {
    ctx.log("info", `The runner of run ${runName} was deleted; its folder ${remoteDir} was left on that machine.`);
    return { removed: false, reason: "runner deleted" };
  }
  await ctx.progress({ pct: 10, message: `Removing ${remoteDir} on ${runner.name}` });
  await removeFolderOnRunner(runner, { id: runId, label: `run ${runName}` }, remoteDir, ctx.signal);
  ctx.log("info", `Removed the folder of deleted run ${runName} (${remoteDir}) on ${runner.name}.`);
  return { removed: true, runner: runner.name, dir: remoteDir };
}
