// "Rewrite with the LLM" for one example in review: the project's generation provider and model
// get the example, the chunk it came from and the reviewer's instruction, and answer with the
// example rewritten. Nothing is saved here: the reviewer sees the change as a diff and accepts
// it (an ordinary edit, re-validated and re-hashed) or not.
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { type ExampleData, exampleSchemaFor } from "@/lib/datasets/example";
import { db } from "@/lib/db/client";
import { AppError, invalidInput, notFound } from "@/lib/errors";
import { NonRetryableError } from "@/lib/jobs/definition";
import { completeChat, estimateCost, LlmError } from "@/lib/llm";
import { loadGenerationContext } from "./context";
import { findJson } from "./parse";

export const rewriteInputSchema = z.object({
  exampleId: z.uuid(),
  instruction: z.string().trim().min(3, "Say how to rewrite it (at least 3 characters).").max(500),
});

/** How long the reviewer waits for the answer, client retries included. */
const REWRITE_TIMEOUT_MS = 120_000;
/** The source chunk is sent up to this length (chunks are a few thousand characters at most). */
const MAX_SOURCE_CHARS = 12_000;

const SYSTEM = [
  "You edit training examples for fine-tuning a language model.",
  "Rewrite the example the way the reviewer asks. Keep every fact faithful to the source text; add nothing the source does not support.",
  "Reply with only a JSON object with exactly the example's fields, and no other text.",
].join(" ");

export type RewriteResult = { data: ExampleData; model: string; tokensIn: number; tokensOut: number; costUsd: number | null };

/** The first object in the answer that is an example of the task type (bare, or the first of `examples`). */
function exampleIn(text: string, schema: ReturnType<typeof exampleSchemaFor>): ExampleData | string {
  const json = findJson(text);
  const candidates = [json, ...(Array.isArray((json as { examples?: unknown })?.examples) ? (json as { examples: unknown[] }).examples : [])];
  for (const candidate of candidates) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return parsed.data as ExampleData;
  }
  return json === undefined ? "it was not JSON" : "it did not have the example's fields";
}

export async function rewriteExample(ctx: ProjectContext, input: z.infer<typeof rewriteInputSchema>): Promise<RewriteResult> {
  const example = await db.datasetExample.findFirst({
    where: { id: input.exampleId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    select: { data: true, sourceChunk: { select: { content: true } }, project: { select: { taskType: true } } },
  });
  if (!example) throw notFound("Example");
  const schema = exampleSchemaFor(example.project.taskType);
  const current = schema.safeParse(example.data);
  if (!current.success) throw invalidInput("This example has no fields to rewrite (it could not be read when it was made); edit it by hand.");

  const gen = await loadGenerationContext(ctx.projectId).catch((error: unknown) => {
    throw error instanceof NonRetryableError ? invalidInput(error.message) : error;
  });
  const fields = Object.keys(current.data).join(", ");
  const source = example.sourceChunk?.content.slice(0, MAX_SOURCE_CHARS);
  const prompt = [
    source ? `Source text:\n"""\n${source}\n"""` : "There is no source text for this example (it was imported); keep its facts as they are.",
    `Example:\n${JSON.stringify(current.data, null, 2)}`,
    `Rewrite it: ${input.instruction}`,
    `Reply with only the rewritten example as a JSON object with the fields ${fields}.`,
  ].join("\n\n");

  let answer: Awaited<ReturnType<typeof completeChat>>;
  try {
    answer = await completeChat(
      gen.provider,
      [
        { role: "system", content: SYSTEM },
        { role: "user", content: prompt },
      ],
      { model: gen.model, temperature: 0.3, json: true, signal: AbortSignal.timeout(REWRITE_TIMEOUT_MS) },
    );
  } catch (error) {
    if (error instanceof LlmError) throw new AppError("unavailable", `${gen.provider.name} could not rewrite it: ${error.message}`);
    if ((error as Error)?.name === "TimeoutError")
      throw new AppError("unavailable", `${gen.provider.name} did not answer within ${REWRITE_TIMEOUT_MS / 1000} s. Try again.`);
    throw error;
  }
  const rewritten = exampleIn(answer.text, schema);
  if (typeof rewritten === "string") throw new AppError("unavailable", `The model's answer could not be used (${rewritten}). Try again, or edit by hand.`);
  const cost = estimateCost({ tokensIn: answer.tokensIn, tokensOut: answer.tokensOut }, gen.prices);
  return { data: rewritten, model: gen.model, tokensIn: answer.tokensIn, tokensOut: answer.tokensOut, costUsd: cost };
}
