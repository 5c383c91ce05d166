// The full generation run. Each chunk is a GenerationTask; a bounded pool of calls works
// through the pending ones in order. Finished chunks are written in small batches: their
// examples and their tasks' "done" commit in one transaction, keyed "gen:<job>:<chunk>:<n>", so
// a cancel, a crash or a retry continues with the chunks not yet done and never duplicates an
// example (a chunk in flight when the worker died is asked again; nothing else is). A chunk
// whose call fails after the provider client's retries is recorded as failed and the run goes
// on. The run stops once the project holds num_examples_target valid examples.
import type { Prisma } from "@prisma/client";
import { flagDuplicates } from "@/lib/datasets/dedup";
import { refreshNearDuplicates } from "@/lib/datasets/near-dup-db";
import { evalChunks } from "@/lib/datasets/split";
import { db } from "@/lib/db/client";
import { withPgTransaction } from "@/lib/db/pool";
import { JobAbortedError, type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { estimateCost, LlmError } from "@/lib/llm";
import { CallBudget, PRIORITY } from "@/lib/llm/budget";
import { readProjectConfig } from "@/lib/projects/config";
import { askChunk } from "./ask-chunk";
import { type GenerationContext, loadGenerationContext } from "./context";
import { answerRows, type ExampleRow } from "./examples";
import { planTopics, TOPIC_TAG, type TopicPlan, withCounts } from "./topics";

/** Tasks read ahead of the calls. */
const PAGE = 500;
/** Finished chunks are committed together at least this often. */
const FLUSH_MS = 100;
export const FLUSH_SIZE = 64;

type Task = {
  id: bigint;
  position: number;
  chunk: { id: string; content: string; chunkIndex: number; sourceFileId: string; metadata: Prisma.JsonValue } | null;
};
type Totals = { examples: number; valid: number; tokensIn: number; tokensOut: number; failedChunks: number; reasked: number };
type Usage = { tokensIn: number; tokensOut: number; attempts: number; reasks: number };
type Outcome =
  | ({ task: Task; kind: "done"; rows: ExampleRow[] } & Usage)
  | ({ task: Task; kind: "failed"; error: string } & Usage)
  | { task: Task; kind: "skipped"; error: string };

const NO_USAGE: Usage = { tokensIn: 0, tokensOut: 0, attempts: 1, reasks: 0 };

async function createTasks(jobId: string, projectId: string): Promise<void> {
  // Idempotent: a resumed job finds its tasks already there.
  await db.$executeRaw`
    INSERT INTO generation_tasks (job_id, project_id, chunk_id, position, updated_at)
    SELECT ${jobId}::uuid, ${projectId}::uuid, c.id, (row_number() OVER (ORDER BY f.created_at, c.source_file_id, c.chunk_index))::int, now()
    FROM chunks c JOIN files f ON f.id = c.source_file_id
    WHERE c.project_id = ${projectId}::uuid AND f.status = 'ready'
    ON CONFLICT (job_id, position) DO NOTHING`;
}

async function validTotal(projectId: string): Promise<number> {
  return db.datasetExample.count({ where: { projectId, isValid: true, isDuplicate: false, split: { in: ["train", "eval"] } } });
}

async function totalsSoFar(jobId: string): Promise<Totals> {
  const [row] = await db.$queryRaw<Array<{ examples: bigint; tokens_in: bigint; tokens_out: bigint; failed: bigint; reasked: bigint }>>`
    SELECT coalesce(sum(examples), 0) AS examples, coalesce(sum(tokens_in), 0) AS tokens_in, coalesce(sum(tokens_out), 0) AS tokens_out,
           count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE reasks > 0) AS reasked
    FROM generation_tasks WHERE job_id = ${jobId}::uuid`;
  const valid = await db.datasetExample.count({ where: { jobId, isValid: true } });
  return {
    examples: Number(row.examples),
    valid,
    tokensIn: Number(row.tokens_in),
    tokensOut: Number(row.tokens_out),
    failedChunks: Number(row.failed),
    reasked: Number(row.reasked),
  };
}

/** Asks the LLM about one chunk; never throws for the chunk's own failure (that is an outcome). */

async function generateForTask(ctx: JobContext<unknown>, gen: GenerationContext, task: Task, evalSet: Set<string>, plan: TopicPlan | null): Promise<Outcome> {
  const chunk = task.chunk;
  if (!chunk) return { task, kind: "skipped", error: "The chunk was deleted." };
  try {
    const { asked, prompt } = await askChunk(gen, chunk, gen.config.examples_per_chunk, {
      plan: plan ?? undefined,
      signal: ctx.signal,
      onRetry: (message) => ctx.log("warn", `Chunk ${chunk.chunkIndex + 1} of source ${chunk.sourceFileId.slice(0, 8)}: ${message}`),
    });
    const usage: Usage = { tokensIn: asked.tokensIn, tokensOut: asked.tokensOut, attempts: asked.attempts, reasks: asked.reasks };
    if (!asked.ok) return { task, kind: "failed", error: asked.error.slice(0, 2000), ...usage };
    const rows = answerRows(gen, asked.text, {
      text: chunk.content,
      prompt,
      maxExamples: gen.config.examples_per_chunk,
      split: evalSet.has(chunk.id) ? "eval" : "train",
      topics: plan?.topics,
    });
    return { task, kind: "done", rows, ...usage };
  } catch (error) {
    if (ctx.signal.aborted) throw new JobAbortedError(ctx.signal.reason === "cancelled" ? "cancelled" : "released");
    // The provider refuses the key or the model: every chunk would fail the same way.
    if (error instanceof LlmError && !error.retryable) throw new NonRetryableError(error.message);
    return { task, kind: "failed", error: (error instanceof Error ? error.message : String(error)).slice(0, 2000), ...NO_USAGE };
  }
}

/** Commits finished chunks in batches: their examples and their tasks' status in one transaction. */
class OutcomeWriter {
  private pending: Outcome[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly ctx: JobContext<unknown>,
    private readonly gen: GenerationContext,
  ) {}

  add(outcome: Outcome): void {
    this.pending.push(outcome);
    if (this.pending.length >= FLUSH_SIZE) this.flushInBackground();
    else this.timer ??= setTimeout(() => this.flushInBackground(), FLUSH_MS);
  }

  /** A background write's failure (the database went away) is kept and thrown by the final
   * flush, which fails the attempt so the job is retried; it must not escape as an unhandled
   * rejection, which would end the worker process. */
  private flushInBackground(): void {
    this.flush().catch(() => {});
  }

  /** Writes what is pending; rethrows a failed write so the job retries (nothing half-written). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing
      .then(() => (batch.length ? this.write(batch) : undefined))
      .catch((error) => {
        this.failure ??= error;
      });
    return this.flushing.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  private async write(batch: Outcome[]): Promise<void> {
    const { ctx, gen } = this;
    const examples: Array<Record<string, unknown>> = [];
    const done = batch.filter((o): o is Extract<Outcome, { kind: "done" }> => o.kind === "done");
    for (const o of done) {
      const chunk = o.task.chunk!;
      const provenance = {
        source: "generation",
        promptVersion: gen.promptVersion,
        provider: gen.provider.name,
        model: gen.model,
        tokensIn: o.tokensIn,
        tokensOut: o.tokensOut,
      };
      for (const [i, row] of o.rows.entries()) {
        examples.push({
          source_chunk_id: chunk.id,
          source_file_id: chunk.sourceFileId,
          split: row.split,
          data: row.data,
          is_valid: row.isValid,
          validation_error: row.validationError ?? null,
          grounding: row.grounding ?? null,
          token_count: row.tokenCount ?? 0,
          content_hash: row.contentHash ?? null,
          search_text: row.searchText ?? null,
          natural_key: `gen:${ctx.jobId}:${chunk.id}:${i}`,
          provenance: row.reasoning ? { ...provenance, reasoning: row.reasoning } : provenance,
          tags: row.tags ?? [],
        });
      }
    }
    const failed = batch.filter((o): o is Extract<Outcome, { kind: "failed" }> => o.kind === "failed");
    const skipped = batch.filter((o): o is Extract<Outcome, { kind: "skipped" }> => o.kind === "skipped");
    // Plain SQL with the rows as one JSON parameter: at dozens of chunks a second, building
    // this through the ORM cost more CPU than the calls themselves.
    await withPgTransaction(async (exec) => {
      if (examples.length) {
        await exec(
          `INSERT INTO dataset_examples (id, project_id, job_id, source_chunk_id, source_file_id, split, data, is_valid, validation_error,
             grounding, token_count, content_hash, search_text, natural_key, provenance, tags, updated_at)
           SELECT gen_random_uuid(), $1::uuid, $2::uuid, r.source_chunk_id, r.source_file_id, r.split::dataset_split, r.data, r.is_valid,
             r.validation_error, r.grounding, r.token_count, r.content_hash, r.search_text, r.natural_key, r.provenance,
             ARRAY(SELECT jsonb_array_elements_text(coalesce(r.tags, '[]'::jsonb))), now()
           FROM jsonb_to_recordset($3::jsonb) AS r(source_chunk_id uuid, source_file_id uuid, split text, data jsonb, is_valid boolean,
             validation_error text, grounding real, token_count int, content_hash text, search_text text, natural_key text, provenance jsonb, tags jsonb)
           ON CONFLICT (project_id, natural_key) DO NOTHING`,
          [gen.projectId, ctx.jobId, JSON.stringify(examples)],
        );
      }
      // Done and failed chunks both record what their calls cost and how often they were re-asked.
      const asked = [
        ...done.map((o) => ({ o, status: "done", error: null, examples: o.rows.length })),
        ...failed.map((o) => ({ o, status: "failed", error: o.error, examples: 0 })),
      ];
      if (asked.length) {
        await exec(
          `UPDATE generation_tasks t SET status = v.status::generation_task_status, error = v.error, examples = v.examples, tokens_in = v.tokens_in,
             tokens_out = v.tokens_out, attempts = t.attempts + v.attempts, reasks = t.reasks + v.reasks, updated_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
             AS v(id, status, error, examples, tokens_in, tokens_out, attempts, reasks)
           WHERE t.id = v.id`,
          [
            asked.map((a) => a.o.task.id.toString()),
            asked.map((a) => a.status),
            asked.map((a) => a.error),
            asked.map((a) => a.examples),
            asked.map((a) => a.o.tokensIn),
            asked.map((a) => a.o.tokensOut),
            asked.map((a) => a.o.attempts),
            asked.map((a) => a.o.reasks),
          ],
        );
      }
      if (skipped.length) {
        await exec(
          `UPDATE generation_tasks t SET status = 'skipped', error = v.error, updated_at = now()
           FROM unnest($1::bigint[], $2::text[]) AS v(id, error)
           WHERE t.id = v.id`,
          [skipped.map((o) => o.task.id.toString()), skipped.map((o) => o.error)],
        );
      }
    });
  }
}

function describeTotals(totals: Totals, gen: GenerationContext) {
  const cost = estimateCost({ tokensIn: totals.tokensIn, tokensOut: totals.tokensOut }, gen.prices);
  return {
    summary: {
      examples: totals.examples,
      valid_examples: totals.valid,
      tokens_in: totals.tokensIn,
      tokens_out: totals.tokensOut,
      failed_chunks: totals.failedChunks,
      reasked_chunks: totals.reasked,
      ...(cost !== null ? { cost_usd: Number(cost.toFixed(4)) } : {}),
      model: gen.model,
    },
    message:
      `${totals.examples.toLocaleString()} examples · ${Math.round(totals.tokensIn / 1000)}k tokens in / ${Math.round(totals.tokensOut / 1000)}k out` +
      (cost !== null ? ` · $${cost.toFixed(2)}` : "") +
      (totals.reasked ? ` · ${totals.reasked} re-asked` : "") +
      (totals.failedChunks ? ` · ${totals.failedChunks} chunk${totals.failedChunks === 1 ? "" : "s"} failed` : ""),
  };
}

export async function runGeneration(ctx: JobContext<unknown>): Promise<Record<string, unknown>> {
  const gen = await loadGenerationContext(ctx.projectId);
  await createTasks(ctx.jobId, ctx.projectId);
  // Tasks a crashed attempt left "running" are pending again: their examples were never committed.
  await db.generationTask.updateMany({ where: { jobId: ctx.jobId, status: "running" }, data: { status: "pending" } });
  const totalTasks = await db.generationTask.count({ where: { jobId: ctx.jobId } });
  // Which chunks' examples go to eval: the same on every attempt (lib/datasets/split).
  const taskChunks = await db.chunk.findMany({ where: { generationTasks: { some: { jobId: ctx.jobId } } }, select: { id: true, sourceFileId: true } });
  const evalSet = evalChunks(taskChunks, ctx.projectId, gen.config.train_eval_split);

  // The topic plan: made once per job and kept in its checkpoint, so a resumed
  // attempt asks with the same topics; the counts start from the project's examples so far.
  let plan: TopicPlan | null = null;
  if (gen.settings.topic_plan) {
    let topics = ctx.checkpoint.get<{ topics?: string[] }>()?.topics;
    if (!topics) {
      await ctx.progress({ message: "Planning topics across the chunks" });
      const planned = await planTopics(gen, ctx.signal);
      topics = planned.topics;
      await ctx.checkpoint.save({ ...(ctx.checkpoint.get<object>() ?? {}), topics });
      ctx.log("info", topics.length ? `Topic plan: ${topics.join("; ")}.` : "The model proposed no topics; generating without a plan.");
    }
    if (topics.length) plan = await withCounts(ctx.projectId, topics);
  }
  if (totalTasks === 0) throw new NonRetryableError("There are no chunks to generate from. Add sources and let them finish chunking first.");
  const target = readProjectConfig((await db.project.findUniqueOrThrow({ where: { id: ctx.projectId } })).config).num_examples_target;
  const totals = await totalsSoFar(ctx.jobId);
  const concurrency = Math.max(1, gen.options.concurrency);
  ctx.log(
    "info",
    `Generating with ${gen.provider.name} / ${gen.model} (up to ${concurrency} at once, shared fairly with other jobs on this endpoint; prompt ${gen.promptVersion}); target ${target} valid examples.`,
  );

  // Valid examples in the project now, plus those this attempt adds (duplicates are flagged at
  // the end, so the target may be passed by the chunks in flight when it is reached).
  const before = await validTotal(ctx.projectId);
  let added = 0;
  let reachedTarget = before >= target;
  let done = await db.generationTask.count({ where: { jobId: ctx.jobId, status: { in: ["done", "failed", "skipped"] } } });
  const writer = new OutcomeWriter(ctx, gen);

  let queue: Task[] = [];
  let cursor = 0;
  let exhausted = false;
  let refilling: Promise<void> | null = null;
  const refill = () =>
    (refilling ??= (async () => {
      const page = await db.generationTask.findMany({
        where: { jobId: ctx.jobId, status: "pending", position: { gt: cursor } },
        orderBy: { position: "asc" },
        take: PAGE,
        select: { id: true, position: true, chunk: { select: { id: true, content: true, chunkIndex: true, sourceFileId: true, metadata: true } } },
      });
      if (page.length < PAGE) exhausted = true;
      if (page.length) cursor = page[page.length - 1].position;
      queue = queue.concat(page);
    })().finally(() => (refilling = null)));

  const next = async (): Promise<Task | undefined> => {
    while (queue.length === 0 && !exhausted) await refill();
    // Read ahead so that calls never wait for a page.
    if (queue.length < concurrency && !exhausted) void refill();
    return queue.shift();
  };

  // The endpoint's calls are shared with every job using it (lib/llm/budget): each call waits
  // for this job's fair share. Chunks left (those in flight included) are what it could use.
  const budget = await CallBudget.join({
    jobId: ctx.jobId,
    workspaceId: gen.workspaceId,
    workerId: ctx.workerId,
    provider: gen.provider,
    callLimit: concurrency,
    priority: PRIORITY.generation,
    wanted: () => (reachedTarget ? 0 : totalTasks - done),
    signal: ctx.signal,
  });

  // Each worker takes its chunk first, then waits for a call: one without a chunk is done, and
  // one holding a chunk counts in `wanted`, so the budget never leaves it waiting for a call that
  // no fair share will give (once every chunk is done, the job's part is 0). A chunk taken but
  // not asked (cancelled, or the target was reached meanwhile) stays pending.
  const worker = async () => {
    for (;;) {
      if (ctx.signal.aborted || reachedTarget) return;
      const task = await next();
      if (!task) return;
      const release = await budget.acquire();
      if (!release) return;
      let outcome: Outcome;
      try {
        if (ctx.signal.aborted || reachedTarget) return;
        outcome = await generateForTask(ctx, gen, task, evalSet, plan);
      } finally {
        release();
      }
      writer.add(outcome);
      done++;
      if (outcome.kind !== "skipped") {
        totals.tokensIn += outcome.tokensIn;
        totals.tokensOut += outcome.tokensOut;
        if (outcome.reasks > 0) totals.reasked++;
      }
      if (outcome.kind === "done") {
        if (plan) {
          for (const row of outcome.rows) {
            const tag = Array.isArray(row.tags) ? row.tags[0] : undefined;
            const topic = typeof tag === "string" ? tag.slice(TOPIC_TAG.length) : undefined;
            if (row.isValid && topic) plan.counts.set(topic, (plan.counts.get(topic) ?? 0) + 1);
          }
        }
        const valid = outcome.rows.filter((r) => r.isValid).length;
        added += valid;
        totals.examples += outcome.rows.length;
        totals.valid += valid;
      } else if (outcome.kind === "failed") {
        totals.failedChunks++;
        ctx.log(
          "warn",
          `Chunk ${(outcome.task.chunk?.chunkIndex ?? 0) + 1} of source ${outcome.task.chunk?.sourceFileId.slice(0, 8)} failed: ${outcome.error}`,
        );
      }
      if (before + added >= target && !reachedTarget) {
        reachedTarget = true;
        budget.close();
      }
      const { summary, message } = describeTotals(totals, gen);
      await ctx.progress({ done, total: totalTasks, message, summary });
    }
  };

  try {
    if (!reachedTarget) await Promise.all(Array.from({ length: concurrency }, worker));
  } catch (error) {
    throwIfAborted(ctx.signal);
    throw error;
  } finally {
    await budget.leave();
    // What finished is kept, whatever stopped the run.
    await writer.flush();
  }
  throwIfAborted(ctx.signal);
  if (reachedTarget) {
    const skipped = await db.generationTask.updateMany({
      where: { jobId: ctx.jobId, status: "pending" },
      data: { status: "skipped", error: "Not needed: the target was reached." },
    });
    if (skipped.count) ctx.log("info", `Target reached; ${skipped.count} chunks were not needed.`);
  }
  await ctx.progress({ pct: 99, message: "Looking for duplicates" });
  const duplicates = await flagDuplicates(ctx.projectId);
  const near = await refreshNearDuplicates(ctx.projectId);
  const { summary } = describeTotals(await totalsSoFar(ctx.jobId), gen);
  ctx.log(
    "info",
    `Done: ${summary.examples} examples (${summary.valid_examples} valid) from ${totalTasks} chunks: ${summary.reasked_chunks} re-asked, ${summary.failed_chunks} failed; ${duplicates} duplicates and ${near.inGroups - near.groups} near-duplicates in the project.`,
  );
  return { ...summary, duplicates_in_project: duplicates, near_duplicates_in_project: near.inGroups - near.groups, target_reached: reachedTarget };
}
