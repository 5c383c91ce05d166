// The runner's events.jsonl (worker/runner/PROTOCOL.md), validated line by line. A line that is
// not a valid event is skipped with a warning rather than stopping the run: the runner is
// ours, but the box's Python may print into the file if something goes badly wrong.
import { z } from "zod";

const time = z.string();
const num = z.number().finite();
const count = z.number().int().nonnegative();

/** The box's hardware as `start` reports it; throughput figures for MFU ride along (FLOP/s; null when unknown). */
const hardwareSchema = z.looseObject({
  flops_per_token: num.positive().nullable().optional(),
  peak_flops: num.positive().nullable().optional(),
});
export type RunHardware = z.infer<typeof hardwareSchema>;

/** One split as the runner's prepare step counted it, with the base model's own tokenizer. */
export const preparedSplitSchema = z.object({
  examples: count,
  /** Training sequences: packed blocks with packing, else one per kept example. */
  sequences: count,
  tokens: count,
  truncated: count.default(0),
  dropped: count.default(0),
  longest: count.optional(),
});
export type PreparedSplit = z.infer<typeof preparedSplitSchema>;

export const runnerEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    time,
    run_id: z.string().optional(),
    total_steps: z.number().int().nonnegative().default(0),
    num_samples: z.number().int().nonnegative().optional(),
    num_train: z.number().int().nonnegative().optional(),
    num_eval: z.number().int().nonnegative().optional(),
    resumed_from_step: z.number().int().nullable().optional(),
    hardware: hardwareSchema.optional(),
  }),
  z.object({ type: z.literal("prepared"), time, split: z.enum(["train", "eval"]), ...preparedSplitSchema.shape }),
  z.object({ type: z.literal("log"), time, level: z.enum(["info", "warn"]).default("info"), message: z.string() }),
  z.object({
    type: z.literal("metric"),
    time,
    step: z.number().int().nonnegative(),
    epoch: num.nullable().optional(),
    loss: num.nullable().optional(),
    learning_rate: num.nullable().optional(),
    grad_norm: num.nullable().optional(),
    tokens_per_second: num.nullable().optional(),
    gpu_memory_mb: num.nullable().optional(),
    /** Model FLOPs utilisation, a fraction of the GPU's peak. */
    mfu: num.nonnegative().nullable().optional(),
    /** Mean wall seconds of an optimizer step since the previous metric. */
    step_seconds: num.nonnegative().nullable().optional(),
  }),
  // In an evaluation (not a training), step and epoch are null, and the losses too without eval data.
  z.object({
    type: z.literal("eval"),
    time,
    step: z.number().int().nonnegative().nullable().optional(),
    epoch: num.nullable().optional(),
    eval_loss: num.nullable(),
    perplexity: num.nullable().optional(),
  }),
  z.object({ type: z.literal("checkpoint"), time, step: z.number().int().nonnegative(), path: z.string() }),
  z.object({ type: z.literal("stopped"), time, step: z.number().int().nonnegative().optional(), checkpoint: z.string().nullable().optional() }),
  z.object({
    type: z.literal("done"),
    time,
    step: z.number().int().nonnegative().optional(),
    metrics: z.record(z.string(), z.unknown()).default({}),
    artifacts: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).default([]),
  }),
  z.object({ type: z.literal("error"), time, message: z.string(), kind: z.string().default("runtime"), traceback: z.string().optional() }),
  z.object({
    type: z.literal("sample"),
    time,
    index: z.number().int().nonnegative(),
    prompt: z.string(),
    reference: z.string(),
    base_output: z.string().nullable().optional(),
    tuned_output: z.string().nullable().optional(),
  }),
]);
export type RunnerEvent = z.infer<typeof runnerEventSchema>;

export type ParsedChunk = { events: RunnerEvent[]; consumed: number; skipped: string[] };

/**
 * The complete lines of `bytes` as events. `consumed` counts the bytes up to the last newline:
 * a line the runner is still writing stays for the next read.
 */
export function parseEvents(bytes: Buffer): ParsedChunk {
  const end = bytes.lastIndexOf(0x0a);
  if (end < 0) return { events: [], consumed: 0, skipped: [] };
  const events: RunnerEvent[] = [];
  const skipped: string[] = [];
  for (const line of bytes.subarray(0, end).toString("utf8").split("\n")) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped.push(line.slice(0, 200));
      continue;
    }
    const parsed = runnerEventSchema.safeParse(json);
    if (parsed.success) events.push(parsed.data);
    else skipped.push(line.slice(0, 200));
  }
  return { events, consumed: end + 1, skipped };
}

/** The metric rows one event adds to a run's curves. */
export function metricRows(event: RunnerEvent): Array<{ step: number; epoch: number | null; name: string; value: number }> {
  const rows: Array<{ step: number; epoch: number | null; name: string; value: number }> = [];
  const add = (name: string, value: number | null | undefined, step: number, epoch: number | null | undefined) => {
    if (typeof value === "number" && Number.isFinite(value)) rows.push({ step, epoch: epoch ?? null, name, value });
  };
  if (event.type === "metric") {
    add("train_loss", event.loss, event.step, event.epoch);
    add("learning_rate", event.learning_rate, event.step, event.epoch);
    add("grad_norm", event.grad_norm, event.step, event.epoch);
    add("tokens_per_second", event.tokens_per_second, event.step, event.epoch);
    add("gpu_memory_mb", event.gpu_memory_mb, event.step, event.epoch);
    add("mfu", event.mfu, event.step, event.epoch);
  } else if (event.type === "eval" && typeof event.step === "number") {
    add("eval_loss", event.eval_loss, event.step, event.epoch);
    add("perplexity", event.perplexity, event.step, event.epoch);
  }
  return rows;
}
