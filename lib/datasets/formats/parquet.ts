// Parquet datasets (the Hub's own format: every dataset has a Parquet conversion) read with
// hyparquet, one row group at a time from ranged reads, so a large file is never held whole.
// Snappy is built in; zstd, gzip, brotli and lz4 come from hyparquet-compressors (polars and
// DuckDB write zstd by default).
import { type AsyncBuffer, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DatasetReadError, type ParsedRecord } from "./record";

/** JSON-safe values: INT64 arrives as BigInt, timestamps as Date, raw binary as bytes. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function unreadable(error: unknown): DatasetReadError {
  const reason = error instanceof Error ? error.message : String(error);
  if (/footer != PAR1|invalid|metadata/i.test(reason)) {
    return new DatasetReadError(`This Parquet file is damaged or incomplete (${reason}). Export it again and upload the new file.`);
  }
  return new DatasetReadError(`This Parquet file could not be read: ${reason}.`);
}

/** Rows as records, numbered from 1 in file order (`line` is the row number). */
export async function* readParquet(file: AsyncBuffer): AsyncGenerator<ParsedRecord> {
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw unreadable(error);
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
    } catch (error) {
      throw unreadable(error);
    }
    for (const [i, row] of rows.entries()) yield { line: rowStart + i + 1, record: plain(row) as Record<string, unknown> };
    rowStart = rowEnd;
  }
}
