// An uploaded dataset file's records, read from storage: text formats as one stream, Parquet by
// ranged reads of its footer and row groups. `onBytes` reports bytes read, for progress.
import { Transform } from "node:stream";
import type { AsyncBuffer } from "hyparquet";
import type { DatasetFormat } from "@/lib/ingest/types";
import { getStorage, readToBuffer } from "@/lib/storage";
import { readParquet } from "./formats/parquet";
import { type ParsedRecord, readRecords } from "./formats/parse";

export type StoredDataset = { storagePath: string; sizeBytes: bigint | number | null };

function storageBuffer(file: StoredDataset, onBytes: (n: number) => void): AsyncBuffer {
  const size = Number(file.sizeBytes ?? 0);
  return {
    byteLength: size,
    async slice(start: number, end?: number) {
      const last = Math.min(end ?? size, size) - 1;
      if (last < start) return new ArrayBuffer(0);
      const bytes = await readToBuffer(await getStorage().get(file.storagePath, { start, end: last }), last - start + 1);
      onBytes(bytes.length);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    },
  };
}

export async function* readDatasetFile(file: StoredDataset, format: DatasetFormat, onBytes: (n: number) => void = () => {}): AsyncGenerator<ParsedRecord> {
  if (format === "parquet") {
    yield* readParquet(storageBuffer(file, onBytes));
    return;
  }
  const stream = await getStorage().get(file.storagePath);
  const counted = stream.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        onBytes(chunk.length);
        callback(null, chunk);
      },
    }),
  );
  try {
    yield* readRecords(counted, format);
  } finally {
    stream.destroy();
    counted.destroy();
  }
}
