// JSONL datasets: one JSON object per line; blank lines are skipped but still counted, so line
// numbers match what an editor shows.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { recordFromJson } from "./json";
import type { ParsedRecord } from "./record";

export async function* readJsonLines(source: Readable): AsyncGenerator<ParsedRecord> {
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const json = line === 1 ? text.replace(/^\uFEFF/, "") : text;
      if (json.trim() !== "") yield recordFromJson(json, line, `The record on line ${line}`);
    }
  } finally {
    // readline leaves its input open when the caller stops early.
    source.destroy();
  }
}
