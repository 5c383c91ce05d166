// Scores examples with the LLM judge (lib/datasets/example-judge): the unscored valid train and
// eval examples, a page at a time, through the endpoint's shared call budget like generation.
// Each score is written as it comes, so a cancel, a crash or a retry keeps what was scored and
// goes on with the rest. A verdict that cannot be read is asked once more, then the example keeps
// the reason and no score (the next run tries it again).

import { exampleSchemaFor } from "@/lib/datasets/example";
import { DEFAULT_RUBRIC, judgeExampleMessages, parseExampleVerdict, rubricCriteria } from "@/lib/datasets/example-judge";
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { completeChat, estimateCost, LlmError } from "@/lib/llm";
import { CallBudget, PRIORITY } from "@/lib/llm/budget";
import { loadGenerationContext } from "./context";

const PAGE = 200;

type Item = { id: string; data: unknown; source: string | null };

export async function runExampleJudge(ctx: JobContext<unknown>): Promise<Record<string, unknown>> {
  const gen = await loadGenerationContext(ctx.projectId);
  const rubric = gen.settings.judge_rubric ?? DEFAULT_RUBRIC;
  const criteria = rubricCriteria(rubric);
  if (criteria.length === 0) throw new NonRetryableError('The rubric names no criteria: write one per line, like "- faithfulness: …".');
  const schema = exampleSchemaFor(gen.taskType);
  const unscored = { projectId: ctx.projectId, split: { in: ["train", "eval"] as ("train" | "eval")[] }, isValid: true, judgeScore: null };
  const total = await db.datasetExample.count({ where: unscored });
  ctx.log("info", `Scoring ${total} examples with ${gen.provider.name} / ${gen.model} by ${criteria.join(", ")}.`);
  let done = 0;
  let scored = 0;
  let failed = 0;
  let tokensIn = 0;
  let tokensOut = 0;

  let queue: Item[] = [];
  let after = "00000000-0000-0000-0000-000000000000";
  let exhausted = false;
  let refilling: Promise<void> | null = null;
  const refill = () =>
    (refilling ??= (async () => {
      const page = await db.datasetExample.findMany({
        where: { ...unscored, id: { gt: after } },
        orderBy: { id: "asc" },
        take: PAGE,
        select: { id: true, data: true, sourceChunk: { select: { content: true } } },
      });
      if (page.length < PAGE) exhausted = true;
      if (page.length) after = page[page.length - 1].id;
      queue = queue.concat(page.map((e) => ({ id: e.id, data: e.data, source: e.sourceChunk?.content ?? null })));
    })().finally(() => (refilling = null)));
  const next = async (): Promise<Item | undefined> => {
    while (queue.length === 0 && !exhausted) await refill();
    return queue.shift();
  };

  const concurrency = Math.max(1, gen.options.concurrency);
  const budget = await CallBudget.join({
    jobId: ctx.jobId,
    workspaceId: gen.workspaceId,
    workerId: ctx.workerId,
    provider: gen.provider,
    callLimit: concurrency,
    priority: PRIORITY.generation,
    wanted: () => total - done,
    signal: ctx.signal,
  });

  const judge = async (item: Item): Promise<void> => {
    const data = schema.safeParse(item.data);
    if (!data.success) return;
    const messages = judgeExampleMessages({ data: data.data, sourceText: item.source, rubric });
    let problem = "";
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await completeChat(gen.provider, messages, { model: gen.model, temperature: 0, json: true, signal: ctx.signal });
      tokensIn += reply.tokensIn;
      tokensOut += reply.tokensOut;
      try {
        const verdict = parseExampleVerdict(reply.text, criteria);
        await db.datasetExample.update({ where: { id: item.id }, data: { judgeScore: verdict.score, judgeReason: verdict.reason || null } });
        scored++;
        return;
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    failed++;
    await db.datasetExample.update({ where: { id: item.id }, data: { judgeReason: `Not scored: ${problem}` } });
  };

  // Like generation: a worker takes its example first, then waits for a call.
  const worker = async () => {
    for (;;) {
      if (ctx.signal.aborted) return;
      const item = await next();
      if (!item) return;
      const release = await budget.acquire();
      if (!release) return;
      try {
        await judge(item);
      } catch (error) {
        if (ctx.signal.aborted) return;
        if (error instanceof LlmError && !error.retryable) throw new NonRetryableError(error.message);
        failed++;
        ctx.log("warn", `Example ${item.id.slice(0, 8)} not scored: ${(error as Error).message}`);
      } finally {
        release();
      }
      done++;
      const cost = estimateCost({ tokensIn, tokensOut }, gen.prices);
      await ctx.progress({
        done,
        total,
        message: `${scored} scored${failed ? ` · ${failed} not scored` : ""} · ${Math.round(tokensIn / 1000)}k tokens in${cost !== null ? ` · $${cost.toFixed(2)}` : ""}`,
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await budget.leave();
  }
  throwIfAborted(ctx.signal);
  const cost = estimateCost({ tokensIn, tokensOut }, gen.prices);
  ctx.log("info", `Scored ${scored} examples; ${failed} could not be scored.`);
  return {
    scored,
    not_scored: failed,
    tokens_in: tokensIn,
    tokens_out: tokensOut,
    ...(cost !== null ? { cost_usd: Number(cost.toFixed(4)) } : {}),
    model: gen.model,
  };
}
