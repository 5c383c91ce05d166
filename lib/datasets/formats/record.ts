// One record of an uploaded dataset, as the parsers produce it and the mapping reads it.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What is wrong with one record, for the user; the importer keeps the row as invalid with it. */
export class RowProblem extends Error {
  override name = "RowProblem";
}
