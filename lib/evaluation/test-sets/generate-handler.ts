// Writes a test set's questions: each chosen chunk (spread evenly over the chosen sources) is
// asked once for the chosen question types, through the endpoint's shared call budget. Questions
// are stored as each chunk answers, keyed by chunk, so a retry asks only the chunks left. At the
// end each question's overlap with the training examples is measured (./overlap).
import type { Prisma, TestQuestionType } from "@prisma/client";
import { db } from "@/lib/db/client";
import { loadGenerationContext } from "@/lib/generation/context";
import { spread } from "@/lib/generation/preview-handler";
import { SYSTEM_PROMPT } from "@/lib/generation/prompts";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { completeChat, LlmError } from "@/lib/llm";
import { CallBudget, PRIORITY, withCall } from "@/lib/llm/budget";
import { refreshOverlap } from "./overlap";
import { parseQuestions, QUESTION_TYPES, questionsPrompt } from "./questions";

export type TestSetSettings = { types: TestQuestionType[]; per_type: number; chunks: number; source_file_ids: string[] };

export function readTestSetSettings(value: unknown): TestSetSettings {
  const v = (value ?? {}) as Partial<TestSetSettings>;
  return {
    types: (v.types ?? QUESTION_TYPES).filter((t) => QUESTION_TYPES.includes(t)),
    per_type: v.per_type ?? 1,
    chunks: v.chunks ?? 20,
    source_file_ids: v.source_file_ids ?? [],
  };
}

export async function generateTestSet(ctx: JobContext<{ testSetId: string }>): Promise<Record<string, unknown>> {
  const testSet = await db.testSet.findFirst({ where: { id: ctx.payload.testSetId, projectId: ctx.projectId } });
  if (!testSet) throw new NonRetryableError("The test set was deleted.");
  const settings = readTestSetSettings(testSet.settings);
  const gen = await loadGenerationContext(ctx.projectId);
  const chunks = await db.$queryRaw<Array<{ id: string }>>`
    SELECT c.id FROM chunks c JOIN files f ON f.id = c.source_file_id
    WHERE c.project_id = ${ctx.projectId}::uuid AND f.status = 'ready'
      AND (cardinality(${settings.source_file_ids}::uuid[]) = 0 OR c.source_file_id = ANY(${settings.source_file_ids}::uuid[]))
    ORDER BY f.created_at, c.source_file_id, c.chunk_index`;
  if (chunks.length === 0) throw new NonRetryableError("There are no chunks in the chosen sources. Add sources and let them finish chunking first.");
  const picked = spread(chunks.length, settings.chunks).map((i) => chunks[i].id);
  const done = new Set(
    (
      await db.testQuestion.findMany({
        where: { testSetId: testSet.id, sourceChunkId: { in: picked } },
        select: { sourceChunkId: true },
        distinct: ["sourceChunkId"],
      })
    ).map((q) => q.sourceChunkId),
  );
  const todo = picked.filter((id) => !done.has(id));
  ctx.log(
    "info",
    `Writing ${settings.types.join(", ")} questions from ${picked.length} chunks with ${gen.provider.name} / ${gen.model}; ${done.size} done before.`,
  );
  let answered = done.size;
  let made = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  const problems: string[] = [];
  let waiting = todo.length;
  const budget = await CallBudget.join({
    jobId: ctx.jobId,
    workspaceId: gen.workspaceId,
    workerId: ctx.workerId,
    provider: gen.provider,
    callLimit: Math.max(1, gen.options.concurrency),
    priority: PRIORITY.generation,
    wanted: () => waiting,
    signal: ctx.signal,
  });
  const ask = async (chunkId: string) => {
    const chunk = await db.chunk.findUnique({ where: { id: chunkId } });
    if (!chunk) return;
    const section = (chunk.metadata as { section?: string } | null)?.section;
    const prompt = questionsPrompt(chunk.content, settings.types, settings.per_type, gen.settings.language, section);
    let parsed: ReturnType<typeof parseQuestions> = { error: "not asked" };
    for (let attempt = 0; attempt < 2 && "error" in parsed; attempt++) {
      const reply = await withCall(budget, () =>
        completeChat(
          gen.provider,
          [
            { role: "system", content: SYSTEM_PROMPT },
            { role: "user", content: prompt },
          ],
          { model: gen.model, temperature: gen.settings.temperature, json: true, signal: ctx.signal },
        ),
      );
      tokensIn += reply.tokensIn;
      tokensOut += reply.tokensOut;
      parsed = parseQuestions(reply.text, settings.types);
    }
    if ("error" in parsed) {
      problems.push(parsed.error);
      ctx.log("warn", `Chunk ${chunk.chunkIndex + 1}: ${parsed.error}`);
      return;
    }
    for (const reason of parsed.rejected) ctx.log("warn", `Chunk ${chunk.chunkIndex + 1}: ${reason}`);
    const rows: Prisma.TestQuestionCreateManyInput[] = parsed.questions.map((q, i) => ({
      testSetId: testSet.id,
      sourceChunkId: chunk.id,
      naturalKey: `chunk:${chunk.id}:${i}`,
      ...q,
    }));
    await db.$transaction([
      db.testQuestion.createMany({ data: rows, skipDuplicates: true }),
      db.testSet.update({ where: { id: testSet.id }, data: { version: { increment: 1 } } }),
    ]);
    made += rows.length;
  };
  const worker = async () => {
    for (;;) {
      const chunkId = todo.shift();
      if (!chunkId || ctx.signal.aborted) return;
      try {
        await ask(chunkId);
      } catch (error) {
        if (ctx.signal.aborted) return;
        if (error instanceof LlmError && !error.retryable) throw new NonRetryableError(error.message);
        problems.push((error as Error).message);
        ctx.log("warn", `A chunk got no questions: ${(error as Error).message}`);
      } finally {
        waiting -= 1;
      }
      answered += 1;
      await ctx.progress({ done: answered, total: picked.length, message: `${made} questions from ${answered} of ${picked.length} chunks` });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, gen.options.concurrency) }, worker));
  } finally {
    await budget.leave();
  }
  throwIfAborted(ctx.signal);
  const total = await db.testQuestion.count({ where: { testSetId: testSet.id } });
  if (total === 0) throw new NonRetryableError(`No usable questions came back: ${problems[0] ?? "the model wrote none"}.`);
  const overlap = await refreshOverlap(testSet.id, ctx.projectId);
  ctx.log("info", `The test set has ${total} questions; ${overlap.leaked} overlap the training examples.`);
  return {
    questions: total,
    made,
    chunks: picked.length,
    failed_chunks: problems.length,
    leaked: overlap.leaked,
    tokens_in: tokensIn,
    tokens_out: tokensOut,
    model: gen.model,
  };
}
