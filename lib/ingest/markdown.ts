// Markdown is kept as written (the markup helps the model as much as it helps people); only YAML
// front matter is removed. Sections come from ATX (# …) and setext (underlined) headings.
import { parse as parseYaml } from "yaml";
import { decodeText, streamText, type TextEncoding, tidyText } from "./text";
import type { ExtractedDocument, SectionMark } from "./types";

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
/** Lines that open some other block, so a following underline is not a setext heading. */
const OTHER_BLOCK = /^ {0,3}([-+*][ \t]|\d{1,9}[.)][ \t]|>)|^( {4}|\t)/;

export function extractMarkdown(bytes: Uint8Array): ExtractedDocument {
  const { text: raw, encoding } = decodeText(bytes);
  const { body, title: frontMatterTitle } = splitFrontMatter(tidyText(raw));
  const text = tidyText(body);
  const sections = markdownSections(text);
  const title = frontMatterTitle ?? sections.find((s) => s.level === 1)?.heading;
  const includes = unresolvedIncludes(text);
  return { text, pages: [], sections, metadata: { encoding, ...(title ? { title } : {}), ...includes.metadata }, ...includes.warnings };
}

/** The include directives left in a whole text: metadata counts and, when there are any, the warning. */
export function unresolvedIncludes(text: string): { metadata: Record<string, unknown>; warnings: { warnings?: string[] } } {
  const counter = new IncludeCounter();
  counter.feed(text);
  const warnings = counter.warnings();
  return { metadata: counter.metadata(), warnings: warnings.length ? { warnings } : {} };
}

/**
 * Include directives of the documentation tools people export Markdown from: mdBook
 * ({{#include file}}, {{#rustdoc_include}}, {{#playground}}), Jekyll ({% include %}) and MkDocs
 * snippets (--8<-- "file"). A single uploaded file cannot resolve them, so they stay as written
 * and the source says how many there are instead of passing the paths off as text. An escaped
 * one (\{{#include}}, how mdBook's own docs show the syntax) is text.
 */
const INCLUDES: [tool: string, pattern: RegExp][] = [
  ["mdBook", /(?<!\\)\{\{#(?:include|rustdoc_include|playground)\s+[^}\n]+\}\}/g],
  ["Jekyll", /\{%-?\s*include(?:_relative)?\s+[^%\n]+-?%\}/g],
  ["MkDocs", /^[ \t]*--8<--[ \t]+["']?[^\s"']+/gm],
];

/** Counts include directives in text fed whole or piece by piece (a line split between pieces is joined first). */
export class IncludeCounter {
  private readonly counts = new Map<string, number>();
  private carry = "";

  feed(piece: string): void {
    const text = this.carry + piece;
    const end = text.lastIndexOf("\n");
    this.carry = end < 0 ? text : text.slice(end + 1);
    if (this.carry.length > 64 * 1024) this.carry = "";
    if (end >= 0) this.count(text.slice(0, end + 1));
  }

  private count(text: string): void {
    for (const [tool, pattern] of INCLUDES) {
      const n = text.match(pattern)?.length ?? 0;
      if (n) this.counts.set(tool, (this.counts.get(tool) ?? 0) + n);
    }
  }

  private flush(): void {
    if (this.carry) this.count(this.carry);
    this.carry = "";
  }

  metadata(): Record<string, unknown> {
    this.flush();
    return this.counts.size ? { unresolvedIncludes: Object.fromEntries(this.counts) } : {};
  }

  warnings(): string[] {
    this.flush();
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    if (!total) return [];
    const tools = [...this.counts].map(([tool, n]) => `${n} ${tool}`).join(", ");
    return [
      `${total} include ${total === 1 ? "directive was" : "directives were"} not resolved (${tools}): the included files are not part of this upload, so their content is missing and the directive stays as text. Upload the folder as a ZIP (includes are resolved from it), or paste the included content in.`,
    ];
  }
}

/**
 * What streamMarkdown holds at most at once: a line, the front matter, the open paragraph (which an
 * underline may turn into a heading). A file that needs more is left to extractMarkdown.
 */
export const MARKDOWN_STREAM_HOLD_CHARS = 1024 * 1024;

export type MarkdownStream = {
  encoding: TextEncoding;
  /** extractMarkdown's sections and metadata for this text. */
  sections: SectionMark[];
  metadata: Record<string, unknown>;
  /** True when the text is only whitespace (extractDocument refuses such a file as empty). */
  blank: boolean;
  /** The text, piece by piece, from a second read of the file. */
  pieces: AsyncGenerator<string>;
};

/**
 * extractMarkdown for a file read piece by piece (`read` opens it, and is called twice): a first
 * pass finds the front matter and the sections, which the chunker must know ahead of the text, and
 * keeps only those; the second yields the text. Text, sections and metadata are extractMarkdown's,
 * except that the encoding is decided from `head` (see streamText). Undefined when the file needs
 * more than MARKDOWN_STREAM_HOLD_CHARS held at once (a longer line, front matter or underlined
 * paragraph): the caller then extracts it whole.
 */
export async function streamMarkdown(read: () => AsyncIterable<Buffer>, head: Uint8Array, headIsWhole: boolean): Promise<MarkdownStream | undefined> {
  const hold = MARKDOWN_STREAM_HOLD_CHARS;
  const { encoding, pieces } = streamText(read(), head, headIsWhole);
  // extractMarkdown's text is the tidy text T, less its front matter (a first line "---", then
  // everything up to the first later line, from the third on, that is "---" or "..."), less the
  // blank lines that follow it. Until such a closing line turns up, both readings are followed:
  // `whole` scans T for sections as if there were no front matter.
  const whole = new MarkdownSectionScanner(hold);
  let body: MarkdownSectionScanner | undefined;
  let frontMatter: string[] | undefined;
  let frontMatterChars = 0;
  /** Offset in T where the text starts (after the front matter and the blank lines after it). */
  let textStart = -1;
  let wholeBlank = true;
  let bodyBlank = true;
  let lineNo = 0;
  const onLine = (line: string, start: number, terminated: boolean): boolean => {
    if (line.length > hold) return false;
    const blank = !/\S/.test(line);
    if (body) {
      if (textStart < 0 && line !== "") textStart = start;
      if (textStart >= 0) body.line(line, start - textStart);
      bodyBlank &&= blank;
    } else {
      whole.line(line, start);
      wholeBlank &&= blank;
      if (lineNo === 0 && line === "---" && terminated) frontMatter = [];
      else if (frontMatter && lineNo >= 2 && (line === "---" || line === "...")) {
        if (frontMatterChars > hold) return false;
        body = new MarkdownSectionScanner(hold);
      } else if (frontMatter) {
        frontMatterChars += line.length + 1;
        if (frontMatterChars <= hold) frontMatter.push(line);
      }
    }
    lineNo++;
    return true;
  };
  let partial = "";
  let offset = 0;
  for await (const piece of pieces) {
    let from = 0;
    for (let nl = piece.indexOf("\n"); nl >= 0; nl = piece.indexOf("\n", from)) {
      const line = partial + piece.slice(from, nl);
      partial = "";
      if (!onLine(line, offset, true)) return undefined;
      offset += line.length + 1;
      from = nl + 1;
    }
    partial += piece.slice(from);
    if (partial.length > hold) return undefined;
  }
  if (!onLine(partial, offset, false)) return undefined;

  const scanner = body ?? whole;
  if (scanner.overflowed) return undefined;
  const skip = body ? (textStart < 0 ? offset + partial.length : textStart) : 0;
  let title: string | undefined;
  if (body && frontMatter) title = frontMatterTitle(frontMatter.join("\n"));
  title ??= scanner.sections.find((s) => s.level === 1)?.heading;
  async function* text(): AsyncGenerator<string> {
    let skipped = 0;
    for await (const piece of streamText(read(), head, headIsWhole).pieces) {
      if (skipped >= skip) {
        yield piece;
        continue;
      }
      const rest = piece.slice(skip - skipped);
      skipped += piece.length;
      if (rest) yield rest;
    }
  }
  return {
    encoding,
    sections: scanner.sections,
    metadata: { encoding, ...(title ? { title } : {}) },
    blank: body ? bodyBlank : wholeBlank,
    pieces: text(),
  };
}

function frontMatterTitle(yaml: string): string | undefined {
  try {
    const data: unknown = parseYaml(yaml);
    const value = data && typeof data === "object" ? (data as Record<string, unknown>).title : undefined;
    if (typeof value === "string" && value.trim()) return value.trim();
  } catch {
    // Malformed front matter is still front matter; it just has no usable title.
  }
  return undefined;
}

function splitFrontMatter(text: string): { body: string; title?: string } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { body: text };
  return { body: text.slice(match[0].length), title: frontMatterTitle(match[1]) };
}

export function markdownSections(text: string): SectionMark[] {
  const scanner = new MarkdownSectionScanner();
  let offset = 0;
  for (const line of text.split("\n")) {
    scanner.line(line, offset);
    offset += line.length + 1;
  }
  return scanner.sections;
}

/**
 * A copy of `text` that does not keep the string it was cut from alive (V8 makes a slice point
 * into its parent): a heading read from a streamed piece would otherwise hold on to the piece.
 */
function detached(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
}

/**
 * markdownSections one line at a time (`start`: the line's offset in the text), for text read in
 * pieces. The open paragraph is kept in case an underline makes it a heading; past
 * `maxParagraphChars` its lines are no longer kept, and an underline after such a paragraph sets
 * `overflowed` (its heading is not known) instead of recording a heading.
 */
export class MarkdownSectionScanner {
  readonly sections: SectionMark[] = [];
  overflowed = false;
  private fence: string | undefined;
  // The open paragraph, which an underline turns into a setext heading.
  private paragraph: { start: number; lines: string[]; chars: number } | undefined;
  private inOtherBlock = false;

  constructor(private readonly maxParagraphChars = Infinity) {}

  line(line: string, start: number): void {
    const sections = this.sections;
    if (this.fence) {
      const close = FENCE_CLOSE.exec(line)?.[1];
      if (close && close[0] === this.fence[0] && close.length >= this.fence.length) this.fence = undefined;
      return;
    }
    const atx = ATX.exec(line);
    const underline = SETEXT_UNDERLINE.exec(line);
    if (line.trim() === "") {
      this.inOtherBlock = false;
    } else if (FENCE.test(line)) {
      this.fence = FENCE.exec(line)![1];
    } else if (atx) {
      const heading = (atx[2] ?? "").trim();
      if (heading) sections.push({ heading: detached(heading), level: atx[1].length, start });
    } else if (underline) {
      // Without a paragraph above, a line of dashes is a thematic break.
      if (this.paragraph && this.paragraph.chars > this.maxParagraphChars) this.overflowed = true;
      else if (this.paragraph) {
        sections.push({ heading: detached(this.paragraph.lines.join(" ")), level: underline[1][0] === "=" ? 1 : 2, start: this.paragraph.start });
      }
    } else if (OTHER_BLOCK.test(line) || this.inOtherBlock) {
      this.inOtherBlock = true;
    } else {
      this.paragraph ??= { start, lines: [], chars: 0 };
      this.paragraph.chars += line.length;
      if (this.paragraph.chars <= this.maxParagraphChars) this.paragraph.lines.push(line.trim());
      return;
    }
    this.paragraph = undefined;
  }
}
