import fs from "node:fs";
import path from "node:path";
import type { AsyncBuffer } from "hyparquet";
import { describe, expect, it } from "vitest";
import { detectFormat } from "@/lib/ingest/detect";
import { readParquet } from "./parquet";
import type { ParsedRecord } from "./record";

const FIXTURES = path.resolve("tests/fixtures/datasets");

/** An in-memory file that counts the reads asked of it, as ranged storage reads would be. */
function buffer(bytes: Buffer): AsyncBuffer & { reads: number } {
  const file = {
    byteLength: bytes.length,
    reads: 0,
    slice(start: number, end?: number) {
      const part = bytes.subarray(start, end ?? bytes.length);
      file.reads++;
      return part.buffer.slice(part.byteOffset, part.byteOffset + part.length) as ArrayBuffer;
    },
  };
  return file;
}

async function readAll(bytes: Buffer): Promise<ParsedRecord[]> {
  const rows: ParsedRecord[] = [];
  for await (const row of readParquet(buffer(bytes))) rows.push(row);
  return rows;
}

describe("readParquet", () => {
  it("reads snappy row groups in order, numbering rows from 1, int64 as numbers", async () => {
    const rows = await readAll(fs.readFileSync(path.join(FIXTURES, "alpaca-snappy.parquet")));
    expect(rows).toHaveLength(250);
    expect(rows[0]).toEqual({
      line: 1,
      record: {
        id: 1,
        instruction: "How often is boiler 1 serviced?",
        input: "",
        output: "Boiler 1 is serviced every spring by a certified engineer (visit 1).",
      },
    });
    expect(rows[101]).toMatchObject({ line: 102, record: { id: 102, input: "Boiler 102 is in building 4." } });
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it("reads zstd lists of structs as conversations, nulls as null", async () => {
    const rows = await readAll(fs.readFileSync(path.join(FIXTURES, "chat-zstd.parquet")));
    expect(rows).toHaveLength(40);
    expect(rows[4].record).toEqual({
      messages: [
        { role: "user", content: "Which valve does step 5 of the shutdown close?" },
        { role: "assistant", content: "Step 5 closes the gas valve V5 before the pump stops." },
      ],
      source: null,
    });
  });

  it("stops after the first row group when the reader stops (a preview does not read the whole file)", async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, "alpaca-snappy.parquet"));
    const whole = buffer(bytes);
    for await (const _row of readParquet(whole));
    const part = buffer(bytes);
    for await (const row of readParquet(part)) if (row.line === 10) break;
    // The footer, then one read per row group (three here) as far as the reader goes.
    expect([part.reads, whole.reads]).toEqual([2, 4]);
  });

  it("says a truncated file is damaged, instead of reading junk", async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, "alpaca-snappy.parquet"));
    await expect(readAll(bytes.subarray(0, bytes.length - 100))).rejects.toThrow(/This Parquet file is damaged or incomplete/);
  });

  it("is detected from its magic bytes, whatever its name", () => {
    const head = fs.readFileSync(path.join(FIXTURES, "chat-zstd.parquet")).subarray(0, 1024);
    expect(detectFormat(head, "train-00000-of-00001", 1761)).toEqual({
      ok: true,
      format: "parquet",
      mimeType: "application/vnd.apache.parquet",
      kind: "dataset_upload",
    });
  });
});
