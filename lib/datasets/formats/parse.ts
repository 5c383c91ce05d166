// Reading an uploaded dataset file as a stream of records. Files may be hundreds of MB, so every
// format is read incrementally. A row that cannot be read becomes an `error` entry with its line
// number and reading goes on: the importer keeps such rows as invalid examples, never drops them.
import type { Readable } from "node:stream";
import type { DatasetFormat } from "@/lib/ingest/types";
import { readCsv } from "./csv";
import { readJsonArray } from "./json";
import { readJsonLines } from "./jsonl";

/**
 * One row of the file. `line` is the 1-based line where it starts (for JSON, its position in the
 * array: see ./json); it is unique within the file.
 */
export type ParsedRecord =
  | { line: number; record: Record<string, unknown>; error?: undefined }
  | { line: number; record?: undefined; error: string };

const readers: Record<DatasetFormat, (source: Readable) => AsyncGenerator<ParsedRecord>> = {
  jsonl: readJsonLines,
  json: readJsonArray,
  csv: readCsv,
};

export async function* readRecords(source: Readable, format: DatasetFormat): AsyncGenerator<ParsedRecord> {
  yield* readers[format](source);
}
