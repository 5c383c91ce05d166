import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type ParsedRecord, readRecords, type StreamFormat } from "./parse";

/** Feeds the text in small chunks, so records, quotes and UTF-8 characters straddle chunk edges. */
function source(text: string, chunkBytes = 7): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(chunks);
}

async function readAll(text: string, format: StreamFormat): Promise<ParsedRecord[]> {
  const rows: ParsedRecord[] = [];
  for await (const row of readRecords(source(text), format)) rows.push(row);
  return rows;
}

describe("JSONL", () => {
  it("reads one record per line and reports a broken line by its number", async () => {
    const text = ['{"instruction": "a", "output": "b"}', "", '{"instruction": "c", "output": ', '["not", "an object"]', '{"q": "é"}'].join("\n");
    const rows = await readAll(text, "jsonl");
    expect(rows.map((row) => row.line)).toEqual([1, 3, 4, 5]);
    expect(rows[0].record).toEqual({ instruction: "a", output: "b" });
    expect(rows[1].error).toMatch(/^The record on line 3 is not valid JSON \(.+\)\.$/);
    expect(rows[2].error).toBe("The record on line 4 is a list, not an object with named fields.");
    expect(rows[3].record).toEqual({ q: "é" });
  });

  it("handles a BOM and CRLF line ends", async () => {
    const rows = await readAll('\uFEFF{"a": 1}\r\n{"a": 2}\r\n', "jsonl");
    expect(rows).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, record: { a: 2 } },
    ]);
  });
});

describe("JSON", () => {
  it("reads a top-level array, numbering records by their position in it", async () => {
    const text = '\uFEFF[\n  {"instruction": "a ] } \\" [", "output": "b"},\n  {\n    "question": "c",\n    "answer": {"nested": [1, 2]}\n  }\n]\n';
    expect(await readAll(text, "json")).toEqual([
      { line: 1, record: { instruction: 'a ] } " [', output: "b" } },
      { line: 2, record: { question: "c", answer: { nested: [1, 2] } } },
    ]);
  });

  it("numbers the records of a one-line array apart", async () => {
    const rows = await readAll('[{"a": 1}, {"a": 2}, {"a": 3}]', "json");
    expect(rows.map((row) => row.line)).toEqual([1, 2, 3]);
  });

  it("reports a broken element with its position and line, and keeps reading", async () => {
    const text = '[\n{"a": 1},\n{"a": 2 oops},\n42,\n{"a": 3},\n]';
    const rows = await readAll(text, "json");
    expect(rows.map((row) => [row.line, row.record ?? row.error])).toEqual([
      [1, { a: 1 }],
      [2, expect.stringMatching(/^Record 2 of the array \(line 3\) is not valid JSON \(.+\)\.$/)],
      [3, "Record 3 of the array (line 4) is a number, not an object with named fields."],
      [4, { a: 3 }],
    ]);
  });

  it("refuses a file that is not an array", async () => {
    expect(await readAll('{"instruction": "a"}', "json")).toEqual([
      { line: 1, error: 'A JSON dataset must be an array of records, like [{"instruction": …}, …]. For one record per line, use JSONL.' },
    ]);
  });

  it("keeps the records of a cut-short file and says it is cut short", async () => {
    const rows = await readAll('[{"a": 1},\n{"a": 2},\n{"a": ', "json");
    expect(rows.slice(0, 2)).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, record: { a: 2 } },
    ]);
    expect(rows[2]).toEqual({ line: 3, error: expect.stringMatching(/^Record 3 of the array \(line 3\) is not valid JSON/) });
    expect(rows[3]).toEqual({ line: 4, error: 'The file ends before the array is closed with "]": it may be cut short.' });
  });

  it("reports text after the array", async () => {
    expect(await readAll('[{"a": 1}]\n[{"a": 2}]', "json")).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, error: 'Unexpected text after the closing "]" on line 2.' },
    ]);
  });

  it("reads an empty array as no records", async () => {
    expect(await readAll(" [ ] ", "json")).toEqual([]);
  });
});

describe("CSV", () => {
  it("reads a header and rows, with quoted delimiters, quotes and line breaks", async () => {
    const text = 'instruction,input,output\n"Say ""hi"", politely",,"Hello,\nfriend"\nCount,"1\r\n2",3\n';
    expect(await readAll(text, "csv")).toEqual([
      { line: 2, record: { instruction: 'Say "hi", politely', input: "", output: "Hello,\nfriend" } },
      { line: 4, record: { instruction: "Count", input: "1\r\n2", output: "3" } },
    ]);
  });

  it("strips a BOM and detects semicolons", async () => {
    const text = '\uFEFFquestion;answer\r\nWhat is 1,5 + 1,5?;3\r\n"A; B?";"C"\r\n';
    expect(await readAll(text, "csv")).toEqual([
      { line: 2, record: { question: "What is 1,5 + 1,5?", answer: "3" } },
      { line: 3, record: { question: "A; B?", answer: "C" } },
    ]);
  });

  it("detects tabs", async () => {
    expect(await readAll("question\tanswer\nWhy, then?\tBecause\n", "csv")).toEqual([{ line: 2, record: { question: "Why, then?", answer: "Because" } }]);
  });

  it("reports a ragged row by its line and reads the others", async () => {
    const text = 'question,answer\n"Multi\nline?",yes\n\nOne,two,three\nFour,five\nSix\n';
    const rows = await readAll(text, "csv");
    expect(rows).toEqual([
      { line: 2, record: { question: "Multi\nline?", answer: "yes" } },
      {
        line: 5,
        error: "Line 5 has 3 fields but the header has 2. A value that contains the delimiter or a line break must be in double quotes.",
      },
      { line: 6, record: { question: "Four", answer: "five" } },
      { line: 7, error: expect.stringMatching(/^Line 7 has 1 field but the header has 2\./) },
    ]);
  });

  it("keeps the rows before an unclosed quote and says where it opens", async () => {
    const rows = await readAll('question,answer\nA,B\nC,"D\nE,F\n', "csv");
    expect(rows).toEqual([
      { line: 2, record: { question: "A", answer: "B" } },
      {
        line: 3,
        error: "The row starting on line 3 opens a quote that is never closed, so the rest of the file could not be read.",
      },
    ]);
  });

  it("skips rows of bare delimiters and names blank or repeated header cells", async () => {
    expect(await readAll("q,,q\n1,2,3\n,,\n", "csv")).toEqual([{ line: 2, record: { q: "1", column_2: "2", q_3: "3" } }]);
  });
});

describe("stopping early", () => {
  it.each(["jsonl", "json", "csv"] as const)("releases the %s source", async (format) => {
    const text = { jsonl: '{"a": 1}\n{"a": 2}\n', json: '[{"a": 1}, {"a": 2}]', csv: "a\n1\n2\n" }[format];
    const input = source(text, 4);
    for await (const row of readRecords(input, format)) {
      expect(row.record).toEqual({ a: format === "csv" ? "1" : 1 });
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(input.destroyed).toBe(true);
  });
});
