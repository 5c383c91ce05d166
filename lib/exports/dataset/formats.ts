// The dataset file formats an export can write, one example per line (or CSV row). Pure
// functions: the writer decides which examples go in, these decide how each one looks.
import type { ExportFormat } from "@prisma/client";
import { chatTurns, type ExampleData, historyOf, isInstructionExample, type TaskType } from "@/lib/datasets/example";

/** The export formats that are a dataset file (bundles and Hub pushes are built on top of these). */
export type DatasetFormat = Extract<ExportFormat, "jsonl" | "alpaca" | "sharegpt" | "openai" | "csv" | "xlsx">;
/** The formats written line by line (XLSX is a workbook: lib/exports/dataset/xlsx). */
export type LineFormat = Exclude<DatasetFormat, "xlsx">;

export type FormatOptions = {
  /** Sent as the first (system) turn by the chat formats; blank means none. */
  systemPrompt?: string;
  /** Put each example's reasoning (when it has one) before its answer, in a <think> block as reasoning models write it. */
  reasoning?: boolean;
};

/** The example with its reasoning before the answer, in a <think> block (the convention of DeepSeek-R1, Qwen3 and their trainers). */
export function withReasoning(data: ExampleData, reasoning: string | undefined): ExampleData {
  if (!reasoning) return data;
  const think = (answer: string) => `<think>\n${reasoning}\n</think>\n\n${answer}`;
  return isInstructionExample(data) ? { ...data, output: think(data.output) } : { ...data, answer: think(data.answer) };
}

export type ExportFormatInfo = {
  id: DatasetFormat;
  label: string;
  extension: "jsonl" | "csv" | "xlsx";
  description: string;
  /** For spreadsheets, not trainers: not registered in dataset_info.json (loaders guess column types). */
  spreadsheet: boolean;
  /** Whether FormatOptions.systemPrompt changes the output (the UI offers the field only then). */
  systemPrompt: boolean;
};

export const EXPORT_FORMATS: readonly ExportFormatInfo[] = [
  {
    id: "jsonl",
    label: "JSON Lines",
    extension: "jsonl",
    description: "Each example with its own fields (instruction, input, output or question, answer), one per line.",
    systemPrompt: false,
    spreadsheet: false,
  },
  {
    id: "alpaca",
    label: "Alpaca",
    extension: "jsonl",
    description: "instruction / input / output records, as read by LLaMA-Factory, Axolotl and most trainers.",
    systemPrompt: false,
    spreadsheet: false,
  },
  {
    id: "sharegpt",
    label: "ShareGPT",
    extension: "jsonl",
    description: "Conversations of human and gpt turns, with an optional system prompt.",
    systemPrompt: true,
    spreadsheet: false,
  },
  {
    id: "openai",
    label: "OpenAI chat",
    extension: "jsonl",
    description: "system / user / assistant messages, ready for OpenAI fine-tuning.",
    systemPrompt: true,
    spreadsheet: false,
  },
  {
    id: "csv",
    label: "CSV",
    extension: "csv",
    description: "One row per example with a header, for reviewing in a spreadsheet.",
    systemPrompt: false,
    spreadsheet: true,
  },
  {
    id: "xlsx",
    label: "Excel (XLSX)",
    extension: "xlsx",
    description: "A workbook per split with a frozen header row and wrapped text, for reviewing in Excel, Numbers or LibreOffice.",
    systemPrompt: false,
    spreadsheet: true,
  },
];

export function formatInfo(format: DatasetFormat): ExportFormatInfo {
  const info = EXPORT_FORMATS.find((candidate) => candidate.id === format);
  if (!info) throw new Error(`Unknown dataset format ${JSON.stringify(format)}.`);
  return info;
}

/** The system prompt the chat formats send, if any. */
export function systemPromptOf(options: FormatOptions): string | undefined {
  return options.systemPrompt?.trim() ? options.systemPrompt : undefined;
}

// Keys are written in a fixed order so the same example always gives the same bytes.
function textFields(data: ExampleData): Record<string, string> {
  return isInstructionExample(data)
    ? { instruction: data.instruction, input: data.input, output: data.output }
    : { question: data.question, answer: data.answer };
}

/** A conversation's earlier turns, as LLaMA-Factory's Alpaca `history` column; nothing for a single exchange. */
function historyField(data: ExampleData): { history?: Array<readonly [string, string]> } {
  const history = historyOf(data);
  return history.length ? { history: [...history] } : {};
}

function ownFields(data: ExampleData) {
  return { ...textFields(data), ...historyField(data) };
}

function alpacaRecord(data: ExampleData) {
  const fields = isInstructionExample(data)
    ? { instruction: data.instruction, input: data.input, output: data.output }
    : { instruction: data.question, input: "", output: data.answer };
  return { ...fields, ...historyField(data) };
}

function sharegptRecord(data: ExampleData, options: FormatOptions) {
  const system = systemPromptOf(options);
  return {
    conversations: [
      ...(system === undefined ? [] : [{ from: "system", value: system }]),
      ...chatTurns(data).map((turn) => ({ from: turn.role === "user" ? "human" : "gpt", value: turn.content })),
    ],
  };
}

function openaiRecord(data: ExampleData, options: FormatOptions) {
  const system = systemPromptOf(options);
  return {
    messages: [...(system === undefined ? [] : [{ role: "system", content: system }]), ...chatTurns(data)],
  };
}

/**
 * RFC 4180: a field holding a comma, quote or line break is quoted, with its quotes doubled. A
 * field a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a leading
 * apostrophe first (OWASP's CSV-injection advice): generated text is not trusted.
 */
export function csvField(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/** The columns of the spreadsheet formats (CSV and XLSX), in order. */
export const SHEET_COLUMNS: Record<TaskType, readonly string[]> = {
  instruction: ["instruction", "input", "output"],
  qa: ["question", "answer"],
};

/** The spreadsheet columns of an export: a `history` column (earlier turns as JSON) only when it holds conversations. */
export function sheetColumns(taskType: TaskType, conversations: boolean): readonly string[] {
  return conversations ? [...SHEET_COLUMNS[taskType], "history"] : SHEET_COLUMNS[taskType];
}

/**
 * JSON with U+2028 and U+2029 escaped: valid either way, but line readers such as Python's
 * str.splitlines() break lines on them, which would cut an example in two.
 */
function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** An example's own fields as the cells of a spreadsheet row, in sheetColumns order. */
export function sheetCells(data: ExampleData, conversations = false): string[] {
  const cells = Object.values(textFields(data));
  return conversations ? [...cells, data.history ? JSON.stringify(data.history) : ""] : cells;
}

/** One example as one line (or CSV row), without the line ending. */
export function formatLine(format: LineFormat, data: ExampleData, options: FormatOptions & { conversations?: boolean } = {}): string {
  switch (format) {
    case "jsonl":
      return jsonLine(ownFields(data));
    case "alpaca":
      return jsonLine(alpacaRecord(data));
    case "sharegpt":
      return jsonLine(sharegptRecord(data, options));
    case "openai":
      return jsonLine(openaiRecord(data, options));
    case "csv":
      return sheetCells(data, options.conversations).map(csvField).join(",");
  }
}

/** CSV uses CRLF (RFC 4180); JSON Lines uses LF. */
export function lineEnd(format: LineFormat): string {
  return format === "csv" ? "\r\n" : "\n";
}

/**
 * What a file starts with before its first line. CSV: a UTF-8 byte order mark, without which
 * Excel reads the file as the local code page and garbles accents, then the header row.
 */
export function fileHeader(format: LineFormat, taskType: TaskType, conversations = false): string {
  return format === "csv" ? `\uFEFF${sheetColumns(taskType, conversations).join(",")}\r\n` : "";
}
