// Guessing an uploaded dataset's shape from a sample of its records, to pre-fill the mapping
// form. Chat shapes win when most sampled records hold a list of turns; otherwise column names
// are matched, case-insensitively, against the names common datasets use (first alias wins).
import type { ColumnMapping, DatasetMapping } from "./mapping";
import { hasTurns, TURN_FORMATS } from "./turns";

export type DatasetShape = "alpaca" | "sharegpt" | "openai" | "qa" | "unknown";

export type ShapeDetection = {
  shape: DatasetShape;
  /** Every key seen in the sample, in order of first appearance, for the mapping form. */
  columns: string[];
  suggestedMapping: DatasetMapping | null;
};

const ALIASES: Record<keyof ColumnMapping, string[]> = {
  instruction: ["instruction"],
  question: ["question", "query", "prompt"],
  // "context": Dolly's input, and a reading-comprehension passage.
  input: ["input", "context"],
  output: ["output", "response", "completion"],
  answer: ["answer", "response", "completion", "output"],
  system: ["system", "system_prompt"],
};

export function detectShape(sampleRecords: Record<string, unknown>[]): ShapeDetection {
  const columns = [...new Set(sampleRecords.flatMap((record) => Object.keys(record)))];
  for (const shape of ["sharegpt", "openai"] as const) {
    const chats = sampleRecords.filter((record) => hasTurns(record, TURN_FORMATS[shape])).length;
    if (chats * 2 > sampleRecords.length) return { shape, columns, suggestedMapping: { shape } };
  }

  const find = (role: keyof ColumnMapping) => ALIASES[role].map((alias) => columns.find((column) => column.trim().toLowerCase() === alias)).find(Boolean);
  const extras = { input: find("input"), system: find("system") };
  const instruction = find("instruction");
  const output = find("output");
  if (instruction && output) {
    return { shape: "alpaca", columns, suggestedMapping: columnMapping({ instruction, output, ...extras }) };
  }
  const question = find("question");
  const answer = find("answer");
  if (question && answer) {
    return { shape: "qa", columns, suggestedMapping: columnMapping({ question, answer, ...extras }) };
  }
  return { shape: "unknown", columns, suggestedMapping: null };
}

/** Leaves out the roles no column was found for. */
function columnMapping(columns: ColumnMapping): DatasetMapping {
  const found = Object.entries(columns).filter(([, column]) => column !== undefined);
  return { shape: "columns", columns: Object.fromEntries(found) };
}
