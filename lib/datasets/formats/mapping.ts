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
// their first exchange (./turns): the user turn is the prompt, the reply the response, the system
// turns before them the system part, and tool calls and results between them the input.
//
// Preference and feedback data: a `rejected` column (DPO's chosen/rejected pairs, with the
// chosen answer as the response) is kept on the example for preference training, and a `label`
// column (KTO's good/bad mark) sends the answers marked bad to "rejected" in review (never
// trained) or leaves them out, as the user chooses. What a record held that an example cannot
// (later turns, a rejected answer, a bad label) comes back as notes, which the import counts.
import { z } from "zod";
import { type ExampleData, historySchema, joinParagraphs, type TaskType } from "../example";
import { RowProblem } from "./record";
import { conversationText, readConversation, TURN_FORMATS } from "./turns";

const column = z.string().trim().min(1, "Choose a column.").optional();

/** KTO-style feedback: a column of true/false (or 1/0, "good"/"bad"), and what a false does. */
export const labelMappingSchema = z.object({
  column: z.string().trim().min(1, "Choose a column."),
  /** "reject": imported as rejected in review (not trained unless a person approves it); "skip": not imported. */
  whenFalse: z.enum(["reject", "skip"]).default("reject"),
});

export const columnMappingSchema = z
  .object({
    instruction: column,
    input: column,
    output: column,
    question: column,
    answer: column,
    system: column,
    /** The rejected answer of a preference pair (DPO), kept on the example. */
    rejected: column,
    /** A conversation's earlier turns ([user, reply] pairs, as JSON in CSV). */
    history: column,
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

/**
 * Where imported rows go: "auto" by a row's own `split` field (train, or eval/validation/test) and
 * otherwise by the project's train share; "train" or "eval" puts every row there (a file that is
 * an eval set, such as an export's eval.jsonl, stays eval).
 */
export const importSplitSchema = z.enum(["auto", "train", "eval"]).default("auto");
export type ImportSplit = z.infer<typeof importSplitSchema>;

const common = { label: labelMappingSchema.optional(), split: importSplitSchema.optional() };

/**
 * Chat records' system turns: "keep" them in the example (input, or before the question), or
 * "drop" them — what a file exported with one system prompt for every conversation needs, since
 * that prompt is the export's, not the example's (and exporting again would add it twice).
 */
const chat = { ...common, systemTurns: z.enum(["keep", "drop"]).optional() };

export const datasetMappingSchema = z.discriminatedUnion("shape", [
  z.object({ shape: z.literal("columns"), columns: columnMappingSchema, ...common }),
  z.object({ shape: z.literal("sharegpt"), ...chat }),
  z.object({ shape: z.literal("openai"), ...chat }),
]);

/** The split a row's own `split` field names, if any. */
export function recordSplit(record: Record<string, unknown>): "train" | "eval" | undefined {
  const value = typeof record.split === "string" ? record.split.trim().toLowerCase() : undefined;
  if (value === "train") return "train";
  if (value === "eval" || value === "validation" || value === "valid" || value === "test") return "eval";
  return undefined;
}

export type ColumnMapping = z.infer<typeof columnMappingSchema>;
export type DatasetMapping = z.infer<typeof datasetMappingSchema>;

/** A record's text by role, before it is laid out for the task type. */
type Parts = { system: string[]; prompt: string; input: string; response: string; inputFirst: boolean; history?: Array<[string, string]> };

/** What of a record an example does not hold as text, each counted by the import's summary. */
export type ImportNote = "conversations" | "later_turns" | "tool_turns" | "rejected_answer" | "labelled_bad";

export const IMPORT_NOTES: Record<ImportNote, string> = {
  conversations: "multi-turn conversations kept whole: the last exchange is the example, the earlier ones its history",
  later_turns: "turns after a conversation's last reply (an unanswered question) were left out",
  tool_turns: "tool calls and results kept in the input, before the reply that uses them",
  rejected_answer: "rejected answers kept on the example for preference training",
  labelled_bad: "answers marked bad (label false): rejected in review, not trained",
};

export type Converted =
  | {
      data: ExampleData;
      notes: ImportNote[];
      /** The rejected answer of a preference pair. */
      rejected?: string;
      /** The record's label said the answer is bad: import it as rejected. */
      labelledBad?: boolean;
    }
  | { error: string }
  /** Left out on purpose (a bad label with whenFalse "skip"): counted, not stored. */
  | { skipped: string };

export function toExample(record: Record<string, unknown>, mapping: DatasetMapping, taskType: TaskType): Converted {
  try {
    const notes: ImportNote[] = [];
    const parts = mapping.shape === "columns" ? columnParts(record, mapping.columns) : chatParts(record, mapping.shape, notes, mapping.systemTurns === "drop");
    const rejected = mapping.shape === "columns" && mapping.columns.rejected ? responseText(record, mapping.columns.rejected) : undefined;
    if (rejected !== undefined) notes.push("rejected_answer");
    const good = mapping.label ? labelValue(record, mapping.label.column) : true;
    if (!good) {
      if (mapping.label?.whenFalse === "skip") return { skipped: `marked bad ("${mapping.label.column}" is false)` };
      notes.push("labelled_bad");
    }
    return { data: layOut(parts, taskType), notes, ...(rejected !== undefined ? { rejected } : {}), ...(good ? {} : { labelledBad: true }) };
  } catch (error) {
    if (error instanceof RowProblem) return { error: error.message };
    throw error;
  }
}

const TRUE_LABELS = new Set(["true", "1", "yes", "good", "positive", "desirable", "chosen"]);
const FALSE_LABELS = new Set(["false", "0", "no", "bad", "negative", "undesirable", "rejected"]);

/** KTO's label: booleans, 1/0, or the words datasets use for them. */
function labelValue(record: Record<string, unknown>, column: string): boolean {
  const value = record[column];
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && (value === 0 || value === 1)) return value === 1;
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (TRUE_LABELS.has(word)) return true;
    if (FALSE_LABELS.has(word)) return false;
  }
  throw new RowProblem(`The "${column}" label is ${value === undefined ? "missing" : JSON.stringify(value)}, not true or false.`);
}

function layOut({ system, prompt, input, response, inputFirst, history }: Parts, taskType: TaskType): ExampleData {
  if (history?.length) {
    // A conversation's system text opens its first turn, where the model meets it.
    const [[firstUser, firstReply], ...rest] = history;
    const turns: Array<[string, string]> = [[joinParagraphs(...system, firstUser), firstReply], ...rest];
    const question = inputFirst ? joinParagraphs(input, prompt) : joinParagraphs(prompt, input);
    return taskType === "instruction" ? { instruction: prompt, input, output: response, history: turns } : { question, answer: response, history: turns };
  }
  if (taskType === "instruction") {
    return { instruction: prompt, input: joinParagraphs(...system, input), output: response };
  }
  const question = inputFirst ? joinParagraphs(input, prompt) : joinParagraphs(prompt, input);
  return { question: joinParagraphs(...system, question), answer: response };
}

function chatParts(record: Record<string, unknown>, shape: keyof typeof TURN_FORMATS, notes: ImportNote[], dropSystem: boolean): Parts {
  const conversation = readConversation(record, TURN_FORMATS[shape]);
  const { exchanges, laterTurns } = conversation;
  const last = exchanges[exchanges.length - 1];
  const system = dropSystem ? [] : conversation.system;
  if (exchanges.some((exchange) => exchange.tools.length)) notes.push("tool_turns");
  if (exchanges.length > 1) notes.push("conversations");
  if (laterTurns > 0) notes.push("later_turns");
  const history = exchanges
    .slice(0, -1)
    .map((exchange, i): [string, string] => [
      notBlank([exchange.user, ...exchange.tools].join("\n"), `user turn ${i + 1}`),
      notBlank(exchange.assistant, `assistant reply ${i + 1}`),
    ]);
  return {
    system,
    prompt: notBlank(last.user, "user turn"),
    input: last.tools.join("\n"),
    response: notBlank(last.assistant, "assistant reply"),
    inputFirst: false,
    ...(history.length ? { history } : {}),
  };
}

/** A `history` column: [user, reply] pairs (LLaMA-Factory's Alpaca history), as a list or as its JSON text (CSV). */
function historyColumn(record: Record<string, unknown>, column: string | undefined): Array<[string, string]> | undefined {
  if (column === undefined) return undefined;
  let value = record[column];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new RowProblem(`The "${column}" value is not a list of [user, reply] pairs.`);
    }
  }
  const parsed = historySchema.safeParse(value);
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (!parsed.success) throw new RowProblem(`The "${column}" value is not a list of [user, reply] pairs.`);
  return parsed.data;
}

function columnParts(record: Record<string, unknown>, columns: ColumnMapping): Parts {
  const promptColumn = columns.instruction ?? columns.question;
  const responseColumn = columns.output ?? columns.answer;
  if (promptColumn === undefined || responseColumn === undefined) {
    throw new Error("A column mapping needs a prompt and a response column; parse it with datasetMappingSchema.");
  }
  return {
    system: [optionalText(record, columns.system)],
    prompt: requiredText(record, promptColumn, "prompt"),
    input: optionalText(record, columns.input),
    response: responseText(record, responseColumn),
    inputFirst: columns.question !== undefined,
    history: historyColumn(record, columns.history),
  };
}

function responseText(record: Record<string, unknown>, column: string): string {
  return requiredText(record, column, "response");
}

/** Blank prompts and responses are refused here, where the message can name the source field. */
function notBlank(text: string, what: string): string {
  if (text.trim() === "") throw new RowProblem(`The ${what} is empty.`);
  return text;
}

function requiredText(record: Record<string, unknown>, column: string, as: "prompt" | "response"): string {
  const value = record[column];
  if (value === undefined || value === null) throw new RowProblem(`The record has no "${column}" value.`);
  return notBlank(conversationText(value, as) ?? text(value, column), `"${column}" value`);
}

function optionalText(record: Record<string, unknown>, column: string | undefined): string {
  if (column === undefined) return "";
  const value = record[column];
  return value === undefined || value === null ? "" : (conversationText(value, "prompt") ?? text(value, column));
}

/** Numbers and booleans read as text (an answer may be stored as 42); lists and objects do not. */
function text(value: unknown, column: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new RowProblem(`The "${column}" value is ${Array.isArray(value) ? "a list" : "an object"}, not text.`);
}
