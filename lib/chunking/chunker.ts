// Token chunker: one pass over the text, one WASM encode per ~32 KB block, bounded memory.
//
// How a chunk is chosen (all counts are cl100k_base tokens of the stored chunk text):
//  - The text is cut into atoms at the cuts described in boundaries.ts (≈ one word each). Token
//    counts add up across cuts, so a chunk's count is the sum of its atoms' counts, read off a
//    single encoding of each block.
//  - From the chunk's start, the chunker takes atoms while the chunk stays within the size, then
//    ends it at the last cut of the highest level it passed: end of text > section start >
//    paragraph (blank line) > sentence end or line break > word. Only cuts that leave the chunk at
//    least minFillTokens full compete, unless there are none.
//  - An atom that cannot fit next to a full overlap (more than size − overlap tokens), or that is
//    longer than longRunChars(size) characters without a cut (measuring it would cost quadratic
//    time in tiktoken's BPE), is "split inside": a chunk that reaches one ends where it begins, and
//    chunks through it end where a direct encoding of the chunk text says the size is reached (at a
//    character boundary, never between the halves of a surrogate pair).
//
// Overlap rule: the next chunk starts at the earliest cut c after the previous chunk's start such
// that text[c, prev.end) has at most `overlap` tokens and no atom split inside. The overlap is
// therefore at most `overlap` tokens and, unless it reaches back to the previous chunk's start or to
// a split-inside atom, more than `overlap` minus the tokens of the atom just before c (the word at
// the boundary). When no cut qualifies (the last atom alone is over the budget, is split inside, or
// is where the previous chunk started), the overlap starts inside that atom, at the earliest
// position found whose suffix encodes to at most `overlap` tokens, so that consecutive chunks
// still overlap (guaranteed when overlap ≥ 4: any one character is at most 4 tokens).
//
// The only way a chunk can exceed the size is a chunk size below 4 with a character that needs more
// tokens than that: such a character still goes whole into one chunk.
import type { ExtractedDocument, PageSpan, SectionMark } from "@/lib/ingest/types";
import { getEncoder } from "@/lib/tokens";
import { BoundaryScanner, isCharBoundary, Level } from "./boundaries";
import type { ChunkOptions, ChunkStrategy, TextChunk } from "./types";

export type DocumentStructure = { pages: readonly PageSpan[]; sections: readonly SectionMark[] };

/** Characters scanned, then encoded in one call. */
const BLOCK_CHARS = 32_768;
/** Atom token count meaning "split inside". */
const SPLIT_INSIDE = -1;
/** cl100k_base's ordinary tokens are 0 … 100255; encode_ordinary yields nothing else. */
const ORDINARY_TOKENS = 100_256;

/**
 * Longest run without a cut that is measured as a whole for a budget of `tokens`. Runs that long
 * hardly ever fit anyway (cl100k averages about 4 characters per token), and tiktoken's BPE takes
 * time quadratic in the length of a single pre-token, so longer runs are measured a window at a time.
 */
export function longRunChars(tokens: number): number {
  return Math.max(2048, 8 * tokens);
}

/**
 * Tokens a chunk should hold before a natural boundary may end it: a quarter of the size, and more
 * than the overlap so that the next chunk's overlap never has to swallow this chunk whole.
 */
export function minFillTokens(options: ChunkOptions): number {
  return Math.max(options.chunkOverlapTokens + 1, Math.ceil(options.chunkSizeTokens / 4));
}

export function validateChunkOptions(options: ChunkOptions): void {
  const { chunkSizeTokens: size, chunkOverlapTokens: overlap } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`Chunk size must be a whole number of tokens, at least 1 (got ${size}).`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size / 2) {
    throw new Error(`Chunk overlap must be a whole number of tokens, at least 0 and less than half the chunk size ${size} (got ${overlap}).`);
  }
}

let tokenLengths: Uint16Array | undefined;

/** UTF-8 length of every ordinary token, to map an encoding back onto the text. */
function tokenByteLengths(): Uint16Array {
  if (!tokenLengths) {
    const encoder = getEncoder();
    const lengths = new Uint16Array(ORDINARY_TOKENS);
    for (let t = 0; t < ORDINARY_TOKENS; t++) lengths[t] = encoder.decode_single_token_bytes(t).length;
    tokenLengths = lengths;
  }
  return tokenLengths;
}

/**
 * Offset in `text` of a character boundary near UTF-8 byte offset `target`: the last one at or
 * before it (`floor`) or the first one at or after it. Tokens may end inside a character.
 */
function charAtByte(text: string, target: number, floor: boolean): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < target) {
    const c = text.charCodeAt(i);
    let units = 1;
    let length = 3;
    if (c < 0x80) length = 1;
    else if (c < 0x800) length = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        units = 2;
        length = 4;
      }
    }
    if (bytes + length > target) return floor ? i : i + units;
    bytes += length;
    i += units;
  }
  return i;
}

/** Index of the last item starting at or before `pos`, or −1. */
function lastStartingBy(items: readonly { start: number }[], pos: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid].start <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The chunker as a push parser: `push` text, then `finish`; chunks go to `onChunk` as soon as they
 * are settled. It keeps only the text from the current chunk's start on, plus one block.
 */
class ChunkEngine {
  private readonly size: number;
  private readonly overlap: number;
  private readonly longRun: number;
  private readonly minFill: number;
  private readonly strategy: ChunkStrategy;
  private readonly scanner: BoundaryScanner;
  private readonly encoder = getEncoder();
  private readonly lengths = tokenByteLengths();

  private buf = "";
  /** Offset in the whole text of buf[0]. */
  private bufStart = 0;
  private finished = false;
  private ended = false;
  private done = false;

  // Atoms with a known token count: atom i runs from cutPos[i] to cutPos[i + 1]. When the last
  // atom is a run still being read (hardOpen), atomTok has one entry more than cutPos has atoms.
  private cutPos: number[] = [0];
  private cutLevel: number[] = [Level.WORD];
  private atomTok: number[] = [];
  /** UTF-8 offset of the last entry of cutPos. */
  private cutBytes = 0;
  private hardOpen = false;

  // The chunk being built: it starts at `start`; either `used` tokens bring it to cut `walkFrom`
  // (with that cut already a candidate end when `bestAtStart`), or it starts in split-inside atom `hardAtom`.
  private start = 0;
  private walkFrom = 0;
  private used = 0;
  private bestAtStart = false;
  /** Tokens of the chunk being built that repeat the previous chunk's end (its overlap). */
  private carried = 0;
  private hardAtom = -1;
  private prevEnd = 0;
  private index = 0;
  /** Characters per token in the last chunk cut inside a run, to size the next window. */
  private charsPerToken = 4;

  constructor(
    options: ChunkOptions,
    private readonly structure: DocumentStructure,
    private readonly onChunk: (chunk: TextChunk) => void,
  ) {
    validateChunkOptions(options);
    this.size = options.chunkSizeTokens;
    this.overlap = options.chunkOverlapTokens;
    this.longRun = longRunChars(this.size);
    this.minFill = minFillTokens(options);
    this.strategy = options.strategy ?? "tokens";
    this.scanner = new BoundaryScanner(structure.sections.map((s) => s.start));
  }

  push(piece: string): void {
    if (piece.length === 0) return;
    this.buf += piece;
    this.pump();
  }

  finish(): void {
    this.finished = true;
    this.pump();
  }

  private pump(): void {
    const scanner = this.scanner;
    for (;;) {
      const end = this.bufStart + this.buf.length;
      if (scanner.pos < end) scanner.scan(this.buf, this.bufStart, Math.min(end, scanner.pos + BLOCK_CHARS));
      const scannedAll = scanner.pos === end;
      if (this.finished && scannedAll && !this.ended) {
        if (end === 0) {
          this.done = true;
          return;
        }
        scanner.finish();
        this.ended = true;
      }
      const pending = scanner.cutPos.length;
      if (pending > 0 && (this.hardOpen || this.ended || scanner.cutPos[pending - 1] - this.cutPos[this.cutPos.length - 1] >= BLOCK_CHARS)) {
        this.flush();
      }
      // A run this long will be split inside whatever its length turns out to be; saying so now
      // lets chunking go on through it before its end has even been read.
      if (!this.hardOpen && !this.ended && scanner.pos - scanner.lastCut > this.longRun) {
        this.flush();
        this.atomTok.push(SPLIT_INSIDE);
        this.hardOpen = true;
      }
      while (!this.done && this.step()) this.compact();
      if (scannedAll) return;
    }
  }

  /** Moves the scanner's cuts over as atoms, counting their tokens with one encode per stretch of short atoms. */
  private flush(): void {
    const scanner = this.scanner;
    const count = scanner.cutPos.length;
    let k = 0;
    if (this.hardOpen) {
      // Closes the run being read, whose SPLIT_INSIDE count is in atomTok already.
      this.addCut(0);
      this.hardOpen = false;
      k = 1;
    }
    let from = k;
    for (; k < count; k++) {
      const prev = k === 0 ? this.cutPos[this.cutPos.length - 1] : scanner.cutPos[k - 1];
      if (scanner.cutPos[k] - prev > this.longRun) {
        this.countAtoms(from, k);
        this.atomTok.push(SPLIT_INSIDE);
        this.addCut(k);
        from = k + 1;
      }
    }
    this.countAtoms(from, count);
    scanner.cutPos.length = 0;
    scanner.cutBytes.length = 0;
    scanner.cutLevel.length = 0;
  }

  private addCut(k: number): void {
    const scanner = this.scanner;
    this.cutPos.push(scanner.cutPos[k]);
    this.cutLevel.push(scanner.cutLevel[k]);
    this.cutBytes = scanner.cutBytes[k];
  }

  /** Token counts of the atoms ending at scanner cuts from … to−1, from a single encoding. */
  private countAtoms(from: number, to: number): void {
    if (from >= to) return;
    const scanner = this.scanner;
    const startBytes = this.cutBytes;
    const tokens = this.encoder.encode_ordinary(this.text(this.cutPos[this.cutPos.length - 1], scanner.cutPos[to - 1]));
    const lengths = this.lengths;
    const fits = this.size - this.overlap;
    let t = 0;
    let bytes = 0;
    for (let k = from; k < to; k++) {
      const target = scanner.cutBytes[k] - startBytes;
      const first = t;
      while (t < tokens.length && bytes + lengths[tokens[t]] <= target) bytes += lengths[tokens[t++]];
      const atom = t - first;
      this.atomTok.push(atom > fits ? SPLIT_INSIDE : atom);
      this.addCut(k);
    }
  }

  /** Settles one chunk; false when that needs text not read yet. */
  private step(): boolean {
    return this.hardAtom >= 0 ? this.splitInside() : this.walk();
  }

  /**
   * Takes whole atoms from cut `walkFrom` on and ends the chunk at the best cut passed: the last of
   * the highest level among those that leave the chunk with at least `minFill` tokens, or among all
   * of them when none does (a section start right after the overlap would otherwise make a chunk
   * that is little more than the overlap).
   */
  private walk(): boolean {
    const { cutPos, cutLevel, atomTok } = this;
    let i = this.walkFrom;
    let used = this.used;
    // "paragraphs": a paragraph break (or higher) beats every lower cut, full or not.
    const paragraphs = this.strategy === "paragraphs";
    const score = () => (paragraphs && cutLevel[i] >= Level.PARAGRAPH ? 2 * (Level.END + 1) : 0) + (used >= this.minFill ? Level.END + 1 : 0) + cutLevel[i];
    let best = this.bestAtStart ? i : -1;
    let bestTokens = used;
    let bestScore = best >= 0 ? score() : 0;
    let atSection = false;
    while (cutLevel[i] !== Level.END) {
      if (i >= atomTok.length) return false;
      const t = atomTok[i];
      if (t === SPLIT_INSIDE || used + t > this.size) {
        if (best < 0) {
          this.hardAtom = i;
          return this.splitInside();
        }
        if (t === SPLIT_INSIDE) {
          best = i;
          bestTokens = used;
        }
        break;
      }
      used += t;
      i++;
      if (this.strategy === "sections" && cutLevel[i] === Level.SECTION) {
        if (used > this.carried) {
          // The section ends the chunk, and the next one starts at its heading.
          best = i;
          bestTokens = used;
          atSection = true;
          break;
        }
        // Nothing but the previous chunk's overlap before the heading: start at the heading instead.
        this.start = cutPos[i];
        this.carried = 0;
        used = 0;
        best = -1;
        bestTokens = 0;
        bestScore = 0;
        continue;
      }
      if (score() >= bestScore) {
        best = i;
        bestTokens = used;
        bestScore = score();
      }
    }
    const chunkStart = this.start;
    this.emit(chunkStart, cutPos[best], bestTokens);
    if (cutLevel[best] === Level.END) {
      this.done = true;
      return true;
    }
    if (atSection) {
      this.walkFrom = best;
      this.bestAtStart = false;
      this.start = cutPos[best];
      this.used = 0;
      this.carried = 0;
      return true;
    }
    let j = best;
    let overlap = 0;
    while (j > 0) {
      const t = atomTok[j - 1];
      if (t === SPLIT_INSIDE || overlap + t > this.overlap || cutPos[j - 1] <= chunkStart) break;
      overlap += t;
      j--;
    }
    this.walkFrom = best;
    this.bestAtStart = false;
    if (j < best) {
      this.start = cutPos[j];
      this.used = overlap;
    } else {
      const tail = this.tail(Math.max(cutPos[best - 1], this.nextChar(chunkStart)), cutPos[best]);
      this.start = tail.start;
      this.used = tail.tokens;
    }
    this.carried = this.used;
    return true;
  }

  /** One chunk that ends inside atom `hardAtom`, or runs through its end and on via `walk`. */
  private splitInside(): boolean {
    const h = this.hardAtom;
    const s = this.start;
    const closed = h + 1 < this.cutPos.length;
    const runEnd = closed ? this.cutPos[h + 1] : Infinity;
    let limit = Math.min(runEnd, Math.max(s, this.cutPos[h]) + this.longRun);
    if (!this.isBoundary(limit)) limit--;
    const minEnd = Math.max(this.prevEnd, s);
    // BPE time grows with the square of a run's length, so the window is sized from the
    // characters per token seen so far, aiming a little under the size so that one encoding
    // usually settles the chunk. Nothing is kept from a call that returns false, so a stream
    // waiting for text makes the same choices as a whole document.
    let perToken = this.charsPerToken;
    for (;;) {
      let end = Math.min(limit, Math.max(minEnd + 1, s + Math.ceil(perToken * this.size * 0.95)));
      if (!this.isBoundary(end)) end++;
      // Until the run's end has been read, the window must stop short of any place it may end (a
      // cut is known once the character after it has been scanned).
      if (!closed && this.scanner.pos <= end + 1) return false;
      const tokens = this.encode(s, end);
      perToken = (end - s) / Math.max(1, tokens.length);
      if (tokens.length <= this.size) {
        if (end === runEnd) {
          this.charsPerToken = perToken;
          this.hardAtom = -1;
          this.walkFrom = h + 1;
          this.used = tokens.length;
          this.bestAtStart = true;
          return this.walk();
        }
        if (tokens.length >= 0.9 * this.size || end === limit) return this.emitInside(s, end, tokens.length);
        continue;
      }
      const window = this.text(s, end);
      let k = this.size;
      for (;;) {
        let e = s + charAtByte(window, this.bytesOf(tokens, 0, k), true);
        if (e <= minEnd) e = this.nextChar(minEnd);
        const n = this.encode(s, e).length;
        if (n <= this.size || e === this.nextChar(minEnd)) return this.emitInside(s, e, n);
        // BPE of a prefix need not match a prefix of the BPE: back off by the excess and re-check.
        k -= n - this.size;
      }
    }
  }

  private emitInside(start: number, end: number, tokens: number): boolean {
    this.charsPerToken = (end - start) / tokens;
    this.emit(start, end, tokens);
    this.start = this.tail(Math.max(this.cutPos[this.hardAtom], this.nextChar(start)), end).start;
    this.carried = 0;
    return true;
  }

  /**
   * Where an overlap that must begin at or after `from` starts when it ends at `end` and cannot
   * begin at a cut: the earliest position found whose suffix encodes to at most `overlap` tokens.
   */
  private tail(from: number, end: number): { start: number; tokens: number } {
    const budget = this.overlap;
    if (budget === 0 || from >= end) return { start: end, tokens: 0 };
    // Sixteen characters a token is far more than text needs; only runs like "=====" get less overlap.
    let windowStart = Math.max(from, end - 16 * budget);
    if (!this.isBoundary(windowStart)) windowStart++;
    const window = this.text(windowStart, end);
    const tokens = this.encoder.encode_ordinary(window);
    if (tokens.length <= budget) return { start: windowStart, tokens: tokens.length };
    const total = this.bytesOf(tokens, 0, tokens.length);
    for (let k = budget; k > 0; ) {
      const start = windowStart + charAtByte(window, total - this.bytesOf(tokens, tokens.length - k, tokens.length), false);
      if (start >= end) break;
      const m = this.encode(start, end).length;
      if (m <= budget) return { start, tokens: m };
      k -= m - budget;
    }
    return { start: end, tokens: 0 };
  }

  private emit(start: number, end: number, tokenCount: number): void {
    const content = this.text(start, end);
    const metadata: TextChunk["metadata"] = {};
    const { pages, sections } = this.structure;
    if (pages.length > 0) {
      // A page runs to where the next one starts, so text between two spans counts as the earlier page's.
      metadata.page_start = pages[Math.max(0, lastStartingBy(pages, start))].page;
      metadata.page_end = pages[Math.max(0, lastStartingBy(pages, end - 1))].page;
    }
    // The section of the chunk's own text: the overlap it repeats belongs to the previous chunk.
    const section = lastStartingBy(sections, Math.max(start, Math.min(this.prevEnd, end - 1)));
    if (section >= 0) metadata.section = sections[section].heading;
    this.onChunk({ index: this.index++, content, tokenCount, charCount: content.length, start, end, metadata });
    this.prevEnd = end;
  }

  /** Forgets atoms and text before the chunk being built. */
  private compact(): void {
    let keep = this.hardAtom >= 0 ? this.hardAtom : this.walkFrom;
    while (keep > 0 && this.cutPos[keep] > this.start) keep--;
    if (keep >= 4096) {
      this.cutPos.splice(0, keep);
      this.cutLevel.splice(0, keep);
      this.atomTok.splice(0, keep);
      if (this.hardAtom >= 0) this.hardAtom -= keep;
      else this.walkFrom -= keep;
    }
    const drop = this.start - this.bufStart;
    if (drop >= BLOCK_CHARS && drop * 2 >= this.buf.length) {
      this.buf = this.buf.slice(drop);
      this.bufStart = this.start;
    }
  }

  private text(start: number, end: number): string {
    return this.buf.slice(start - this.bufStart, end - this.bufStart);
  }

  private encode(start: number, end: number): Uint32Array {
    return this.encoder.encode_ordinary(this.text(start, end));
  }

  private bytesOf(tokens: Uint32Array, from: number, to: number): number {
    let bytes = 0;
    for (let t = from; t < to; t++) bytes += this.lengths[tokens[t]];
    return bytes;
  }

  private isBoundary(pos: number): boolean {
    return isCharBoundary(this.buf, pos - this.bufStart);
  }

  private nextChar(pos: number): number {
    return this.isBoundary(pos + 1) ? pos + 1 : pos + 2;
  }
}

/** Chunks a whole extracted document. */
export function chunkDocument(doc: Pick<ExtractedDocument, "text" | "pages" | "sections">, options: ChunkOptions): TextChunk[] {
  const chunks: TextChunk[] = [];
  const engine = new ChunkEngine(options, doc, (chunk) => chunks.push(chunk));
  engine.push(doc.text);
  engine.finish();
  return chunks;
}

/** Characters iterateChunks hands the chunker at a time. */
const FEED_CHARS = 256 * 1024;

/**
 * chunkDocument's chunks one at a time, made as they are asked for (the text goes to the chunker a
 * block at a time), so that a caller storing them as they come never holds them all.
 */
export function iterateChunks(doc: Pick<ExtractedDocument, "text" | "pages" | "sections">, options: ChunkOptions): Generator<TextChunk> {
  const ready: TextChunk[] = [];
  const engine = new ChunkEngine(options, doc, (chunk) => ready.push(chunk));
  return (function* () {
    for (let at = 0; at < doc.text.length; at += FEED_CHARS) {
      engine.push(doc.text.slice(at, at + FEED_CHARS));
      yield* ready.splice(0);
    }
    engine.finish();
    yield* ready.splice(0);
  })();
}

/**
 * Chunks text read piece by piece (pieces of any size, split anywhere), yielding each chunk once
 * it is settled and holding only about one chunk plus one block of text: the same chunks as
 * chunkDocument on the concatenated text. `structure` gives pages and sections as offsets in that text.
 */
export function chunkStream(
  source: AsyncIterable<string>,
  options: ChunkOptions,
  structure: DocumentStructure = { pages: [], sections: [] },
): AsyncGenerator<TextChunk> {
  const ready: TextChunk[] = [];
  const engine = new ChunkEngine(options, structure, (chunk) => ready.push(chunk));
  return (async function* () {
    for await (const piece of source) {
      engine.push(piece);
      yield* ready.splice(0);
    }
    engine.finish();
    yield* ready.splice(0);
  })();
}
