// Places where a chunk may begin or end without changing how cl100k_base tokenizes either side.
//
// tiktoken first splits text with a regex (the "pre-tokenizer") and runs BPE inside each piece
// only, so token counts add up across a cut that falls between two pieces on which the regex
// agrees whether it sees the whole text or just the part before the cut. Two kinds of cut have
// that property, and both depend on whitespace alone (never on letters, digits or punctuation):
//
//  - just before the last whitespace character of a run when that character is not \r or \n and
//    a non-whitespace character follows ("foo| bar", "x.|  (y": the regex glues one leading
//    space, tab, NBSP … to the next word and never lets a piece run on from "o" into " ");
//  - just after a run that ends in \r or \n, before a non-whitespace character ("end.\n\n|Next":
//    newline runs always close the piece they end).
//
// So every whitespace run followed by a non-whitespace character yields exactly one cut, and the
// text between two consecutive cuts (an "atom") is one word with the whitespace around it. The
// chunker encodes long stretches of atoms in one WASM call and reads each atom's token count off
// that single encoding, which is what keeps it close to a bare encode in speed.
//
// Each cut gets a level (how natural a place it is to end a chunk): from the line breaks in its
// run, from sentence-ending punctuation before it, or from a section heading starting there.

export const Level = { WORD: 1, SENTENCE: 2, PARAGRAPH: 3, SECTION: 4, END: 5 } as const;

const CR = 0x0d;
const LF = 0x0a;

/** Unicode White_Space, which is what `\s` means in tiktoken's (Rust) regex; JS `\s` differs on U+0085 and U+FEFF. */
export function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/**
 * UTF-8 bytes that code unit `c` adds after code unit `prev`, counted the way the WASM binding's
 * TextEncoder does: a surrogate pair is 4 bytes (3 for the high half, 1 for the low), and a lone
 * surrogate becomes U+FFFD (3 bytes).
 */
export function utf8Bytes(c: number, prev: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) return 1;
  return 3;
}

/** True when `i` does not fall between the two halves of a surrogate pair. */
export function isCharBoundary(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return true;
  const c = text.charCodeAt(i);
  if (c < 0xdc00 || c > 0xdfff) return true;
  const p = text.charCodeAt(i - 1);
  return p < 0xd800 || p > 0xdbff;
}

function endsSentence(c: number): boolean {
  // . ! ? … and the CJK full-width forms
  return c === 0x2e || c === 0x21 || c === 0x3f || c === 0x2026 || c === 0x3002 || c === 0xff01 || c === 0xff1f;
}

function closesQuote(c: number): boolean {
  // " ' ) ] * _ ` ” ’ » — what may follow the full stop of a quoted, bracketed or emphasised sentence
  return c === 0x22 || c === 0x27 || c === 0x29 || c === 0x5d || c === 0x2a || c === 0x5f || c === 0x60 || c === 0x201d || c === 0x2019 || c === 0xbb;
}

/**
 * Finds cuts incrementally: text may arrive in pieces of any size (a piece may even end between
 * \r and \n or between the halves of a surrogate pair); `scan` resumes where it stopped and
 * appends the cuts it finds to `cutPos`/`cutBytes`/`cutLevel`. Positions are absolute offsets in
 * the whole text; `bytes` is the UTF-8 length of the text before `pos`.
 */
export class BoundaryScanner {
  pos = 0;
  bytes = 0;
  /** The last cut found (0, the start of the text, counts as one). */
  lastCut = 0;
  readonly cutPos: number[] = [];
  readonly cutBytes: number[] = [];
  readonly cutLevel: number[] = [];

  private inRun = false;
  /** Offset where the current whitespace run started, and the line breaks in it so far. */
  private runStart = 0;
  private runBreaks = 0;
  private sectionIdx = 0;

  /** `sectionStarts`: heading offsets in ascending order; a heading lifts the first cut at or after it to SECTION. */
  constructor(private readonly sectionStarts: readonly number[]) {
    while (this.sectionIdx < sectionStarts.length && sectionStarts[this.sectionIdx] <= 0) this.sectionIdx++;
  }

  /**
   * Reads `buf` (whose first code unit is at absolute offset `bufStart`) from `pos` up to absolute
   * offset `to`. `buf` must still hold the text from the last cut on, which the caller keeps anyway.
   */
  scan(buf: string, bufStart: number, to: number): void {
    let bytes = this.bytes;
    let inRun = this.inRun;
    let runBreaks = this.runBreaks;
    let runStart = this.runStart - bufStart;
    for (let i = this.pos - bufStart, end = to - bufStart; i < end; i++) {
      const c = buf.charCodeAt(i);
      // Printable ASCII is most of most text: one test and on.
      if (c > 0x20 && c < 0x80) {
        if (inRun) {
          this.endRun(buf, bufStart, runStart, i, runBreaks, bytes);
          inRun = false;
        }
        bytes++;
      } else if (c === 0x20 || (c <= 0x0d && c >= 0x09) || (c >= 0x85 && isWhiteSpace(c))) {
        if (!inRun) {
          inRun = true;
          runStart = i;
          runBreaks = 0;
        }
        // \r\n is one line break, a lone \r or \n is one too.
        if (c === CR || (c === LF && buf.charCodeAt(i - 1) !== CR)) runBreaks++;
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      } else {
        if (inRun) {
          this.endRun(buf, bufStart, runStart, i, runBreaks, bytes);
          inRun = false;
        }
        bytes += utf8Bytes(c, buf.charCodeAt(i - 1));
      }
    }
    this.pos = to;
    this.bytes = bytes;
    this.inRun = inRun;
    this.runBreaks = runBreaks;
    this.runStart = runStart + bufStart;
  }

  /** Marks the end of the text (call once everything has been scanned). */
  finish(): void {
    this.cutPos.push(this.pos);
    this.cutBytes.push(this.bytes);
    this.cutLevel.push(Level.END);
    this.lastCut = this.pos;
  }

  /** A whitespace run from buf[q] ends before the non-whitespace buf[p]: one cut, at p or p − 1. */
  private endRun(buf: string, bufStart: number, q: number, p: number, breaks: number, bytes: number): void {
    let level: number;
    if (breaks >= 2) level = Level.PARAGRAPH;
    else if (breaks === 1) level = Level.SENTENCE;
    else {
      // A full stop, possibly inside quotes or brackets, and no lower-case letter after it
      // ("e.g. the", "approx. 3" are not sentence ends).
      const before = buf.charCodeAt(q - 1);
      const next = buf.charCodeAt(p);
      const stop = endsSentence(before) || (closesQuote(before) && endsSentence(buf.charCodeAt(q - 2)));
      level = stop && !(next >= 0x61 && next <= 0x7a) ? Level.SENTENCE : Level.WORD;
    }
    const last = buf.charCodeAt(p - 1);
    if (last === CR || last === LF) this.addCut(bufStart + p, bytes, level);
    else this.addCut(bufStart + p - 1, bytes - (last < 0x80 ? 1 : last < 0x800 ? 2 : 3), level);
  }

  private addCut(pos: number, bytes: number, level: number): void {
    // A single space at the very start of the text would put a cut on offset 0, which is the start already.
    if (pos <= this.lastCut) return;
    const sections = this.sectionStarts;
    while (this.sectionIdx < sections.length && sections[this.sectionIdx] <= pos) {
      level = Level.SECTION;
      this.sectionIdx++;
    }
    this.cutPos.push(pos);
    this.cutBytes.push(bytes);
    this.cutLevel.push(level);
    this.lastCut = pos;
  }
}
