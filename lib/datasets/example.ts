// The two example shapes a project can hold (DatasetExample.data), chosen by its task type, and
// the prompt/response view of either that token counts, hashing and exports share.
import type { TaskType } from "@prisma/client";
import { z } from "zod";

export type { TaskType };

/**
 * The earlier turns of a multi-turn conversation, oldest first, as [user, assistant] pairs (the
 * `history` of LLaMA-Factory's Alpaca format). The example's own fields are its last turn; an
 * example without earlier turns has no `history` key at all.
 */
export const historySchema = z
  .array(z.tuple([z.string(), z.string()]))
  .min(1)
  .max(50);

export const instructionExampleSchema = z.object({
  instruction: z.string(),
  // Alpaca leaves `input` out when the instruction stands alone.
  input: z.string().default(""),
  output: z.string(),
  history: historySchema.optional(),
});

export const qaExampleSchema = z.object({
  question: z.string(),
  answer: z.string(),
  history: historySchema.optional(),
});

export const exampleDataSchema = z.union([instructionExampleSchema, qaExampleSchema]);

export type InstructionExample = z.infer<typeof instructionExampleSchema>;
export type QaExample = z.infer<typeof qaExampleSchema>;
export type ExampleData = InstructionExample | QaExample;

export function exampleSchemaFor(taskType: TaskType) {
  return taskType === "instruction" ? instructionExampleSchema : qaExampleSchema;
}

export function isInstructionExample(data: ExampleData): data is InstructionExample {
  return "instruction" in data;
}

/** Parts joined by a blank line, skipping empty ones (the Alpaca "instruction\n\ninput" layout). */
export function joinParagraphs(...parts: string[]): string {
  return parts.filter((part) => part.trim() !== "").join("\n\n");
}

/**
 * What the user turn of a chat holds. An instruction and its input are joined by one line break,
 * as LLaMA-Factory's Alpaca converter joins them, so the same example gives the same prompt in
 * training, in evaluation, in every chat export and in LLaMA-Factory reading the Alpaca export.
 */
export function promptOf(data: ExampleData): string {
  return isInstructionExample(data) ? [data.instruction, data.input].filter((part) => part.trim() !== "").join("\n") : data.question;
}

/** What the assistant turn of a chat holds. */
export function responseOf(data: ExampleData): string {
  return isInstructionExample(data) ? data.output : data.answer;
}

export type Turn = readonly [user: string, assistant: string];

/** The earlier turns of a conversation (none for a single exchange). */
export function historyOf(data: ExampleData): readonly Turn[] {
  return data.history ?? [];
}

/** Every turn of the conversation, the example's own (last) one included, as chat messages. */
export function chatTurns(data: ExampleData): Array<{ role: "user" | "assistant"; content: string }> {
  return [...historyOf(data), [promptOf(data), responseOf(data)] as const].flatMap(([user, assistant]) => [
    { role: "user" as const, content: user },
    { role: "assistant" as const, content: assistant },
  ]);
}

/**
 * The text token counts measure: each user turn, then its assistant turn. Chat-template tokens are
 * left out on purpose: they depend on the base model's template (a handful per turn), while this
 * count must be comparable across projects and stable when the model changes.
 */
export function exampleText(data: ExampleData): string {
  return chatTurns(data)
    .map((turn) => turn.content)
    .join("\n\n");
}

/** What review's text search looks in: every field and earlier turn, lower-cased (kept in `search_text`). */
export function searchTextOf(data: ExampleData): string {
  return Object.values(data).flat(2).join(" ").toLowerCase();
}

/**
 * The examples a training run takes and a dataset version freezes: valid, not rejected in
 * review, not an exact duplicate. Every count the pages show ("usable") uses this one filter.
 */
export const USABLE_EXAMPLE = { isValid: true, isDuplicate: false, reviewStatus: { not: "rejected" } } as const;
