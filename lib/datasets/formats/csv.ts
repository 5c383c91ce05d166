// CSV datasets with a header row. The delimiter (comma, semicolon or tab) is guessed from the
// header line, since spreadsheets in many locales export with semicolons. Rows are read as
// arrays and matched to the header here, so a row with the wrong number of fields is one error,
// not the end of the file.
import { pipeline, Readable } from "node:stream";
import { type CsvError, parse } from "csv-parse";
import type { ParsedRecord } from "./record";

const DELIMITERS = [",", ";", "\t"];
/** How much of the file may be read to find the end of the header line. */
const SNIFF_CHARS = 64 * 1024;
/** A field this large is far more likely an unclosed quote than data. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const LEADING_BREAKS = /^[\r\n]*/;

export async function* readCsv(source: Readable): AsyncGenerator<ParsedRecord> {
  const input = source[Symbol.asyncIterator]();
  const head: unknown[] = [];
  let headText = "";
  let headerLine: string | undefined;
  while ((headerLine = firstLine(headText)) === undefined && headText.length < SNIFF_CHARS) {
    const next = await input.next();
    if (next.done) break;
    head.push(next.value);
    headText += String(next.value);
  }

  // Errors the parser recovers from (an unclosed quote, an oversized row) arrive through
  // on_skip, ahead of rows it has already produced; each is held until the rows before it are out.
  const skipped: { afterRows: number; raw: string; error: CsvError }[] = [];
  const parser = parse({
    bom: true,
    delimiter: guessDelimiter(headerLine ?? headText),
    record_delimiter: ["\r\n", "\n"],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    skip_records_with_error: true,
    raw: true,
    on_skip: (error, raw) => {
      if (error) skipped.push({ afterRows: parser.info.records, raw: raw ?? "", error });
    },
  });
  // A read error of the source destroys the parser, which the loop below then throws.
  pipeline(Readable.from(replay(head, input)), parser, () => {});

  const lines = new LineCounter();
  let header: string[] | undefined;
  let rows = 0;
  for await (const { record: fields, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    while (skipped.length > 0 && skipped[0].afterRows <= rows) yield skippedRow(skipped.shift()!, lines);
    rows++;
    const line = lines.startOf(raw);
    // Spreadsheets export rows of bare delimiters below the data; they hold nothing to import.
    if (fields.every((field) => field.trim() === "")) continue;
    if (!header) header = columnNames(fields);
    else yield toRecord(line, fields, header);
  }
  for (const skip of skipped) yield skippedRow(skip, lines);
}

/**
 * Line numbers, counted from each row's raw text (blank lines before it included) rather than
 * taken from the parser's `info.lines`, which counts a quoted CRLF as two lines.
 */
class LineCounter {
  private next = 1;

  /** The line where the row whose raw text this is starts; the count then moves past it. */
  startOf(raw: string): number {
    const start = this.next + lineBreaks(raw.match(LEADING_BREAKS)![0]);
    this.next += lineBreaks(raw);
    return start;
  }
}

function skippedRow({ raw, error }: { raw: string; error: CsvError }, lines: LineCounter): ParsedRecord {
  const line = lines.startOf(raw);
  return { line, error: describeCsvError(error, line) };
}

function toRecord(line: number, fields: string[], header: string[]): ParsedRecord {
  if (fields.length !== header.length) {
    return {
      line,
      error:
        `Line ${line} has ${plural(fields.length, "field")} but the header has ${header.length}. ` +
        "A value that contains the delimiter or a line break must be in double quotes.",
    };
  }
  return { line, record: Object.fromEntries(header.map((name, i) => [name, fields[i]])) };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Blank names become column_N and repeated ones get their position, so no field is lost. */
function columnNames(cells: string[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell, i) => {
    const trimmed = cell.trim() || `column_${i + 1}`;
    const name = seen.has(trimmed) ? `${trimmed}_${i + 1}` : trimmed;
    seen.add(name);
    return name;
  });
}

/** The text before the first line break outside quotes, once the text holds one. */
function firstLine(text: string): string | undefined {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && (text[i] === "\n" || text[i] === "\r")) return text.slice(0, i);
  }
  return undefined;
}

/** The candidate that occurs most often outside quotes; comma on a tie. */
function guessDelimiter(headerLine: string): string {
  const counts = new Map(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  return DELIMITERS.reduce((best, delimiter) => (counts.get(delimiter)! > counts.get(best)! ? delimiter : best));
}

/** A lone CR counts too: the parser's raw text drops the LF of a CRLF row delimiter. */
function lineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

function describeCsvError(error: CsvError, line: number): string {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `The row starting on line ${line} opens a quote that is never closed, so the rest of the file could not be read.`;
    case "CSV_MAX_RECORD_SIZE":
      return `The row starting on line ${line} is over 16 MB: a quote is probably not closed.`;
    default:
      return `Line ${line} could not be read: ${error.message}`;
  }
}

/** The chunks read while guessing the delimiter, then the rest of the source. */
async function* replay(head: unknown[], rest: AsyncIterator<unknown>): AsyncGenerator<unknown> {
  yield* head;
  yield* { [Symbol.asyncIterator]: () => rest };
}
