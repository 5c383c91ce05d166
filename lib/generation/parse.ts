// Reading examples out of an LLM's answer. JSON mode gives clean JSON; without it models wrap
// JSON in code fences or chat around it, so we look for the first complete JSON value.
// Each item is checked with the task type's schema; bad items are reported, not dropped.
import type { TaskType } from "@prisma/client";
import { jsonrepair } from "jsonrepair";
import { type ExampleData, exampleSchemaFor } from "@/lib/datasets/example";

/** An example, with the model's reasoning when it gave one (kept apart from the answer). */
export type ParsedItem = { data: ExampleData; reasoning?: string; topic?: unknown } | { error: string; raw: unknown };
export type ParseResult = { items: ParsedItem[] } | { error: string };

/**
 * The first top-level JSON object or array in `text` that parses, or undefined. A value whose
 * brackets never close (a cut-off answer) is not mined for the complete objects inside it: a
 * half answer is reported as broken rather than passed off as a whole one. When nothing parses
 * as it is, the balanced candidates get jsonrepair's fixes for the slips models make by hand
 * (trailing commas, comments, single quotes, unquoted keys); a repaired value counts only if it
 * holds an object or a list, so braces in prose ("{like this}") are not taken for an answer.
 */
export function findJson(text: string): unknown {
  return scan(text, JSON.parse) ?? scan(text, repairedValue);
}

function repairedValue(candidate: string): unknown {
  const value: unknown = JSON.parse(jsonrepair(candidate));
  const holdsStructure = (v: unknown) => Array.isArray(v) || (typeof v === "object" && v !== null);
  if (!holdsStructure(value) || !Object.values(value as object).some(holdsStructure)) throw new Error("not an answer");
  return value;
}

function scan(text: string, parse: (candidate: string) => unknown): unknown {
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(text);
  const candidates = fenced ? [fenced[1], text] : [text];
  for (const candidate of candidates) {
    const trimmed = candidate.trim();
    if (parse === JSON.parse) {
      try {
        return JSON.parse(trimmed);
      } catch {
        // look inside
      }
    }
    for (let start = 0; start < candidate.length; start++) {
      const open = candidate[start];
      if (open !== "{" && open !== "[") continue;
      const end = matchingClose(candidate, start);
      if (end < 0) break;
      try {
        return parse(candidate.slice(start, end + 1));
      } catch {
        // Braces in prose ("{like this}"): look after them.
        start = end;
      }
    }
  }
  return undefined;
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when unbalanced. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function itemsOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of ["examples", "conversations", "items", "data", "pairs", "questions"]) if (Array.isArray(record[key])) return record[key] as unknown[];
    if ("instruction" in record || "question" in record || "turns" in record) return [record];
  }
  return undefined;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

/**
 * A conversation the model wrote (`{"turns": [{"user", "assistant"}, …]}`) as an example of the
 * task type: its last turn in the example's own fields, the turns before it as `history`. Any
 * other item is returned as it is.
 */
export function fromConversation(raw: unknown, taskType: TaskType): unknown {
  const turns = (raw as { turns?: unknown } | null)?.turns;
  if (!Array.isArray(turns) || turns.length === 0) return raw;
  const pairs = turns.map((turn) => {
    const { user, assistant } = (turn ?? {}) as { user?: unknown; assistant?: unknown };
    return typeof user === "string" && typeof assistant === "string" ? ([user.trim(), assistant.trim()] as [string, string]) : undefined;
  });
  if (pairs.some((pair) => pair === undefined)) return raw;
  const [user, assistant] = pairs[pairs.length - 1] as [string, string];
  const history = (pairs as Array<[string, string]>).slice(0, -1);
  const own = taskType === "qa" ? { question: user, answer: assistant } : { instruction: user, input: "", output: assistant };
  return { ...own, ...(history.length ? { history } : {}) };
}

export function parseExamples(text: string, taskType: TaskType): ParseResult {
  if (!text.trim()) return { error: "The model returned an empty answer." };
  const json = findJson(text);
  if (json === undefined) return { error: `The model's answer was not JSON: "${excerpt(text)}"` };
  const items = itemsOf(json);
  if (!items) return { error: `The model's JSON had no list of examples: "${excerpt(text)}"` };
  if (items.length === 0) return { error: "The model returned no examples." };
  const schema = exampleSchemaFor(taskType);
  const fields = taskType === "qa" ? "question and answer" : "instruction, input and output";
  return {
    items: items.map((raw) => {
      const parsed = schema.safeParse(fromConversation(raw, taskType));
      if (!parsed.success) return { error: `An example did not have the expected ${fields} as text.`, raw };
      const { reasoning, topic } = (raw ?? {}) as { reasoning?: unknown; topic?: unknown };
      return {
        data: parsed.data as ExampleData,
        ...(typeof reasoning === "string" && reasoning.trim() ? { reasoning: reasoning.trim() } : {}),
        ...(topic !== undefined ? { topic } : {}),
      };
    }),
  };
}
