// Guessing an uploaded dataset's shape from a sample of its records, to pre-fill the mapping
// form. Chat shapes win when most sampled records hold a list of turns; otherwise column names
// are matched, case-insensitively, against the names common datasets use (first alias wins).
// Preference pairs (chosen/rejected: DPO) and good/bad labels (label: KTO) are recognised too.
import type { ColumnMapping, DatasetMapping } from "./mapping";
import { hasTurns, TURN_FORMATS } from "./turns";

export type DatasetShape = "alpaca" | "sharegpt" | "openai" | "qa" | "preference" | "kto" | "unknown";

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
  output: ["output", "response", "completion", "chosen"],
  answer: ["answer", "response", "completion", "output", "chosen"],
  system: ["system", "system_prompt"],
  rejected: ["rejected"],
  history: ["history"],
};

/**
 * The system prompt when every sampled conversation (two or more) opens with the same one: a
 * file exported with a global system prompt, whose examples do not hold it.
 */
function sharedSystemPrompt(sampleRecords: Record<string, unknown>[], shape: "sharegpt" | "openai"): string | undefined {
  const format = TURN_FORMATS[shape];
  const systems = sampleRecords.map((record) => {
    const first = (record[format.key] as Record<string, unknown>[] | undefined)?.[0];
    return first && format.roles[first[format.role] as keyof typeof format.roles] === "system" && typeof first[format.text] === "string"
      ? (first[format.text] as string)
      : undefined;
  });
  return systems.length >= 2 && systems[0] !== undefined && systems.every((s) => s === systems[0]) ? systems[0] : undefined;
}

/** A column of true/false marks in most sampled records: KTO's `label`. */
function labelColumn(columns: string[], sampleRecords: Record<string, unknown>[]): string | undefined {
  const column = columns.find((c) => ["label", "kto_tag"].includes(c.trim().toLowerCase()));
  if (!column) return undefined;
  const marks = sampleRecords.filter((r) => typeof r[column] === "boolean" || r[column] === 0 || r[column] === 1).length;
  return marks * 2 > sampleRecords.length ? column : undefined;
}

export function detectShape(sampleRecords: Record<string, unknown>[]): ShapeDetection {
  const columns = [...new Set(sampleRecords.flatMap((record) => Object.keys(record)))];
  const labelled = labelColumn(columns, sampleRecords);
  const label = labelled ? { label: { column: labelled, whenFalse: "reject" as const } } : {};
  for (const shape of ["sharegpt", "openai"] as const) {
    const chats = sampleRecords.filter((record) => hasTurns(record, TURN_FORMATS[shape])).length;
    if (chats * 2 > sampleRecords.length) {
      const shared = sharedSystemPrompt(sampleRecords, shape);
      return { shape: labelled ? "kto" : shape, columns, suggestedMapping: { shape, ...label, ...(shared ? { systemTurns: "drop" as const } : {}) } };
    }
  }

  const find = (role: keyof ColumnMapping) => ALIASES[role].map((alias) => columns.find((column) => column.trim().toLowerCase() === alias)).find(Boolean);
  const extras = { input: find("input"), system: find("system"), history: find("history") };
  const rejected = find("rejected");
  const chosen = columns.find((c) => c.trim().toLowerCase() === "chosen");
  if (rejected && chosen) {
    // TRL's implicit-prompt pairs hold the whole conversation in chosen: the prompt comes from it.
    const prompt = find("instruction") ?? find("question") ?? chosen;
    return { shape: "preference", columns, suggestedMapping: columnMapping({ question: prompt, answer: chosen, rejected, ...extras }, label) };
  }
  const instruction = find("instruction");
  const output = find("output");
  if (instruction && output) {
    return { shape: labelled ? "kto" : "alpaca", columns, suggestedMapping: columnMapping({ instruction, output, ...extras }, label) };
  }
  const question = find("question");
  const answer = find("answer");
  if (question && answer) {
    return { shape: labelled ? "kto" : "qa", columns, suggestedMapping: columnMapping({ question, answer, ...extras }, label) };
  }
  return { shape: "unknown", columns, suggestedMapping: null };
}

/** Leaves out the roles no column was found for. */
function columnMapping(columns: ColumnMapping, label: Pick<DatasetMapping, "label">): DatasetMapping {
  const found = Object.entries(columns).filter(([, column]) => column !== undefined);
  return { shape: "columns", columns: Object.fromEntries(found), ...label };
}
