// Reading an uploaded dataset file as a stream of records. Files may be hundreds of MB, so every
// format is read incrementally. A row that cannot be read becomes an `error` entry with its line
// number and reading goes on: the importer keeps such rows as invalid examples, never drops them.
import type { Readable } from "node:stream";
import type { DatasetFormat } from "@/lib/ingest/types";
import { readCsv } from "./csv";
import { readJsonArray } from "./json";
import { readJsonLines } from "./jsonl";
import type { ParsedRecord } from "./record";

export type { ParsedRecord };

/** Formats read front to back from a stream; Parquet needs ranged reads (./parquet). */
export type StreamFormat = Exclude<DatasetFormat, "parquet">;

const readers: Record<StreamFormat, (source: Readable) => AsyncGenerator<ParsedRecord>> = {
  jsonl: readJsonLines,
  json: readJsonArray,
  csv: readCsv,
};

export async function* readRecords(source: Readable, format: StreamFormat): AsyncGenerator<ParsedRecord> {
  yield* readers[format](source);
}
