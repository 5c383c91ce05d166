// A test-only job type (registered only by tests/support/test-worker.ts) that processes N items
// with a checkpoint after each, following lib/jobs' idempotency rule: each item's row and the
// checkpoint commit in one transaction, so a crash can never make an item count twice.
// diag_items has a unique (job_id, item) key: a duplicate would fail loudly, not hide.
import { z } from "zod";
import { db } from "@/lib/db/client";
import { defineJob, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";

export const countItemsPayload = z.object({
  items: z.number().int().min(1),
  delayMs: z.number().int().min(0).default(50),
  /** Fail at this item … */
  failAt: z.number().int().optional(),
  /** … on this many attempts (default: all). */
  failTimes: z.number().int().optional(),
  failMode: z.enum(["retryable", "fatal"]).default("retryable"),
});

export async function ensureDiagTable(): Promise<void> {
  await db.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS diag_items (job_id uuid NOT NULL, item int NOT NULL, attempt int NOT NULL, PRIMARY KEY (job_id, item))`,
  );
}

export const countItemsJob = defineJob({
  type: "diagnostic",
  label: "Count items",
  payload: countItemsPayload,
  retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 2 },
  timeoutSeconds: 600,
  concurrency: 2,
  exclusiveWith: [],
  async handler(ctx) {
    const { items, delayMs, failAt, failTimes, failMode } = ctx.payload;
    await ensureDiagTable();
    const start = ctx.checkpoint.get<{ next: number }>()?.next ?? 0;
    ctx.log("info", start > 0 ? `Resuming at item ${start}.` : `Processing ${items} items.`);
    for (let item = start; item < items; item++) {
      throwIfAborted(ctx.signal);
      if (failAt === item && (failTimes === undefined || ctx.attempt <= failTimes)) {
        if (failMode === "fatal") throw new NonRetryableError(`Item ${item} is not valid input.`);
        throw new Error(`Temporary failure at item ${item}`);
      }
      await new Promise((r) => setTimeout(r, delayMs));
      await db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO diag_items (job_id, item, attempt) VALUES ($1::uuid, $2, $3)`, ctx.jobId, item, ctx.attempt);
        await ctx.checkpoint.saveIn(tx, { next: item + 1 });
      });
      await ctx.progress({ done: item + 1, total: items, message: `Item ${item + 1} of ${items}` });
    }
    return { items };
  },
});
