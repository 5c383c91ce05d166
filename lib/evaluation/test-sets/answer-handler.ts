// A provider's model answers a test set (the questions not rejected in review and not answered by
// it yet), each scored and kept as it comes, through the endpoint's shared call budget.

import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { completeChat, LlmError, loadProviderRecord, providerOptions } from "@/lib/llm";
import { CallBudget, PRIORITY, withCall } from "@/lib/llm/budget";
import type { TestSetAnswerPayload } from "./answer-payload";
import { providerModelKey } from "./models";
import { refreshOverlap } from "./overlap";
import { answerPrompt } from "./questions";
import { type Judge, scoreAndStore } from "./scoring";

export const ANSWER_SYSTEM_PROMPT = "You answer questions correctly and concisely.";
const MAX_ANSWER_TOKENS = 512;

export async function answerTestSet(ctx: JobContext<TestSetAnswerPayload>): Promise<Record<string, unknown>> {
  const { testSetId, providerId, model, judgeProviderId } = ctx.payload;
  const project = await db.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { workspaceId: true } });
  const testSet = await db.testSet.findFirst({ where: { id: testSetId, projectId: ctx.projectId } });
  if (!testSet) throw new NonRetryableError("The test set was deleted.");
  const provider = await loadProviderRecord(project.workspaceId, providerId).catch(() => {
    throw new NonRetryableError("The provider was deleted.");
  });
  const judge: Judge | null = judgeProviderId ? { provider: await loadProviderRecord(project.workspaceId, judgeProviderId), signal: ctx.signal } : null;
  await refreshOverlap(testSetId, ctx.projectId);
  const key = providerModelKey(providerId, model);
  const questions = await db.testQuestion.findMany({
    where: { testSetId, reviewStatus: { not: "rejected" }, answers: { none: { model: key } } },
    orderBy: [{ createdAt: "asc" }, { naturalKey: "asc" }],
    include: { sourceChunk: { select: { content: true } } },
  });
  const total = await db.testQuestion.count({ where: { testSetId, reviewStatus: { not: "rejected" } } });
  ctx.log("info", `${model} answers ${questions.length} of ${total} questions${judge ? "; open answers judged" : ""}.`);
  let done = total - questions.length;
  let tokensIn = 0;
  let tokensOut = 0;
  let failed = 0;
  const concurrency = Math.max(1, providerOptions(provider).concurrency);
  let waiting = questions.length;
  const budget = await CallBudget.join({
    jobId: ctx.jobId,
    workspaceId: project.workspaceId,
    workerId: ctx.workerId,
    provider,
    callLimit: concurrency,
    priority: PRIORITY.generation,
    wanted: () => waiting,
    signal: ctx.signal,
  });
  const worker = async () => {
    for (;;) {
      const question = questions.shift();
      if (!question || ctx.signal.aborted) return;
      try {
        const reply = await withCall(budget, () =>
          completeChat(
            provider,
            [
              { role: "system", content: ANSWER_SYSTEM_PROMPT },
              { role: "user", content: answerPrompt(question) },
            ],
            { model, temperature: 0, maxTokens: MAX_ANSWER_TOKENS, signal: ctx.signal },
          ),
        );
        tokensIn += reply.tokensIn;
        tokensOut += reply.tokensOut;
        const judged = await scoreAndStore({ ...question, source: question.sourceChunk?.content }, key, reply.text.trim(), judge, testSet.version);
        tokensIn += judged.tokensIn;
        tokensOut += judged.tokensOut;
      } catch (error) {
        if (ctx.signal.aborted) return;
        if (error instanceof LlmError && !error.retryable) throw new NonRetryableError(error.message);
        failed++;
        ctx.log("warn", `Question ${question.id.slice(0, 8)} not answered: ${(error as Error).message}`);
      } finally {
        waiting -= 1;
      }
      done++;
      await ctx.progress({ done, total, message: `${done} of ${total} answered${failed ? ` · ${failed} failed` : ""}` });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await budget.leave();
  }
  throwIfAborted(ctx.signal);
  if (failed) throw new Error(`${failed} questions got no answer; a retry asks them again.`);
  // Every question of this version now has this model's answer (changed ones were asked again): all are current.
  await db.testAnswer.updateMany({ where: { testSetId, model: key }, data: { setVersion: testSet.version } });
  return { answered: total, model, tokens_in: tokensIn, tokens_out: tokensOut };
}
