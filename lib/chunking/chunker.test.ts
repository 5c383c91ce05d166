// Property tests for the chunker: seeded random documents (words in many scripts, emojis, CRLF,
// odd Unicode spaces, headings, pages, long runs without whitespace) and crafted ones, each checked
// against an independent model of the cut rules built with regexes and per-atom encodings.
import { describe, expect, it } from "vitest";
import type { PageSpan, SectionMark } from "@/lib/ingest/types";
import { countTokens } from "@/lib/tokens";
import { isCharBoundary } from "./boundaries";
import { chunkDocument, chunkStream, iterateChunks, longRunChars, minFillTokens } from "./chunker";
import type { ChunkOptions, TextChunk } from "./types";

type Doc = { text: string; pages: PageSpan[]; sections: SectionMark[] };

/** xorshift32: a seeded PRNG so that a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const WORDS = [
  "the",
  "quick",
  "brown",
  "fox",
  "jumps",
  "over",
  "lazy",
  "dog",
  "data",
  "model",
  "training",
  "token",
  "chunk",
  "section",
  "paragraph",
  "sentence",
  "naïve",
  "café",
  "cafe\u0301",
  "Привет",
  "мир",
  "日本語",
  "中文字符",
  "عربي",
  "हिन्दी",
  "😀",
  "👍🏽",
  "👨‍👩‍👧",
  "🇫🇷",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "don't",
  "it's",
  "we'll",
  "12345",
  "3.14",
  "1,000,000",
  "(see",
  "above)",
  '"quoted"',
  "e.g.",
  "U.S.",
  "x=y+1;",
  "foo_bar",
  "C++",
  "<tag>",
  "**bold**",
  "`code`",
  "https://example.com/a?b=c&d=e",
  "'s",
  "—",
  "…",
  "\uFEFFbom",
];
const SPACES = [" ", " ", " ", " ", " ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\u2003", "\u0085", " \t "];
const BREAKS = ["\n", "\n\n", "\r\n", "\r\n\r\n", "\n\n\n", " \n", "\n  ", "\u2028", "\r", "\n \n"];
const ENDS = [".", "!", "?", '."', "?)", "。", "…"];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.max(1, Math.ceil(n / unit.length)));
}

/** A stretch without any whitespace (or, in one case, whitespace only), 50 … 5000 characters. */
function longRun(rand: () => number): string {
  const n = 50 + Math.floor(rand() ** 2 * 5000);
  const from = (alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
  switch (Math.floor(rand() * 9)) {
    case 0:
      return "a".repeat(n);
    case 1:
      return from("abcdefghijklmnopqrstuvwxyz");
    case 2:
      return from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    case 3:
      return "=".repeat(n);
    case 4:
      return from("0123456789");
    case 5:
      return repeatTo("😀🎉👍🏽", n);
    case 6:
      return repeatTo("日本語のテキストです。", n);
    case 7:
      return `x${" ".repeat(n)}y`;
    default:
      return repeatTo("https://example.com/path/to/resource?q=", n);
  }
}

function sentence(rand: () => number): string {
  const words = Array.from({ length: 1 + Math.floor(rand() * 14) }, () => pick(rand, WORDS));
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  let out = words[0];
  for (let i = 1; i < words.length; i++) out += (rand() < 0.9 ? " " : pick(rand, SPACES)) + words[i];
  return out + pick(rand, ENDS);
}

function randomDoc(rand: () => number, maxChars: number): Doc {
  const target = Math.floor(rand() * maxChars);
  let text = rand() < 0.1 ? pick(rand, [...SPACES, ...BREAKS]) : "";
  const sections: SectionMark[] = [];
  while (text.length < target) {
    const r = rand();
    if (r < 0.05) {
      if (text.length > 0 && !text.endsWith("\n")) text += "\n\n";
      const level = 1 + Math.floor(rand() * 3);
      const heading = `Heading ${sections.length + 1}`;
      sections.push({ heading, level, start: text.length });
      text += `${"#".repeat(level)} ${heading}\n\n`;
    } else if (r < 0.09) {
      text += longRun(rand) + pick(rand, [" ", "\n", "\n\n"]);
    } else {
      text += sentence(rand) + (rand() < 0.75 ? " " : rand() < 0.5 ? pick(rand, BREAKS) : pick(rand, SPACES));
    }
  }
  if (rand() < 0.2) text += pick(rand, [...SPACES, ...BREAKS]);
  return { text, pages: rand() < 0.6 ? randomPages(rand, text.length) : [], sections };
}

/** Contiguous page spans covering the text. */
function randomPages(rand: () => number, length: number): PageSpan[] {
  const cuts = [...new Set(Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const bounds = [0, ...cuts, length];
  return bounds.slice(0, -1).map((start, i) => ({ page: i + 1, start, end: bounds[i + 1] }));
}

function randomOptions(rand: () => number): ChunkOptions {
  const r = rand();
  const size = r < 0.2 ? 4 + Math.floor(rand() * 12) : r < 0.7 ? 16 + Math.floor(rand() * 112) : 128 + Math.floor(rand() * 500);
  return { chunkSizeTokens: size, chunkOverlapTokens: Math.floor(rand() * Math.ceil(size / 2)) };
}

// ── An independent model of the rules: cuts from a regex, atom counts from one encode per atom ──

const WS = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const RUN = new RegExp(`[${WS}]+(?=[^${WS}])`, "g");
const TERMINAL = /[.!?…。！？]/;
const CLOSER = /["')\]*_`”’»]/;
const LEVEL = { WORD: 1, SENTENCE: 2, PARAGRAPH: 3, SECTION: 4, END: 5 };

type Model = {
  cuts: number[];
  level: Map<number, number>;
  /** atomTokens[i]: tokens of text[cuts[i], cuts[i + 1]). */
  atomTokens: number[];
  /** Atoms the chunker may split inside. */
  hard: boolean[];
};

function model(doc: Doc, options: ChunkOptions): Model {
  const { text } = doc;
  const cuts = [0];
  const level = new Map<number, number>();
  for (const m of text.matchAll(RUN)) {
    const q = m.index;
    const after = q + m[0].length;
    const last = text[after - 1];
    const cut = last === "\n" || last === "\r" ? after : after - 1;
    if (cut === 0) continue;
    const breaks = m[0].replace(/\r\n/g, "\n").replace(/[^\r\n]/g, "").length;
    let lvl = LEVEL.WORD;
    if (breaks >= 2) lvl = LEVEL.PARAGRAPH;
    else if (breaks === 1) lvl = LEVEL.SENTENCE;
    else if ((TERMINAL.test(text[q - 1] ?? "") || (CLOSER.test(text[q - 1] ?? "") && TERMINAL.test(text[q - 2] ?? ""))) && !/[a-z]/.test(text[after]))
      lvl = LEVEL.SENTENCE;
    cuts.push(cut);
    level.set(cut, lvl);
  }
  for (const s of doc.sections) {
    const c = cuts.find((cut) => cut >= s.start && cut > 0);
    if (c !== undefined && s.start > 0) level.set(c, LEVEL.SECTION);
  }
  if (text.length > 0) {
    cuts.push(text.length);
    level.set(text.length, LEVEL.END);
  }
  const atomTokens: number[] = [];
  const hard: boolean[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const long = cuts[i + 1] - cuts[i] > longRunChars(options.chunkSizeTokens);
    const tokens = long ? Infinity : countTokens(text.slice(cuts[i], cuts[i + 1]));
    atomTokens.push(tokens);
    hard.push(long || tokens > options.chunkSizeTokens - options.chunkOverlapTokens);
  }
  return { cuts, level, atomTokens, hard };
}

/** Index of the atom containing `pos` (the last cut at or before it). */
function atomAt(m: Model, pos: number): number {
  let lo = 0;
  let hi = m.cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (m.cuts[mid] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Every property the chunker promises, as a list of violations (empty when all hold). */
function violations(doc: Doc, options: ChunkOptions, chunks: TextChunk[]): string[] {
  const { text } = doc;
  const size = options.chunkSizeTokens;
  const overlap = options.chunkOverlapTokens;
  const out: string[] = [];
  const fail = (i: number, what: string) => out.push(`chunk ${i}: ${what}`);
  if (text.length === 0) {
    if (chunks.length > 0) out.push("chunks for an empty text");
    return out;
  }
  const m = model(doc, options);
  const isCut = (pos: number) => m.level.has(pos) || pos === 0;

  if (chunks[0]?.start !== 0) out.push("first chunk does not start at 0");
  if (chunks.at(-1)?.end !== text.length) out.push("last chunk does not end at the end of the text");
  let rebuilt = "";
  chunks.forEach((c, i) => {
    // Exact counts, within the size, content is the slice, no split surrogate pairs.
    const tokens = countTokens(c.content);
    if (c.index !== i) fail(i, `index ${c.index}`);
    if (c.tokenCount !== tokens) fail(i, `tokenCount ${c.tokenCount} but the content encodes to ${tokens}`);
    if (c.tokenCount > size || c.tokenCount < 1) fail(i, `tokenCount ${c.tokenCount} outside 1…${size}`);
    if (c.content !== text.slice(c.start, c.end)) fail(i, "content is not text.slice(start, end)");
    if (c.charCount !== c.content.length) fail(i, "charCount");
    if (!isCharBoundary(text, c.start) || !isCharBoundary(text, c.end)) fail(i, "splits a surrogate pair");

    // Never inside a word unless the word is a run the chunker must split.
    if (c.end < text.length && !isCut(c.end) && !m.hard[atomAt(m, c.end)]) fail(i, `ends inside a word at ${c.end}`);

    // Pages: spans are contiguous here, so the right pages are those holding the first and last character.
    if (doc.pages.length === 0) {
      if ("page_start" in c.metadata || "page_end" in c.metadata) fail(i, "page metadata without pages");
    } else {
      const pageOf = (pos: number) => doc.pages.find((p) => p.start <= pos && pos < p.end)!.page;
      if (c.metadata.page_start !== pageOf(c.start) || c.metadata.page_end !== pageOf(c.end - 1)) fail(i, "pages");
    }
    // The heading in force where the chunk's new text begins (after the overlap it repeats).
    const ownStart = i === 0 ? c.start : Math.max(c.start, Math.min(chunks[i - 1].end, c.end - 1));
    const heading = doc.sections.filter((s) => s.start <= ownStart).at(-1)?.heading;
    if (c.metadata.section !== heading || "section" in c.metadata !== (heading !== undefined)) fail(i, `section ${c.metadata.section} ≠ ${heading}`);

    if (i === 0) {
      rebuilt = c.content;
      return;
    }
    const prev = chunks[i - 1];
    if (!(c.start > prev.start && c.end > prev.end && c.start <= prev.end)) fail(i, "does not follow the previous chunk");
    if (overlap >= 4 && c.start >= prev.end) fail(i, "no overlap");
    if (overlap === 0 && c.start !== prev.end) fail(i, "overlap with chunkOverlapTokens 0");
    rebuilt += c.content.slice(prev.end - c.start);

    // Overlap: at most `overlap` tokens; from the earliest cut that allows it, else inside the last word.
    const shared = countTokens(text.slice(c.start, prev.end));
    if (shared > overlap) fail(i, `overlap of ${shared} tokens`);
    if (isCut(prev.end)) {
      let j = m.cuts.indexOf(prev.end);
      let sum = 0;
      while (j > 0 && !m.hard[j - 1] && sum + m.atomTokens[j - 1] <= overlap && m.cuts[j - 1] > prev.start) sum += m.atomTokens[--j];
      if (m.cuts[j] < prev.end) {
        if (c.start !== m.cuts[j]) fail(i, `overlap starts at ${c.start}, expected the cut at ${m.cuts[j]}`);
        const word = j - 1;
        if (word >= 0 && m.cuts[word] > prev.start && !m.hard[word] && !(shared > overlap - m.atomTokens[word])) {
          fail(i, `overlap ${shared} not above ${overlap} − ${m.atomTokens[word]} (the word at the boundary)`);
        }
      } else if (overlap > 0) {
        // No cut qualifies: the overlap starts inside the last word.
        const word = atomAt(m, prev.end - 1);
        if (isCut(c.start) && c.start !== m.cuts[word] && c.start !== prev.end) fail(i, "forced overlap at an unexpected cut");
        if (c.start < m.cuts[word]) fail(i, "forced overlap reaches past the last word");
      }
    }
    if (!isCut(c.start) && !m.hard[atomAt(m, c.start)] && atomAt(m, c.start) !== atomAt(m, prev.end - 1)) fail(i, `starts inside a word at ${c.start}`);
  });
  if (rebuilt !== text) out.push("chunks minus overlaps do not give back the text");

  // Boundary choice: the chunk ends at the last cut of the highest level among the cuts it could
  // reach that leave it at least minFillTokens full (among all it could reach when none does).
  const minFill = minFillTokens(options);
  chunks.forEach((c, i) => {
    if (c.end === text.length || !isCut(c.end)) return;
    const prevEnd = i === 0 ? 0 : chunks[i - 1].end;
    let k = m.cuts.findIndex((cut) => cut >= prevEnd);
    let used = countTokens(text.slice(c.start, m.cuts[k]));
    const reachable: Array<{ cut: number; score: number }> = [];
    const reach = () => reachable.push({ cut: m.cuts[k], score: (used >= minFill ? 10 : 0) + m.level.get(m.cuts[k])! });
    if (m.cuts[k] > prevEnd) reach();
    let stoppedAtRun = false;
    while (k + 1 < m.cuts.length) {
      if (m.hard[k]) {
        stoppedAtRun = true;
        break;
      }
      if (used + m.atomTokens[k] > size) break;
      used += m.atomTokens[k++];
      reach();
    }
    if (reachable.length === 0) return;
    const expected = stoppedAtRun ? reachable.at(-1)! : reachable.reduce((best, r) => (r.score >= best.score ? r : best));
    if (c.end !== expected.cut) fail(i, `ends at ${c.end} (level ${m.level.get(c.end)}), expected ${expected.cut} (level ${m.level.get(expected.cut)})`);
  });
  return out;
}

async function* inPieces(text: string, rand: () => number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; ) {
    const n = rand() < 0.3 ? 1 : 1 + Math.floor(rand() * (rand() < 0.5 ? 50 : 5000));
    yield text.slice(i, i + n);
    i += n;
  }
}

async function collect(chunks: AsyncIterable<TextChunk>): Promise<TextChunk[]> {
  const out: TextChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

const DEFAULTS: ChunkOptions = { chunkSizeTokens: 512, chunkOverlapTokens: 50 };
const plain = (text: string): Doc => ({ text, pages: [], sections: [] });

describe("chunkDocument on random documents", () => {
  it("keeps every promise on 150 seeded documents and sizes", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rand = prng(seed * 7919);
      const doc = randomDoc(rand, seed % 10 === 0 ? 30_000 : 4_000);
      const options = randomOptions(rand);
      const chunks = chunkDocument(doc, options);
      expect(violations(doc, options, chunks), `seed ${seed}, ${JSON.stringify(options)}`).toEqual([]);
    }
  });

  it("streams the same chunks as a whole-document run, whatever the piece sizes", async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed * 104729);
      const doc = randomDoc(rand, 12_000);
      const options = randomOptions(rand);
      const streamed = await collect(chunkStream(inPieces(doc.text, rand), options, doc));
      expect(streamed, `seed ${seed}`).toEqual(chunkDocument(doc, options));
    }
  });

  it("cuts only where token counts add up (the property the single encode relies on)", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed * 31337);
      const doc = randomDoc(rand, 600);
      const total = countTokens(doc.text);
      for (const cut of model(doc, DEFAULTS).cuts) {
        expect(countTokens(doc.text.slice(0, cut)) + countTokens(doc.text.slice(cut)), `seed ${seed}, cut ${cut}`).toBe(total);
      }
    }
  });
});

describe("chunkDocument on crafted documents", () => {
  const check = (doc: Doc, options: ChunkOptions = DEFAULTS) => {
    const chunks = chunkDocument(doc, options);
    expect(violations(doc, options, chunks)).toEqual([]);
    return chunks;
  };
  const para = (n: number, words = 60) =>
    Array.from({ length: words }, (_, i) => (i % 12 === 11 ? `word${n}.` : i % 12 === 0 ? `Word${n}` : `word${n}`)).join(" ");

  it("gives no chunks for an empty text and one chunk for a short one", () => {
    expect(chunkDocument(plain(""), DEFAULTS)).toEqual([]);
    const [only, ...rest] = check(plain("Hello, world. A short text."));
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ index: 0, start: 0, end: 27, charCount: 27, content: "Hello, world. A short text.", metadata: {} });
    expect(check(plain("  \n\n \t ")).map((c) => c.content)).toEqual(["  \n\n \t "]);
  });

  it("ends chunks at section starts when a section start is within reach", () => {
    const sections: SectionMark[] = [];
    let text = "";
    for (let s = 1; s <= 8; s++) {
      sections.push({ heading: `${s}. Part ${s}`, level: 1, start: text.length });
      text += `# ${s}. Part ${s}\n\n${para(s)}\n\n${para(s)}\n\n`;
    }
    const doc = { text, pages: [], sections };
    const chunks = check(doc, { chunkSizeTokens: 400, chunkOverlapTokens: 30 });
    const starts = new Set(sections.map((s) => s.start));
    for (const c of chunks.slice(0, -1)) expect(starts.has(c.end)).toBe(true);
    expect(chunks[0].metadata.section).toBe("1. Part 1");
  });

  it("prefers a blank line to a sentence end, and a sentence end to a word", () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => para(i, 40)).join("\n\n");
    for (const c of check(plain(paragraphs), { chunkSizeTokens: 150, chunkOverlapTokens: 20 }).slice(0, -1))
      expect(paragraphs.slice(c.end - 2, c.end)).toBe("\n\n");
    const oneLine = para(1, 2000);
    for (const c of check(plain(oneLine), { chunkSizeTokens: 100, chunkOverlapTokens: 10 }).slice(0, -1)) expect(oneLine[c.end - 1]).toBe(".");
  });

  it("handles CRLF, very long lines and multibyte text", () => {
    const crlf = Array.from({ length: 40 }, (_, i) => para(i, 30)).join("\r\n\r\n");
    for (const c of check(plain(crlf), { chunkSizeTokens: 120, chunkOverlapTokens: 12 }).slice(1)) expect(crlf[c.start - 1]).not.toBe("\r");
    check(plain(Array.from({ length: 20_000 }, (_, i) => WORDS[i % WORDS.length]).join(" ")));
    check(plain(repeatTo("日本語のテキストです。", 30_000)), { chunkSizeTokens: 200, chunkOverlapTokens: 20 });
    check(plain(repeatTo("😀🎉👍🏽👨‍👩‍👧🇫🇷", 20_000)), { chunkSizeTokens: 64, chunkOverlapTokens: 8 });
    check(plain(`start ${"ab😀".repeat(3000)} end`), { chunkSizeTokens: 50, chunkOverlapTokens: 5 });
  });

  it("splits a whitespace-free run only because it is longer than a chunk", () => {
    const url = `https://example.com/${"segment/".repeat(60)}`;
    const text = `${para(1, 100)} ${url} ${para(2, 100)}`;
    const chunks = check(plain(text), { chunkSizeTokens: 500, chunkOverlapTokens: 50 });
    expect(chunks.some((c) => c.content.includes(url))).toBe(true);
    check(plain(text), { chunkSizeTokens: 100, chunkOverlapTokens: 30 });
  });

  it("with a size of one token and no overlap, keeps one-token words whole and cuts the rest", () => {
    const text = "Tokens, one by one: 12345 and more.";
    const chunks = check(plain(text), { chunkSizeTokens: 1, chunkOverlapTokens: 0 });
    expect(chunks.every((c) => c.tokenCount === 1)).toBe(true);
    expect(chunks.map((c) => c.content)).toEqual(expect.arrayContaining([" one", " by", " and"]));
  });

  it("reports page ranges and sections", () => {
    const text = Array.from({ length: 12 }, (_, i) => para(i, 50)).join("\n\n");
    const third = Math.floor(text.length / 3);
    const pages = [
      { page: 1, start: 0, end: third },
      { page: 2, start: third, end: 2 * third },
      { page: 3, start: 2 * third, end: text.length },
    ];
    const sections = [{ heading: "Later", level: 2, start: text.indexOf("word6") }];
    const chunks = check({ text, pages, sections }, { chunkSizeTokens: 200, chunkOverlapTokens: 20 });
    expect(chunks[0].metadata).toEqual({ page_start: 1, page_end: 1 });
    expect(chunks.at(-1)!.metadata).toEqual({ page_start: 3, page_end: 3, section: "Later" });
    expect(chunks.some((c) => c.metadata.page_start === 1 && c.metadata.page_end === 2)).toBe(true);
  });
});

describe("runs without whitespace", () => {
  // Their speed (linear in the length, not quadratic) is measured in bench/chunking, not here:
  // a timing assertion flakes on a loaded machine.
  const letters = (n: number, seed: number) => {
    const rand = prng(seed);
    return Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(rand() * 26)]).join("");
  };

  it.each([
    ["200k random letters", letters(200_000, 2)],
    ["200k copies of one letter (a single BPE piece)", "a".repeat(200_000)],
  ])("chunks %s within the limits", (_name, text) => {
    const chunks = chunkDocument(plain(text), DEFAULTS);
    expect(chunks.length).toBeGreaterThan(1);
    expect(violations(plain(text), DEFAULTS, chunks)).toEqual([]);
  });
});

describe("chunkStream", () => {
  it("cuts long runs without whitespace exactly as a whole-document run does", async () => {
    const rand = prng(4242);
    for (let n = 0; n < 12; n++) {
      const parts = Array.from({ length: 6 }, () => (rand() < 0.5 ? longRun(rand).repeat(1 + Math.floor(rand() * 8)) : sentence(rand)));
      const doc = plain(parts.join(pick(rand, [" ", "\n", "\n\n", ""])));
      const options = randomOptions(rand);
      const streamed = await collect(chunkStream(inPieces(doc.text, rand), options));
      expect(streamed, `case ${n}`).toEqual(chunkDocument(doc, options));
      expect(violations(doc, options, streamed), `case ${n}`).toEqual([]);
    }
  });

  it("yields chunks before the source is exhausted", async () => {
    const paragraph = (n: number) => `Paragraph ${n} ${"of plain words ".repeat(80)}\n\n`;
    let piecesRead = 0;
    async function* source() {
      for (; piecesRead < 400; piecesRead++) yield paragraph(piecesRead);
    }
    const iterator = chunkStream(source(), DEFAULTS)[Symbol.asyncIterator]();
    await iterator.next();
    // One 32 KB block (about 27 of these paragraphs) is read ahead, no more.
    expect(piecesRead).toBeLessThan(40);
    await iterator.return(undefined);
  });
});

describe("iterateChunks", () => {
  it("gives chunkDocument's chunks, with pages and sections", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed * 6151);
      const doc = randomDoc(rand, seed % 5 === 0 ? 300_000 : 12_000);
      const options = randomOptions(rand);
      expect([...iterateChunks(doc, options)], `seed ${seed}`).toEqual(chunkDocument(doc, options));
    }
  });

  it("makes chunks as they are asked for, not all at once", () => {
    const text = Array.from({ length: 2000 }, (_, n) => `Paragraph ${n} ${"of plain words ".repeat(80)}`).join("\n\n");
    const all = chunkDocument(plain(text), DEFAULTS);
    let reads = 0;
    const doc = {
      get text() {
        reads++;
        return text;
      },
      pages: [],
      sections: [],
    };
    const iterator = iterateChunks(doc, DEFAULTS);
    expect(iterator.next().value).toEqual(all[0]);
    // The text is 2.4 MB, fed 256 KB at a time (two reads of `text` per block): the first chunk
    // needs the first block only.
    expect(reads).toBeLessThanOrEqual(2);
    expect([all[0], ...iterator]).toEqual(all);
    expect(reads).toBeGreaterThan(15);
  });
});

describe("options", () => {
  it("rejects sizes and overlaps that cannot work, with a message saying why", () => {
    const bad: Array<[ChunkOptions, RegExp]> = [
      [{ chunkSizeTokens: 0, chunkOverlapTokens: 0 }, /at least 1/],
      [{ chunkSizeTokens: 10.5, chunkOverlapTokens: 0 }, /whole number/],
      [{ chunkSizeTokens: 100, chunkOverlapTokens: 50 }, /less than half/],
      [{ chunkSizeTokens: 100, chunkOverlapTokens: -1 }, /at least 0/],
    ];
    for (const [options, message] of bad) {
      expect(() => chunkDocument(plain("text"), options)).toThrow(message);
      expect(() => chunkStream((async function* () {})(), options)).toThrow(message);
      expect(() => iterateChunks(plain("text"), options)).toThrow(message);
    }
  });
});

describe("strategies", () => {
  const para = (n: number, words: number) =>
    Array.from({ length: words }, (_, i) => (i % 12 === 11 ? `word${n}.` : i % 12 === 0 ? `Word${n}` : `word${n}`)).join(" ");
  function sectioned(sizes: number[]): Doc {
    const sections: SectionMark[] = [];
    let text = "Preamble before any heading.\n\n";
    for (const [s, words] of sizes.entries()) {
      sections.push({ heading: `Part ${s + 1}`, level: 1, start: text.length });
      text += `# Part ${s + 1}\n\n${para(s, words)}\n\n`;
    }
    return { text, pages: [], sections };
  }

  it("sections: a chunk never crosses a heading, each section starts one with no overlap, and a long one is split by tokens", () => {
    const doc = sectioned([40, 30, 400, 20]);
    const options: ChunkOptions = { chunkSizeTokens: 200, chunkOverlapTokens: 20, strategy: "sections" };
    const chunks = chunkDocument(doc, options);
    const starts = doc.sections.map((s) => s.start);
    for (const start of starts) expect(chunks.some((c) => c.start === start)).toBe(true);
    for (const c of chunks) {
      // No heading strictly inside a chunk.
      expect(
        starts.filter((s) => s > c.start && s < c.end),
        c.content.slice(0, 40),
      ).toEqual([]);
      expect(c.tokenCount).toBeLessThanOrEqual(200);
      expect(c.tokenCount).toBe(countTokens(c.content));
    }
    expect(chunks[0].content).toBe("Preamble before any heading.\n\n");
    // The long Part 3 is split in several chunks that overlap each other, inside the section only.
    const part3 = chunks.filter((c) => c.metadata.section === "Part 3");
    expect(part3.length).toBeGreaterThan(2);
    expect(part3[1].start).toBeLessThan(part3[0].end);
    // The whole text comes back from the chunks minus their overlaps.
    let rebuilt = chunks[0].content;
    for (let i = 1; i < chunks.length; i++) rebuilt += chunks[i].content.slice(chunks[i - 1].end - chunks[i].start);
    expect(rebuilt).toBe(doc.text);
    // The default strategy fills chunks across the small sections instead.
    expect(chunkDocument(doc, { ...options, strategy: "tokens" }).length).toBeLessThan(chunks.length);
  });

  it("paragraphs: ends at a paragraph break whenever one fits, even well under the size", () => {
    const paragraphs = [25, 90, 30, 100, 20, 60].map((words, i) => para(i, words));
    const text = paragraphs.join("\n\n");
    const options: ChunkOptions = { chunkSizeTokens: 220, chunkOverlapTokens: 0, strategy: "paragraphs" };
    const chunks = chunkDocument(plain(text), options);
    for (const c of chunks) expect(c.tokenCount).toBe(countTokens(c.content));
    for (const c of chunks) expect(c.tokenCount).toBeLessThanOrEqual(220);
    expect(chunks.map((c) => c.content).join("")).toBe(text);
    for (const c of chunks.slice(0, -1)) expect(text.slice(c.end - 2, c.end)).toBe("\n\n");
    // The token strategy on the same text ends some chunk inside a paragraph, at a sentence.
    const byTokens = chunkDocument(plain(text), { ...options, strategy: "tokens" });
    expect(byTokens.slice(0, -1).some((c) => text.slice(c.end - 2, c.end) !== "\n\n")).toBe(true);
  });

  it("every strategy streams exactly as it chunks a whole document", async () => {
    const rand = prng(77);
    const doc = sectioned([50, 300, 10, 120, 80]);
    for (const strategy of ["tokens", "sections", "paragraphs"] as const) {
      const options: ChunkOptions = { chunkSizeTokens: 120, chunkOverlapTokens: 15, strategy };
      const whole = chunkDocument(doc, options);
      expect(await collect(chunkStream(inPieces(doc.text, rand), options, doc)), strategy).toEqual(whole);
    }
  });
});
