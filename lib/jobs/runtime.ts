// Runs one delivery of a job in the worker: the Job row's lifecycle (queued → running →
// success | failed | cancelled, retrying between attempts), heartbeats and the cancel flag,
// throttled progress with rate and ETA, logs, checkpoints, and the retry decision.
import { setMaxListeners } from "node:events";
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { db, type Tx } from "@/lib/db/client";
import { getPool } from "@/lib/db/pool";
import { AppError } from "@/lib/errors";
import { type Level, logUnexpected, writeLog } from "@/lib/log";
import { refreshProjectStatus } from "@/lib/projects/status";
import { getSender } from "./boss";
import { JobAbortedError, type JobContext, type JobDefinition, NonRetryableError, type ProgressUpdate } from "./definition";
import { requeueFirst } from "./enqueue";
import { type ErrorText, splitErrorText } from "./error-text";
import { runWithSpend, spendColumns, spendFrom } from "./spend";

export type Delivery = { id: string; signal: AbortSignal; retryCount: number };
export type Outcome = "success" | "failed" | "cancelled" | "retry" | "released" | "skipped";

/** How often a running job writes its heartbeat and reads its cancel flag. */
export const JOB_HEARTBEAT_MS = 1500;
const PROGRESS_WRITE_MS = 500;

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue;

class ProgressTracker {
  private last = { done: 0, at: Date.now() };
  private rate: number | null = null;
  private state: { pct: number | null; message: string | null; done: number; total: number | null; summary?: Record<string, unknown> } = {
    pct: null,
    message: null,
    done: 0,
    total: null,
  };
  private lastWrite = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly jobId: string) {}

  update(u: ProgressUpdate): Promise<void> {
    const now = Date.now();
    if (u.total !== undefined) this.state.total = u.total;
    if (u.message !== undefined) this.state.message = u.message;
    if (u.summary !== undefined) this.state.summary = u.summary;
    if (u.done !== undefined) {
      const elapsed = (now - this.last.at) / 1000;
      if (u.done < this.last.done) this.last = { done: u.done, at: now };
      else if (elapsed >= 1) {
        const instant = (u.done - this.last.done) / elapsed;
        this.rate = this.rate === null ? instant : 0.3 * instant + 0.7 * this.rate;
        this.last = { done: u.done, at: now };
      }
      this.state.done = u.done;
    }
    const { done, total } = this.state;
    this.state.pct = u.pct ?? (total ? Math.min(99, Math.floor((done / total) * 100)) : this.state.pct);
    if (now - this.lastWrite >= PROGRESS_WRITE_MS) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), PROGRESS_WRITE_MS - (now - this.lastWrite));
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWrite = Date.now();
    const { pct, message, done, total, summary } = this.state;
    const eta = this.rate && this.rate > 0 && total !== null ? Math.max(0, Math.round((total - done) / this.rate)) : null;
    await db.job
      .update({
        where: { id: this.jobId },
        data: {
          progressPct: pct ?? undefined,
          progressMessage: message ?? undefined,
          itemsDone: done,
          itemsTotal: total,
          itemsPerSecond: this.rate,
          etaSeconds: eta,
          heartbeatAt: new Date(),
          resultSummary: summary ? toJson(summary) : undefined,
        },
      })
      .catch(() => {});
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * What a user sees for a failure: a one-line cause (ours are written for them; anything else
 * gets an error id) and, apart, the log behind it.
 */
function userError(error: unknown, source: string, links: { jobId: string; projectId: string }): ErrorText {
  if (error instanceof NonRetryableError) return splitErrorText(error.message, error.detail);
  if (error instanceof AppError) return splitErrorText(error.message);
  if (error instanceof z.ZodError) return { message: `The job's input is not valid: ${error.issues[0]?.message ?? "unknown problem"}.`, detail: null };
  const errorId = logUnexpected(source, error, links);
  const first = error instanceof Error ? error.message.split("\n")[0].slice(0, 200) : String(error);
  return { message: `${first} (error id ${errorId})`, detail: null };
}

function isNonRetryable(error: unknown): boolean {
  return error instanceof NonRetryableError || error instanceof z.ZodError || (error instanceof AppError && error.code !== "unavailable");
}

type ClaimedJob = {
  id: string;
  projectId: string;
  workspaceId: string;
  attempts: number;
  checkpoint: Prisma.JsonValue | null;
  payload: Prisma.JsonValue;
  retryCount: number | null;
  maxRetries: number | null;
  llmTokensIn: number;
  llmTokensOut: number;
  llmCostUsd: number | null;
};

/**
 * Claims the Job row for this delivery and reads it in ONE statement: it becomes running only if
 * it is not settled, not superseded by a retry (another queue job id), and not cancelled, all
 * checked by the same row lock that writes "running" (a cancel cannot slip in between a read and
 * the write). No row back: the rare cases, read and told apart below. Prepared: planned once per
 * connection.
 */
async function claim(jobId: string, deliveryId: string, workerId: string): Promise<ClaimedJob | Outcome> {
  const { rows } = await getPool().query({
    name: "ftf-claim-job",
    text: `UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, now()), attempts = attempts + 1, heartbeat_at = now(),
       worker_id = $3, eta_seconds = NULL, items_per_second = NULL,
       progress_message = CASE WHEN attempts > 0 THEN 'Resuming (attempt ' || (attempts + 1) || ')' ELSE 'Starting' END
     WHERE id = $1::uuid AND status NOT IN ('success', 'failed', 'cancelled') AND (COALESCE(queue_job_id, '') = '' OR queue_job_id = $2)
       AND NOT cancel_requested
     RETURNING id, project_id AS "projectId", (SELECT p.workspace_id FROM projects p WHERE p.id = jobs.project_id) AS "workspaceId",
       attempts, checkpoint, payload, retry_count AS "retryCount", max_retries AS "maxRetries",
       llm_tokens_in AS "llmTokensIn", llm_tokens_out AS "llmTokensOut", llm_cost_usd AS "llmCostUsd"`,
    values: [jobId, deliveryId, workerId],
  });
  if (rows.length === 1) return rows[0] as ClaimedJob;
  const job = await db.job.findUnique({ where: { id: jobId } });
  // Deleted with its project, settled already (a duplicate delivery), or superseded by a retry.
  if (!job || job.status === "success" || job.status === "failed" || job.status === "cancelled") return "skipped";
  if (job.queueJobId && job.queueJobId !== deliveryId) return "skipped";
  if (job.cancelRequested) {
    const { count } = await db.job.updateMany({
      where: { id: job.id, status: { notIn: ["success", "failed", "cancelled"] } },
      data: { status: "cancelled", finishedAt: new Date(), progressMessage: "Cancelled before it started." },
    });
    await refreshProjectStatus(job.projectId);
    return count === 1 ? "cancelled" : "skipped";
  }
  // Changed between the two statements (e.g. a retry that was undone): pg-boss delivers again.
  throw new Error(`Job ${jobId} could not be claimed; it is delivered again.`);
}

export async function runJob(definition: JobDefinition<unknown>, delivery: Delivery, jobId: string, workerId: string): Promise<Outcome> {
  const claimed = await claim(jobId, delivery.id, workerId);
  if (typeof claimed === "string") return claimed;
  const job = claimed;
  const attempt = job.attempts;
  const links = { jobId: job.id, projectId: job.projectId, workspaceId: job.workspaceId };
  const source = `job:${definition.type}`;
  const log = (level: Level, message: string, context: Record<string, unknown> = {}) => writeLog(level, source, message, { ...context, ...links });

  // The start log and the project's status run once the handler has started (their queries
  // cost CPU and round trips); the status is awaited before the job settles.
  const startStatus = new Promise((resolve) => setImmediate(resolve))
    .then(() => {
      log("info", attempt > 1 ? `Attempt ${attempt} started on ${workerId}.` : `Started on ${workerId}.`);
      return refreshProjectStatus(job.projectId, definition.projectStatus);
    })
    .catch(() => undefined);

  const controller = new AbortController();
  // Handlers with many calls in flight each listen to this signal.
  setMaxListeners(10_000, controller.signal);
  const onDeliveryAbort = () => controller.abort("released");
  delivery.signal.addEventListener("abort", onDeliveryAbort, { once: true });
  // LLM spend, earlier attempts included: written with the heartbeat when it changed, and when the job settles.
  const spend = spendFrom(job);
  const spent = () => {
    const dirty = spend.dirty;
    spend.dirty = false;
    return dirty ? spendColumns(spend) : {};
  };
  // Set when the Job row is gone (its project was deleted under it): the job stops as if
  // cancelled (a trainer on its box is stopped) and writes nothing more.
  let rowGone = false;
  const heartbeat = setInterval(async () => {
    const counts = spent();
    try {
      const row = await db.job.update({ where: { id: job.id }, data: { heartbeatAt: new Date(), ...counts }, select: { cancelRequested: true } });
      if (row.cancelRequested && !controller.signal.aborted) controller.abort("cancelled");
    } catch (error) {
      if ((error as { code?: string }).code === "P2025") {
        rowGone = true;
        if (!controller.signal.aborted) controller.abort("cancelled");
        return;
      }
      // A missed heartbeat (database restarting) is retried on the next tick, with the counts.
      if (Object.keys(counts).length) spend.dirty = true;
    }
  }, JOB_HEARTBEAT_MS);
  const progress = new ProgressTracker(job.id);
  let checkpoint: Prisma.InputJsonValue | undefined = (job.checkpoint as Prisma.InputJsonValue | null) ?? undefined;

  const ctx: JobContext<unknown> = {
    jobId: job.id,
    projectId: job.projectId,
    workerId,
    payload: undefined,
    attempt,
    signal: controller.signal,
    progress: (update) => progress.update(update),
    log,
    checkpoint: {
      get: <T>() => checkpoint as T | undefined,
      save: async (value) => {
        checkpoint = toJson(value);
        await db.job.update({ where: { id: job.id }, data: { checkpoint } });
      },
      saveIn: async (tx: Tx, value) => {
        checkpoint = toJson(value);
        await tx.job.update({ where: { id: job.id }, data: { checkpoint } });
      },
    },
  };

  const settle = async (data: Prisma.JobUpdateInput, outcome: Outcome) => {
    await startStatus;
    await progress.flush();
    if ((outcome === "failed" || outcome === "cancelled") && definition.onGiveUp && ctx.payload !== undefined) {
      const failure = { message: String(data.errorMessage ?? "Cancelled"), detail: typeof data.errorDetail === "string" ? data.errorDetail : null };
      await definition.onGiveUp(ctx.payload, outcome, failure).catch((error) => log("warn", `Could not tidy up after the job: ${(error as Error).message}`));
    }
    if (rowGone) return outcome;
    await db.job.update({ where: { id: job.id }, data: { ...data, ...spendColumns(spend) } });
    await refreshProjectStatus(job.projectId);
    return outcome;
  };

  try {
    ctx.payload = definition.payload.parse(job.payload);
    const summary = await runWithSpend(spend, () => definition.handler(ctx));
    if (controller.signal.aborted) throw new JobAbortedError(controller.signal.reason === "cancelled" ? "cancelled" : "released");
    log("info", "Finished.");
    return await settle(
      {
        status: "success",
        finishedAt: new Date(),
        progressPct: 100,
        progressMessage: "Done",
        etaSeconds: 0,
        errorMessage: null,
        errorDetail: null,
        resultSummary: toJson(summary ?? {}),
      },
      "success",
    );
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error instanceof JobAbortedError ? error.reason : undefined;
    if (reason === "cancelled") {
      log("info", "Cancelled; what was made so far is kept.");
      return await settle({ status: "cancelled", finishedAt: new Date(), progressMessage: "Cancelled", etaSeconds: null }, "cancelled");
    }
    if (reason === "released") {
      log("warn", "Released by this worker (shutting down or lost its claim); it resumes first, from its checkpoint.");
      await settle({ status: "retrying", progressMessage: "Waiting for a worker; resumes from its checkpoint", etaSeconds: null }, "released");
      // Back at the head of its queue; if that fails, pg-boss's retry of this delivery brings it back.
      const requeued = await requeueFirst(await getSender(), job.id, definition).catch((requeueError: unknown) => {
        log("warn", `Could not put the job back at the head of the queue: ${(requeueError as Error).message}`);
        return false;
      });
      if (requeued) return "released";
      throw error instanceof Error ? error : new Error("released");
    }
    const { message, detail } = userError(error, source, links);
    const retries = job.retryCount ?? 0;
    if (isNonRetryable(error) || retries >= (job.maxRetries ?? 0)) {
      log("error", `Failed: ${message}`, detail ? { excInfo: detail } : {});
      return await settle(
        { status: "failed", finishedAt: new Date(), errorMessage: message, errorDetail: detail, progressMessage: "Failed", etaSeconds: null },
        "failed",
      );
    }
    log("warn", `Attempt failed (${retries + 1} of ${(job.maxRetries ?? 0) + 1}): ${message}. Retrying with backoff.`, detail ? { excInfo: detail } : {});
    await settle(
      { status: "retrying", retryCount: retries + 1, errorMessage: message, errorDetail: detail, progressMessage: "Retrying after an error", etaSeconds: null },
      "retry",
    );
    throw error instanceof Error ? error : new Error(String(error));
  } finally {
    clearInterval(heartbeat);
    progress.stop();
    delivery.signal.removeEventListener("abort", onDeliveryAbort);
  }
}
