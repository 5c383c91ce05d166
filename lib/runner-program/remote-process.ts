// Following a detached runner process on a box: read its events file from a byte offset the
// caller persists, re-connect when the SSH link drops, notice a process that died without a
// last word, and stop its process group on cancel. Training and evaluation share it.
import path from "node:path";
import { env } from "@/lib/env";
import { lastLine } from "@/lib/jobs/error-text";
import type { Level } from "@/lib/log";
import { openRunner, type RunnerConnection, type RunnerRecord } from "@/lib/runners";
import { RunnerError } from "@/lib/runners/errors";
import { aliveCommand, signalCommand } from "./commands";
import { type ParsedChunk, parseEvents, type RunnerEvent } from "./events";

/** An error's message may run long (the runtime keeps its first line as the cause); detail is the log behind it. */
export type Terminal =
  | { type: "done"; event: Extract<RunnerEvent, { type: "done" }> }
  | { type: "error"; message: string; detail?: string }
  | { type: "stopped" };

type Context = { signal: AbortSignal; log(level: Level, message: string): void };

const READ_BYTES = 1 << 20;
/** How long a cancelled run has to save its checkpoint before SIGKILL: a minute, or three of its
 * measured optimizer steps and half a minute more when its steps are slow (the stop lands at the
 * end of the current step, then the checkpoint is written). */
const STOP_WAIT_MS = 60_000;

export function stopWaitMs(stepSeconds: number | undefined): number {
  return Math.max(STOP_WAIT_MS, stepSeconds ? Math.ceil(3 * stepSeconds * 1000 + 30_000) : 0);
}
const RECONNECT_FOR_MS = 5 * 60_000;
const STDERR_TAIL_BYTES = 4000;
/** A small read (a megabyte of events at most) or a stat that takes longer means the link is gone. */
const ANSWER_WITHIN_MS = 60_000;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** The terminal event among `events`, if any. */
export function terminalOf(events: RunnerEvent[]): Terminal | undefined {
  for (const event of events) {
    if (event.type === "done") return { type: "done", event };
    if (event.type === "error") return { type: "error", message: event.message, detail: event.traceback };
    if (event.type === "stopped") return { type: "stopped" };
  }
  return undefined;
}

export class RemoteProcess {
  conn!: RunnerConnection;
  /** The latest measured step time, for the stop's patience. */
  private stepSeconds: number | undefined;

  constructor(
    readonly ctx: Context,
    readonly runner: RunnerRecord,
    /** The run directory on the box (a new run resolves it once connected). */
    public dir: string,
    readonly files: { events: string; stderr: string },
    /** Where reading resumes: the offset the caller stored last. */
    public offset: number,
  ) {}

  async connect(): Promise<void> {
    this.conn = await openRunner(this.runner);
  }

  path(relative: string): string {
    return path.posix.join(this.dir, relative);
  }

  /**
   * Runs `op` on the connection; when the link drops, re-connects (with backoff) and tries again.
   * An op never outlives its connection: it fails the moment the connection closes, whatever
   * became of the request in flight, and, with `answerWithinMs`, when the box does not answer in
   * that time (a link that looks up but no longer carries anything); both count as a lost link.
   */
  async withLink<T>(op: (conn: RunnerConnection) => Promise<T>, options: { answerWithinMs?: number } = {}): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.conn.closed.aborted) throw new RunnerError("The SSH link was closed.", { kind: "connection_lost" });
        return await this.#whileLinked(op(this.conn), options.answerWithinMs);
      } catch (error) {
        if (this.ctx.signal.aborted) throw error;
        const linkLost = this.conn.closed.aborted || (error instanceof RunnerError && error.retryable);
        if (!linkLost || Date.now() - started > RECONNECT_FOR_MS) throw error;
        if (attempt === 0) this.ctx.log("warn", `Lost the link to ${this.runner.name}; re-connecting. The process goes on on the box.`);
        await sleep(Math.min(500 * 2 ** attempt, 15_000), this.ctx.signal);
        await this.conn.close().catch(() => {});
        try {
          await this.connect();
          this.ctx.log("info", `Re-connected to ${this.runner.name}; reading on from byte ${this.offset}.`);
        } catch {
          // The next round tries again, until RECONNECT_FOR_MS.
        }
      }
    }
  }

  /** `pending`, failed as soon as the connection closes or (given) after `answerWithinMs`. */
  #whileLinked<T>(pending: Promise<T>, answerWithinMs?: number): Promise<T> {
    const closed = this.conn.closed;
    return new Promise<T>((resolve, reject) => {
      const onClosed = () => finish(() => reject(new RunnerError(`The SSH link to ${this.runner.name} was closed.`, { kind: "connection_lost" })));
      const timer =
        answerWithinMs === undefined
          ? undefined
          : setTimeout(
              () =>
                finish(() =>
                  reject(new RunnerError(`${this.runner.name} did not answer within ${Math.round(answerWithinMs / 1000)} s.`, { kind: "connection_lost" })),
                ),
              answerWithinMs,
            );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        closed.removeEventListener("abort", onClosed);
        settle();
      };
      closed.addEventListener("abort", onClosed, { once: true });
      pending.then(
        (value) => finish(() => resolve(value)),
        (error) => finish(() => reject(error)),
      );
    });
  }

  exec(command: string, timeoutMs = 60_000) {
    return this.withLink((conn) => conn.exec(command, { timeoutMs }), { answerWithinMs: timeoutMs + ANSWER_WITHIN_MS });
  }

  async stderrTail(): Promise<string> {
    const file = this.path(this.files.stderr);
    const stat = await this.withLink((conn) => conn.stat(file), { answerWithinMs: ANSWER_WITHIN_MS }).catch(() => null);
    if (!stat) return "";
    const start = Math.max(0, stat.size - STDERR_TAIL_BYTES);
    const bytes = await this.withLink((conn) => conn.readFrom(file, start, STDERR_TAIL_BYTES), { answerWithinMs: ANSWER_WITHIN_MS }).catch(() =>
      Buffer.alloc(0),
    );
    const text = bytes.toString("utf8").trim();
    return start > 0 ? `…${text.slice(text.indexOf("\n") + 1)}` : text;
  }

  async isAlive(pid: number): Promise<boolean> {
    const { stdout } = await this.exec(aliveCommand(pid));
    return stdout.trim() === "alive";
  }

  /** New complete events after the current offset (the offset moves only via `commit`). */
  async read(): Promise<ParsedChunk> {
    const bytes = await this.withLink((conn) => conn.readFrom(this.path(this.files.events), this.offset, READ_BYTES), { answerWithinMs: ANSWER_WITHIN_MS });
    const chunk = parseEvents(bytes);
    for (const event of chunk.events) if (event.type === "metric" && event.step_seconds) this.stepSeconds = event.step_seconds;
    for (const line of chunk.skipped) this.ctx.log("warn", `Skipped a line of ${this.files.events} that is not an event: ${line}`);
    return chunk;
  }

  /**
   * Follows until the process ends, the job is cancelled or released. `record` stores a chunk's
   * events together with the offset after them (one transaction), so nothing is applied twice.
   */
  async follow(pid: number, record: (chunk: ParsedChunk, offsetAfter: number) => Promise<void>): Promise<Terminal> {
    const { TRAIN_POLL_MS, TRAIN_STALL_CHECK_S } = env();
    let quietSince = Date.now();
    const step = async () => {
      const chunk = await this.read();
      if (chunk.consumed === 0) return { read: false, terminal: undefined };
      await record(chunk, this.offset + chunk.consumed);
      this.offset += chunk.consumed;
      return { read: true, terminal: terminalOf(chunk.events) };
    };
    for (;;) {
      if (this.ctx.signal.aborted) return this.stop(pid, step);
      const { read, terminal } = await step();
      if (terminal) return terminal;
      if (read) quietSince = Date.now();
      else if (Date.now() - quietSince > TRAIN_STALL_CHECK_S * 1000) {
        if (!(await this.isAlive(pid))) {
          // It may have written its last line just before exiting.
          const last = await step();
          if (last.terminal) return last.terminal;
          const tail = await this.stderrTail();
          const cause = lastLine(tail);
          return {
            type: "error",
            message: `The process on ${this.runner.name} stopped without finishing${cause ? `: ${cause}` : "."}`,
            detail: tail ? `Last lines of its stderr:\n${tail}` : undefined,
          };
        }
        quietSince = Date.now();
      }
      await sleep(TRAIN_POLL_MS, this.ctx.signal).catch(() => {});
    }
  }

  /**
   * Cancel: SIGTERM to the process group (the runner saves a checkpoint and writes `stopped`),
   * SIGKILL after stopWaitMs. Release (worker shutting down): the process keeps running.
   */
  private async stop(pid: number, step: () => Promise<{ terminal?: Terminal }>): Promise<Terminal> {
    if (this.ctx.signal.reason !== "cancelled") throw new Error("released");
    this.ctx.log("info", "Cancelling: asking the runner to save a checkpoint and stop.");
    await this.exec(signalCommand(pid, "TERM")).catch(() => {});
    const deadline = Date.now() + stopWaitMs(this.stepSeconds);
    while (Date.now() < deadline) {
      const { terminal } = await step().catch(() => ({ terminal: undefined }));
      if (terminal || !(await this.isAlive(pid).catch(() => false))) break;
      await sleep(300);
    }
    await this.exec(signalCommand(pid, "KILL")).catch(() => {});
    // Its last lines (checkpoint, stopped) may have landed after the last read.
    await step().catch(() => undefined);
    return { type: "stopped" };
  }

  /**
   * Records what an earlier process left after the stored offset, before a new one starts in
   * the same directory, so the new process's events are never read behind an old `stopped`.
   */
  async drain(record: (chunk: ParsedChunk, offsetAfter: number) => Promise<void>): Promise<void> {
    for (;;) {
      const chunk = await this.read();
      if (chunk.consumed === 0) return;
      await record(chunk, this.offset + chunk.consumed);
      this.offset += chunk.consumed;
    }
  }
}
