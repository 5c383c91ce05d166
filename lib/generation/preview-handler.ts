// The preview: 10 examples from chunks spread across the project's sources, back in seconds,
// to check the prompt and settings before the full run. A new preview replaces the last one.
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError } from "@/lib/jobs/definition";
import { LlmError } from "@/lib/llm";
import { CallBudget, PRIORITY, withCall } from "@/lib/llm/budget";
import type { Asked } from "./ask";
import { askChunk } from "./ask-chunk";
import { loadGenerationContext } from "./context";
import { answerRows, type ExampleRow } from "./examples";
import { planTopics, type TopicPlan, withCounts } from "./topics";

export const PREVIEW_EXAMPLES = 10;

/** `count` indexes spread evenly over 0..n-1 (all of them when n ≤ count). */
export function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1)));
}

export async function runPreview(ctx: JobContext<unknown>): Promise<Record<string, unknown>> {
  const gen = await loadGenerationContext(ctx.projectId);
  const chunkIds = await db.$queryRaw<Array<{ id: string }>>`
    SELECT c.id FROM chunks c JOIN files f ON f.id = c.source_file_id
    WHERE c.project_id = ${ctx.projectId}::uuid AND f.status = 'ready'
    ORDER BY f.created_at, c.source_file_id, c.chunk_index`;
  if (chunkIds.length === 0) throw new NonRetryableError("There are no chunks yet. Add sources and let them finish chunking first.");
  const picks = spread(chunkIds.length, PREVIEW_EXAMPLES).map((i) => chunkIds[i].id);
  // Few chunks: ask each for more, so the preview still shows 10 examples.
  const perChunk = Math.ceil(PREVIEW_EXAMPLES / picks.length);
  await db.datasetExample.deleteMany({ where: { projectId: ctx.projectId, split: "preview", NOT: { jobId: ctx.jobId } } });
  let made = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  // With a topic plan the preview plans too, so its prompts and tags are what the full run's will be.
  let plan: TopicPlan | undefined;
  if (gen.settings.topic_plan) {
    await ctx.progress({ message: "Planning topics across the chunks" });
    const planned = await planTopics(gen, ctx.signal);
    tokensIn += planned.tokensIn;
    tokensOut += planned.tokensOut;
    ctx.log("info", planned.topics.length ? `Topic plan: ${planned.topics.join("; ")}.` : "The model proposed no topics; previewing without a plan.");
    if (planned.topics.length) plan = await withCounts(ctx.projectId, planned.topics);
  }
  await ctx.progress({ done: 0, total: picks.length, message: `Asking ${gen.model}` });
  // Previews draw from the endpoint's shared calls ahead of full runs: a person is waiting.
  let asking = picks.length;
  const budget = await CallBudget.join({
    jobId: ctx.jobId,
    workspaceId: gen.workspaceId,
    workerId: ctx.workerId,
    provider: gen.provider,
    callLimit: Math.max(1, gen.options.concurrency),
    priority: PRIORITY.preview,
    wanted: () => asking,
    signal: ctx.signal,
  });
  try {
    await previewChunks();
  } finally {
    await budget.leave();
  }
  return { examples: made, chunks: picks.length, tokens_in: tokensIn, tokens_out: tokensOut, model: gen.model, prompt_version: gen.promptVersion };

  async function previewChunks() {
    await Promise.all(
      picks.map(async (chunkId, order) => {
        const chunk = await db.chunk.findUniqueOrThrow({ where: { id: chunkId } });
        let asked: Asked;
        let prompt = "";
        try {
          ({ asked, prompt } = await withCall(budget, () =>
            askChunk(gen, chunk, perChunk, { plan, signal: ctx.signal, onRetry: (message) => ctx.log("warn", `Chunk ${chunk.chunkIndex + 1}: ${message}`) }),
          ));
        } catch (error) {
          if (error instanceof LlmError && !error.retryable) throw new NonRetryableError(error.message);
          throw error;
        } finally {
          asking -= 1;
        }
        tokensIn += asked.tokensIn;
        tokensOut += asked.tokensOut;
        // A chunk whose every answer was unusable shows in the preview as one invalid row with the reason.
        const rows: ExampleRow[] = asked.ok
          ? answerRows(gen, asked.text, { text: chunk.content, prompt, maxExamples: perChunk, split: "preview", topics: plan?.topics })
          : [{ data: { raw: "" }, isValid: false, validationError: asked.error, tokenCount: 0, split: "preview" }];
        await db.datasetExample.createMany({
          data: rows.map(({ reasoning, ...row }, i) => ({
            ...row,
            projectId: ctx.projectId,
            jobId: ctx.jobId,
            sourceChunkId: chunk.id,
            sourceFileId: chunk.sourceFileId,
            naturalKey: `preview:${ctx.jobId}:${chunk.id}:${i}`,
            provenance: {
              source: "preview",
              order,
              promptVersion: gen.promptVersion,
              provider: gen.provider.name,
              model: gen.model,
              ...(reasoning ? { reasoning } : {}),
            } as Prisma.InputJsonObject,
          })),
          skipDuplicates: true,
        });
        made += rows.length;
        await ctx.progress({ done: Math.min(made, PREVIEW_EXAMPLES), total: PREVIEW_EXAMPLES, message: `${made} examples` });
      }),
    );
  }
}
