// Bytes → text for every text-based format: encoding detection, newline normalisation and the
// plain-text extractor. Detection (detect.ts) uses the same sniffing so both agree on what is text.
import { type ExtractedDocument, IngestError } from "./types";

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

const BOMS: [TextEncoding, number[]][] = [
  ["utf-8", [0xef, 0xbb, 0xbf]],
  ["utf-16le", [0xff, 0xfe]],
  ["utf-16be", [0xfe, 0xff]],
];

function bomOf(bytes: Uint8Array): TextEncoding | undefined {
  return BOMS.find(([, bom]) => bom.every((b, i) => bytes[i] === b))?.[0];
}

/** UTF-16 without a BOM: ASCII-range text has a NUL in every other byte, on one side only. */
function bomlessUtf16(bytes: Uint8Array): TextEncoding | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.7 && evenZero < pairs * 0.05) return "utf-16le";
  if (evenZero > pairs * 0.7 && oddZero < pairs * 0.05) return "utf-16be";
  return undefined;
}

function isUtf8(bytes: Uint8Array, complete: boolean): boolean {
  try {
    // stream: a head cut in the middle of a multi-byte character is still valid UTF-8.
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/**
 * Windows-1252's 0x80–0x9F. Node 20's TextDecoder("windows-1252") decodes these bytes as Latin-1
 * (C1 control characters) instead, so that range is mapped here.
 */
const CP1252_80_9F =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Like TextDecoder.decode, with `stream` for a head whose last character may be cut. */
export function decodeBytes(bytes: Uint8Array, encoding: string, stream = false): string {
  if (encoding !== "windows-1252") return new TextDecoder(encoding).decode(bytes, { stream });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("latin1")
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]);
}

/** Control characters other than tab and line breaks (vertical tab is Word's soft line break). */
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/** One stray control character (an old DOS end-of-file mark) does not make a short file binary. */
function mostlyPrintable(text: string): boolean {
  const controls = text.match(CONTROL)?.length ?? 0;
  return controls <= Math.max(1, text.length * 0.01);
}

/**
 * The encoding `bytes` are text in, or undefined when they look binary. `complete` says whether
 * `bytes` is the whole file (otherwise a head, whose last character may be cut).
 */
export function sniffEncoding(bytes: Uint8Array, complete = true): TextEncoding | undefined {
  const encoding = bomOf(bytes) ?? bomlessUtf16(bytes);
  if (encoding && encoding !== "utf-8") {
    return mostlyPrintable(decodeBytes(bytes, encoding)) ? encoding : undefined;
  }
  if (bytes.includes(0)) return undefined;
  const guess: TextEncoding = isUtf8(bytes, complete) ? "utf-8" : "windows-1252";
  return mostlyPrintable(decodeBytes(bytes, guess, !complete)) ? guess : undefined;
}

/**
 * Decodes a whole file. `declared` is a charset the content names itself (an HTML meta tag); it
 * wins over the Windows-1252 fallback but not over a BOM or valid UTF-8, which are stronger
 * evidence than a label that is often copied from a template.
 */
export function decodeText(bytes: Uint8Array, declared?: string): { text: string; encoding: string } {
  const bom = bomOf(bytes);
  const sniffed = sniffEncoding(bytes);
  if (!sniffed) {
    throw new IngestError("binary", "This file contains binary data, not text. Upload a text, Markdown, HTML, PDF or Word document.");
  }
  const named = !bom && sniffed === "windows-1252" && declared ? usableCharset(declared) : undefined;
  const encoding = named ?? sniffed;
  // TextDecoder drops a BOM matching its own encoding by default.
  return { text: decodeBytes(bytes, encoding), encoding };
}

/** A declared charset we can honour: one TextDecoder knows, and not UTF-16 (already ruled out). */
function usableCharset(label: string): string | undefined {
  try {
    const encoding = new TextDecoder(label).encoding;
    return encoding.startsWith("utf-16") || encoding === "replacement" ? undefined : encoding;
  } catch {
    return undefined;
  }
}

/**
 * The shape every extractor's text has: \n line breaks, no trailing spaces, at most one blank
 * line between paragraphs, and no NULs (PostgreSQL text columns reject them).
 */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\v/g, "\n")
    .replace(/\f/g, "\n\n")
    .replace(/\u0000/g, "")
    .replace(/[ \t\u00a0]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}

export function extractText(bytes: Uint8Array): ExtractedDocument {
  const { text, encoding } = decodeText(bytes);
  return { text: tidyText(text), pages: [], sections: [], metadata: { encoding } };
}

/**
 * A plain-text file read piece by piece, with the same text as extractText gives for the whole
 * file: the encoding is decided from the head (a later invalid byte becomes U+FFFD instead of
 * switching the whole file to Windows-1252), and tidyText's rules apply line by line. Yields text
 * pieces for chunkStream; holds about one read buffer. `encoding` is known before the first piece.
 */
export function streamText(source: AsyncIterable<Buffer>, head: Uint8Array, headIsWhole: boolean): { encoding: TextEncoding; pieces: AsyncGenerator<string> } {
  const encoding = sniffEncoding(head, headIsWhole);
  if (!encoding) throw new IngestError("binary", "This file contains binary data, not text. Upload a text, Markdown, HTML, PDF or Word document.");
  const decoder = encoding === "windows-1252" ? undefined : new TextDecoder(encoding);
  const decode = (bytes: Buffer, last: boolean) => (decoder ? decoder.decode(bytes, { stream: !last }) : decodeBytes(bytes, encoding));
  async function* pieces(): AsyncGenerator<string> {
    const lines = new TidyLines();
    let carry = "";
    const take = (text: string, last: boolean) => {
      // A \r at the end may be the first half of \r\n: keep it for the next piece.
      let all = carry + text;
      carry = "";
      if (!last && all.endsWith("\r")) {
        carry = "\r";
        all = all.slice(0, -1);
      }
      return lines.push(
        all
          .replace(/\r\n?/g, "\n")
          .replace(/\v/g, "\n")
          .replace(/\f/g, "\n\n")
          .replace(/\u0000/g, ""),
        last,
      );
    };
    for await (const bytes of source) {
      const out = take(decode(bytes, false), false);
      if (out) yield out;
    }
    const out = take(decoder ? decoder.decode() : "", true);
    if (out) yield out;
  }
  return { encoding, pieces: pieces() };
}

/** A line longer than this is passed on before its end is read (a file may have no line breaks at all). */
const LONG_LINE_CHARS = 64 * 1024;

/** What tidyText removes at the end of a line. */
function isTrailingSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0xa0;
}

/** tidyText on text that arrives in pieces (line breaks already \n); holds at most about one long line's worth. */
class TidyLines {
  /** The current line's text not passed on yet. */
  private partial = "";
  /** Part of the current line has been passed on already (it is not blank, and its separator is out). */
  private midLine = false;
  private started = false;
  private blankLines = 0;

  push(text: string, last: boolean): string {
    const lines = (this.partial + text).split("\n");
    this.partial = last ? "" : lines.pop()!;
    let out = "";
    for (const raw of lines) out += this.line(raw);
    if (this.partial.length > LONG_LINE_CHARS) {
      // Everything up to the last character tidyText would keep at the end of the line can go now;
      // the spaces after it wait for what follows them.
      let keep = this.partial.length;
      while (keep > 0 && isTrailingSpace(this.partial.charCodeAt(keep - 1))) keep--;
      if (keep > 0) {
        out += this.part(this.partial.slice(0, keep));
        this.partial = this.partial.slice(keep);
      }
    }
    return out;
  }

  /** The rest of a line, up to its end. */
  private line(raw: string): string {
    // As tidyText's /[ \t\u00a0]+$/gm, whose $ also matches before U+2028 and U+2029.
    const line = raw.replace(/[ \t\u00a0]+(?=[\u2028\u2029]|$)/g, "");
    if (this.midLine) {
      this.midLine = false;
      return line;
    }
    if (line === "") {
      if (this.started) this.blankLines++;
      return "";
    }
    return this.separator() + line;
  }

  /** The start of a line, ending with a character other than a trailing space. */
  private part(text: string): string {
    const part = text.replace(/[ \t\u00a0]+(?=[\u2028\u2029])/g, "");
    if (this.midLine) return part;
    this.midLine = true;
    return this.separator() + part;
  }

  private separator(): string {
    const separator = this.started ? (this.blankLines > 0 ? "\n\n" : "\n") : "";
    this.started = true;
    this.blankLines = 0;
    return separator;
  }
}
