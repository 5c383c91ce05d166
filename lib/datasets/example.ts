// The two example shapes a project can hold (DatasetExample.data), chosen by its task type, and
// the prompt/response view of either that token counts, hashing and exports share.
import type { TaskType } from "@prisma/client";
import { z } from "zod";

export type { TaskType };

export const instructionExampleSchema = z.object({
  instruction: z.string(),
  // Alpaca leaves `input` out when the instruction stands alone.
  input: z.string().default(""),
  output: z.string(),
});

export const qaExampleSchema = z.object({
  question: z.string(),
  answer: z.string(),
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

/**
 * The text token counts measure: the user turn, then the assistant turn. Chat-template tokens are
 * left out on purpose: they depend on the base model's template (a handful per turn), while this
 * count must be comparable across projects and stable when the model changes.
 */
export function exampleText(data: ExampleData): string {
  return `${promptOf(data)}\n\n${responseOf(data)}`;
}

/** What review's text search looks in: every field, lower-cased (kept in `search_text`). */
export function searchTextOf(data: ExampleData): string {
  return Object.values(data).join(" ").toLowerCase();
}

/**
 * The examples a training run takes and a dataset version freezes: valid, not rejected in
 * review, not an exact duplicate. Every count the pages show ("usable") uses this one filter.
 */
export const USABLE_EXAMPLE = { isValid: true, isDuplicate: false, reviewStatus: { not: "rejected" } } as const;
