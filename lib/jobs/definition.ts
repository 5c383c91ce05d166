// What a job type is: its payload schema, retry policy, timeout, concurrency and handler.
//
// THE IDEMPOTENCY RULE. pg-boss delivers at least once, and a worker can die at any moment, so
// every handler must be safe to run again from the top:
//   - write results as upserts keyed by natural keys (e.g. chunk id + example index), never as
//     blind inserts, so a second delivery cannot duplicate rows;
//   - save progress with ctx.checkpoint.save() in the same transaction as the work it describes
//     (ctx.checkpoint.saveIn(tx, …)), so a resumed attempt starts exactly where the last committed
//     one stopped;
//   - check ctx.signal between units of work and stop promptly when it fires (cancel, shutdown);
//     what was committed stays.
// tests/support/jobs.ts holds a job that proves the rule under repeated SIGKILLs.
import type { JobType } from "@prisma/client";
import type { z } from "zod";
import type { Tx } from "@/lib/db/client";
import type { Level } from "@/lib/log";

export type RetryPolicy = {
  /** Retries after an error (crash recoveries do not count). */
  limit: number;
  /** First delay; doubles with each retry (with jitter), up to maxDelaySeconds. */
  delaySeconds: number;
  maxDelaySeconds: number;
};

export type ProgressUpdate = {
  done?: number;
  total?: number;
  message?: string;
  pct?: number;
  /** Running figures shown with the job (examples, tokens, cost …); replaced at each update. */
  summary?: Record<string, unknown>;
};

export type JobContext<P> = {
  jobId: string;
  projectId: string;
  /** The worker running this delivery. */
  workerId: string;
  payload: P;
  /** 1 for the first run, higher after errors or crashes. */
  attempt: number;
  /** Fires on cancel (reason "cancelled") and when this worker lets go of the job (reason "released"). */
  signal: AbortSignal;
  progress(update: ProgressUpdate): Promise<void>;
  log(level: Level, message: string, context?: Record<string, unknown>): void;
  checkpoint: {
    get<T>(): T | undefined;
    /** Saves the checkpoint on its own. */
    save(value: unknown): Promise<void>;
    /** Saves the checkpoint inside the caller's transaction, with the work it describes. */
    saveIn(tx: Tx, value: unknown): Promise<void>;
  };
};

export type JobFailure = { message: string; detail: string | null };

/** P: the payload the handler gets; I: what callers pass (before zod fills defaults). */
export type JobDefinition<P = unknown, I = P> = {
  type: JobType;
  /** Shown in the UI. */
  label: string;
  payload: z.ZodType<P, I>;
  retry: RetryPolicy;
  timeoutSeconds: number;
  /** Jobs of this type that one worker runs at once (WORKER_CONCURRENCY overrides). */
  concurrency: number;
  /**
   * Fair across workspaces: at most WORKSPACE_JOBS_AT_ONCE jobs of this type run at once per
   * workspace, on all workers together; meanwhile other workspaces' jobs go ahead of its others.
   */
  perWorkspace?: boolean;
  /** At most one active job of these types per project (e.g. one generation at a time). */
  exclusiveWith?: JobType[];
  /** Sets the project's status while the job runs. */
  projectStatus?: "chunking" | "generating" | "training" | "evaluating";
  handler(ctx: JobContext<P>): Promise<Record<string, unknown> | void>;
  /**
   * Runs once when the job ends failed or cancelled, to leave what it works on in a clear state.
   * `failure.message` is the one-line cause; `failure.detail` the log behind it, if any.
   */
  onGiveUp?(payload: P, outcome: "failed" | "cancelled", failure: JobFailure): Promise<void>;
};

export function defineJob<P, I>(definition: JobDefinition<P, I>): JobDefinition<P, I> {
  return definition;
}

/**
 * A failure that retrying cannot fix (bad input, a missing file): the job fails at once.
 * `message` is the one-line cause a person reads; `detail` (a log, a traceback tail) is kept
 * for those who open it, never shown in place of the cause.
 */
export class NonRetryableError extends Error {
  readonly detail?: string;
  constructor(message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = "NonRetryableError";
    this.detail = options?.detail;
  }
}

/** Thrown by handlers (or ctx helpers) when ctx.signal fired. */
export class JobAbortedError extends Error {
  constructor(readonly reason: "cancelled" | "released") {
    super(reason === "cancelled" ? "The job was cancelled." : "The worker let go of the job.");
    this.name = "JobAbortedError";
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobAbortedError(signal.reason === "cancelled" ? "cancelled" : "released");
}
