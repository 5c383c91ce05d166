// Uploads may be 200 MB: parsing must hold one record at a time, not the file. Each format reads
// 50 MB generated on the fly while the live heap is sampled after a full garbage collection:
// streaming keeps it flat (a few MB); keeping the parsed records grows it by 60 MB and more.
// (Resident memory was the first gauge, but under a loaded test run the collector runs late and
// RSS counts garbage not yet collected.)
import { Readable } from "node:stream";
import v8 from "node:v8";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { readRecords, type StreamFormat } from "./parse";

const FILE_BYTES = 50 * 1024 * 1024;
const LIVE_HEAP_GROWTH_LIMIT = 24 * 1024 * 1024;

v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc") as () => void;

function liveHeap(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

const output = "An answer long enough to look like real data, repeated. ".repeat(6);

const layouts: Record<StreamFormat, { head: string; row: (i: number) => string; tail: string }> = {
  jsonl: { head: "", row: (i) => `${JSON.stringify({ instruction: `Question ${i}?`, input: "", output })}\n`, tail: "" },
  json: { head: "[\n", row: (i) => `${JSON.stringify({ question: `Question ${i}?`, answer: output })},\n`, tail: "]\n" },
  csv: { head: "question,answer\n", row: (i) => `"Question ${i}, quoted?","${output}\nsecond line"\n`, tail: "" },
};

/** About `fileBytes` of the format, made as it is read; `rows` says how many were written. */
function generated(format: StreamFormat, fileBytes: number): { stream: Readable; rows: () => number } {
  const { head, row, tail } = layouts[format];
  let rows = 0;
  async function* chunks() {
    yield head;
    let bytes = head.length;
    while (bytes < fileBytes) {
      let chunk = "";
      while (chunk.length < 64 * 1024) chunk += row(rows++);
      bytes += chunk.length;
      yield chunk;
    }
    yield tail;
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), rows: () => rows };
}

describe("streaming", () => {
  // Warm up the parsers first, so that heap the process keeps anyway is not counted.
  beforeAll(async () => {
    for (const format of ["jsonl", "json", "csv"] as const) {
      for await (const row of readRecords(generated(format, 2 * 1024 * 1024).stream, format)) expect(row.error).toBeUndefined();
    }
  });

  it.each(["jsonl", "json", "csv"] as const)("parses 50 MB of %s without holding it", async (format) => {
    const { stream, rows } = generated(format, FILE_BYTES);
    const before = liveHeap();
    let peak = before;
    let records = 0;
    for await (const row of readRecords(stream, format)) {
      if (row.error) throw new Error(`line ${row.line}: ${row.error}`);
      if (++records % 10_000 === 0) peak = Math.max(peak, liveHeap());
    }
    expect(records).toBe(rows());
    expect(peak - before).toBeLessThan(LIVE_HEAP_GROWTH_LIMIT);
  });
});
