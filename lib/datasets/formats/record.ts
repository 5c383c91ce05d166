// One record of an uploaded dataset, as the parsers produce it and the mapping reads it.
import { AppError } from "@/lib/errors";

/**
 * One row of the file. `line` is the 1-based line where it starts (for JSON, its position in the
 * array: see ./json); it is unique within the file.
 */
export type ParsedRecord = { line: number; record: Record<string, unknown>; error?: undefined } | { line: number; record?: undefined; error: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What is wrong with one record, for the user; the importer keeps the row as invalid with it. */
export class RowProblem extends Error {
  override name = "RowProblem";
}

/** The file as a whole cannot be read (a damaged Parquet footer): nothing to keep row by row. */
export class DatasetReadError extends AppError {
  constructor(message: string) {
    super("invalid_input", message);
    this.name = "DatasetReadError";
  }
}
