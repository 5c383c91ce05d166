// Which fields of an imported record hold the prompt and the response, after LLaMA-Factory's
// dataset_info.json column mapping, and the conversion of a record to the PROJECT's task type.
//
// Columns: `instruction` or `question` is the prompt, `output` or `answer` the response, `input`
// extra text for the prompt (Alpaca's input, or a QA dataset's context) and `system` a system
// prompt. Laid out for the project:
//   instruction project: instruction = prompt, input = system + input, output = response;
//   QA project: question = system + prompt + input, answer = response, where the input follows
//     an instruction (Alpaca's order) but precedes a question (a reading passage comes before
//     the question asked about it).
// Parts are joined by a blank line, empty ones skipped. Chat records (ShareGPT, OpenAI) give
// their first exchange (./turns): the user turn is the prompt, the reply the response and the
// system turns before them the system part.
import { z } from "zod";
import { type ExampleData, joinParagraphs, type TaskType } from "../example";
import { RowProblem } from "./record";
import { readFirstExchange, TURN_FORMATS } from "./turns";

const column = z.string().trim().min(1, "Choose a column.").optional();

export const columnMappingSchema = z
  .object({
    instruction: column,
    input: column,
    output: column,
    question: column,
    answer: column,
    system: column,
  })
  .superRefine((columns, ctx) => {
    if ((columns.instruction === undefined) === (columns.question === undefined)) {
      const message = "Choose one column for the instruction or the question.";
      ctx.addIssue({ code: "custom", path: ["instruction"], message });
    }
    if ((columns.output === undefined) === (columns.answer === undefined)) {
      const message = "Choose one column for the output or the answer.";
      ctx.addIssue({ code: "custom", path: ["output"], message });
    }
  });

export const datasetMappingSchema = z.discriminatedUnion("shape", [
  z.object({ shape: z.literal("columns"), columns: columnMappingSchema }),
  z.object({ shape: z.literal("sharegpt") }),
  z.object({ shape: z.literal("openai") }),
]);

export type ColumnMapping = z.infer<typeof columnMappingSchema>;
export type DatasetMapping = z.infer<typeof datasetMappingSchema>;

/** A record's text by role, before it is laid out for the task type. */
type Parts = { system: string[]; prompt: string; input: string; response: string; inputFirst: boolean };

export function toExample(record: Record<string, unknown>, mapping: DatasetMapping, taskType: TaskType): { data: ExampleData } | { error: string } {
  try {
    const parts = mapping.shape === "columns" ? columnParts(record, mapping.columns) : chatParts(record, mapping.shape);
    return { data: layOut(parts, taskType) };
  } catch (error) {
    if (error instanceof RowProblem) return { error: error.message };
    throw error;
  }
}

function layOut({ system, prompt, input, response, inputFirst }: Parts, taskType: TaskType): ExampleData {
  if (taskType === "instruction") {
    return { instruction: prompt, input: joinParagraphs(...system, input), output: response };
  }
  const question = inputFirst ? joinParagraphs(input, prompt) : joinParagraphs(prompt, input);
  return { question: joinParagraphs(...system, question), answer: response };
}

function chatParts(record: Record<string, unknown>, shape: keyof typeof TURN_FORMATS): Parts {
  const { system, user, assistant } = readFirstExchange(record, TURN_FORMATS[shape]);
  return {
    system,
    prompt: notBlank(user, "user turn"),
    input: "",
    response: notBlank(assistant, "assistant reply"),
    inputFirst: false,
  };
}

function columnParts(record: Record<string, unknown>, columns: ColumnMapping): Parts {
  const promptColumn = columns.instruction ?? columns.question;
  const responseColumn = columns.output ?? columns.answer;
  if (promptColumn === undefined || responseColumn === undefined) {
    throw new Error("A column mapping needs a prompt and a response column; parse it with datasetMappingSchema.");
  }
  return {
    system: [optionalText(record, columns.system)],
    prompt: requiredText(record, promptColumn),
    input: optionalText(record, columns.input),
    response: requiredText(record, responseColumn),
    inputFirst: columns.question !== undefined,
  };
}

/** Blank prompts and responses are refused here, where the message can name the source field. */
function notBlank(text: string, what: string): string {
  if (text.trim() === "") throw new RowProblem(`The ${what} is empty.`);
  return text;
}

function requiredText(record: Record<string, unknown>, column: string): string {
  const value = record[column];
  if (value === undefined || value === null) throw new RowProblem(`The record has no "${column}" value.`);
  return notBlank(text(value, column), `"${column}" value`);
}

function optionalText(record: Record<string, unknown>, column: string | undefined): string {
  if (column === undefined) return "";
  const value = record[column];
  return value === undefined || value === null ? "" : text(value, column);
}

/** Numbers and booleans read as text (an answer may be stored as 42); lists and objects do not. */
function text(value: unknown, column: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new RowProblem(`The "${column}" value is ${Array.isArray(value) ? "a list" : "an object"}, not text.`);
}
