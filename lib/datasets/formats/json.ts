// JSON datasets: a top-level array of records, read element by element. The scanner follows only
// strings and bracket nesting, to find where each element ends; JSON.parse reads the element.
// So a 200 MB array is never held whole, and a broken element is one error, not a failed file.
// A record's `line` is its position in the array (1 for the first): unlike the line it starts on,
// that is unique when the whole array sits on one line. Messages give both.
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { ParsedRecord } from "./record";
import { isRecord } from "./record";

/** An element this large is far more likely an unclosed bracket than one record. */
const MAX_ELEMENT_CHARS = 16 * 1024 * 1024;

const NOT_AN_ARRAY = 'A JSON dataset must be an array of records, like [{"instruction": …}, …]. For one record per line, use JSONL.';

/**
 * One JSON text (a JSONL line or an array element) as a record, or why it is not one;
 * `label` names it in messages ("The record on line 3").
 */
export function recordFromJson(text: string, line: number, label: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, error: `${label} is not valid JSON (${(error as Error).message}).` };
  }
  if (!isRecord(value)) return { line, error: `${label} is ${describe(value)}, not an object with named fields.` };
  return { line, record: value };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

export async function* readJsonArray(source: Readable): AsyncGenerator<ParsedRecord> {
  const decoder = new StringDecoder("utf8");
  const scanner = new ArrayScanner();
  for await (const chunk of source) {
    yield* scanner.push(typeof chunk === "string" ? chunk : decoder.write(chunk));
    if (scanner.stopped) return;
  }
  yield* scanner.push(decoder.end());
  yield* scanner.end();
}

function isJsonWhitespace(char: string): boolean {
  return char === " " || char === "\n" || char === "\r" || char === "\t";
}

class ArrayScanner {
  private state: "before" | "inside" | "after" | "stopped" = "before";
  private line = 1;
  /** Elements begun so far. */
  private count = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Line where the current element starts; 0 between elements. */
  private elementLine = 0;
  /** The current element's text from earlier pieces. */
  private pending: string[] = [];
  private pendingChars = 0;
  private out: ParsedRecord[] = [];

  get stopped(): boolean {
    return this.state === "stopped";
  }

  /** Feeds the next piece of text; returns the records it completed. */
  push(text: string): ParsedRecord[] {
    let start = 0;
    for (let i = 0; i < text.length && this.state !== "stopped"; i++) {
      const char = text[i];
      if (char === "\n") this.line++;
      if (this.state === "inside") {
        if (this.elementLine === 0 && !isJsonWhitespace(char) && char !== "," && char !== "]") {
          this.elementLine = this.line;
          this.count++;
          start = i;
        }
        if (this.endsElement(char)) {
          this.finishElement(text.slice(start, i));
          if (char === "]") this.state = "after";
        }
      } else if (!isJsonWhitespace(char) && char !== "\uFEFF") {
        if (this.state === "after") this.stop(`Unexpected text after the closing "]" on line ${this.line}.`);
        else if (char === "[") this.state = "inside";
        else this.stop(NOT_AN_ARRAY);
      }
    }
    if (this.elementLine !== 0) this.keepPiece(text.slice(start));
    return this.flush();
  }

  /** Called once the text has ended. */
  end(): ParsedRecord[] {
    if (this.state === "before") this.stop(NOT_AN_ARRAY);
    if (this.state === "inside") {
      this.finishElement("");
      this.stop('The file ends before the array is closed with "]": it may be cut short.');
    }
    return this.flush();
  }

  /** Whether `char` is the "," or "]" that ends the element; also tracks strings and nesting. */
  private endsElement(char: string): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (char === "\\") this.escaped = true;
      else if (char === '"') this.inString = false;
      return false;
    }
    if (char === '"') this.inString = true;
    else if (char === "{" || char === "[") this.depth++;
    else if ((char === "}" || char === "]") && this.depth > 0) this.depth--;
    else return this.depth === 0 && (char === "," || char === "]");
    return false;
  }

  private keepPiece(piece: string): void {
    this.pending.push(piece);
    this.pendingChars += piece.length;
    if (this.pendingChars > MAX_ELEMENT_CHARS) {
      this.stop(
        `Record ${this.count} of the array (line ${this.elementLine}) is over 16 MB: ` +
          "a bracket or quote is probably not closed. The rest of the file was not read.",
      );
    }
  }

  /** Empty elements (a trailing comma) are skipped. */
  private finishElement(lastPiece: string): void {
    if (this.elementLine === 0) return;
    const text = this.pending.join("") + lastPiece;
    this.out.push(recordFromJson(text, this.count, `Record ${this.count} of the array (line ${this.elementLine})`));
    this.pending = [];
    this.pendingChars = 0;
    this.elementLine = 0;
  }

  /** Reports why the rest of the file cannot be read, numbered after the records before it. */
  private stop(error: string): void {
    this.out.push({ line: this.elementLine === 0 ? this.count + 1 : this.count, error });
    this.state = "stopped";
  }

  private flush(): ParsedRecord[] {
    const records = this.out;
    this.out = [];
    return records;
  }
}
