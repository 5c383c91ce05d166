// bench/chunking: the chunking job's streamed path on 100 MB text and Markdown files (memory,
// against the whole-file way in the same process), lib/chunking (512 / 50 tokens) against a bare tiktoken encode of the same
// text, and against LangChain's splitters given the same tiktoken encoder, same input and rounds. The text is the Markdown that installed packages ship (no network), in a fixed order.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RecursiveCharacterTextSplitter, TokenTextSplitter } from "@langchain/textsplitters";
import { chunkDocument, type TextChunk } from "@/lib/chunking";
import { extractMarkdown } from "@/lib/ingest/markdown";
import { extractText } from "@/lib/ingest/text";
import type { ExtractedDocument } from "@/lib/ingest/types";
import { getEncoder } from "@/lib/tokens";
import { benchDatabase, fullGc, row, rssSampler, timed, verdict } from "./support";

const OPTIONS = { chunkSizeTokens: 512, chunkOverlapTokens: 50 };
const MB = 1024 * 1024;
const CORPUS_CHARS = 20 * MB;
/** LangChain's recursive splitter is slow enough that a slice of the corpus tells enough. */
const LANGCHAIN_CHARS = 2 * MB;
const STREAM_BYTES = 100 * MB;
const ROUNDS = 3;

function markdownFiles(): string[] {
  const root = path.resolve("node_modules");
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => path.join(root, f))
    .filter((f) => fs.statSync(f).isFile());
}

/** The Markdown, repeated as needed, cut to `chars` characters (not between the halves of a surrogate pair). */
function corpus(chars: number): string {
  const base = markdownFiles()
    .map((f) => fs.readFileSync(f, "utf8"))
    .join("\n\n");
  let text = base;
  while (text.length < chars) text += `\n\n${base}`;
  const last = text.charCodeAt(chars - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? chars - 1 : chars);
}

function mbPerSecond(bytes: number, ms: number): number {
  return bytes / MB / (ms / 1000);
}

function best<T>(rounds: number, fn: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    value = fn();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, value };
}

type StreamCase = {
  label: string;
  filename: string;
  /** The whole-file extractor the job used before it streamed this format. */
  extractorName: string;
  extract: (bytes: Buffer) => ExtractedDocument;
  /** Writes about STREAM_BYTES of this format; returns the size written. */
  write: (file: string) => number;
};

const CASES: StreamCase[] = [
  {
    label: "TXT",
    filename: "stream.txt",
    extractorName: "extractText",
    extract: extractText,
    // Plain prose: the packages' Markdown with its markup taken out.
    write: (file) => writeRepeated(file, (text) => text.replace(/[^\p{L}\p{N} .,;:'"?!()\n-]+/gu, " ").replace(/^[ \t-]+/gm, "")),
  },
  {
    label: "MD",
    filename: "stream.md",
    extractorName: "extractMarkdown",
    extract: extractMarkdown,
    // The packages' Markdown as it is: headings (ATX and setext), fences, lists, tables.
    write: (file) => writeRepeated(file, (text) => text),
  },
];

function writeRepeated(file: string, transform: (text: string) => string): number {
  const fd = fs.openSync(file, "w");
  const files = markdownFiles();
  let written = 0;
  for (let i = 0; written < STREAM_BYTES; i = (i + 1) % files.length) {
    written += fs.writeSync(fd, transform(fs.readFileSync(files[i], "utf8")));
    written += fs.writeSync(fd, "\n\n");
  }
  fs.closeSync(fd);
  return written;
}

/** One digest of a chunk list (index, content, counts and metadata, keys sorted), to compare two runs without holding both. */
class ChunkDigest {
  private readonly hash = crypto.createHash("sha256");
  count = 0;
  add(index: number, content: string, tokenCount: number, charCount: number, metadata: unknown): void {
    const meta = (metadata ?? {}) as Record<string, unknown>;
    this.hash.update(JSON.stringify([index, content, tokenCount, charCount, JSON.stringify(meta, Object.keys(meta).sort())]));
    this.count++;
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}

/**
 * The chunking job's own work (processDocument: storage → streamed extraction → chunkStream →
 * batched inserts, swapped in at the end of one transaction) on a 100 MB plain-text file and a
 * 100 MB Markdown file, in a bench database; then the same files the way the job used to chunk
 * them (the whole file extracted, then chunkDocument), in the same process. The streamed runs go
 * first, while the process is still small, so their peaks are their own; a worker thread samples
 * RSS, so that the synchronous whole-file runs are measured too. The whole-file runs reuse memory
 * the process already holds (the allocator keeps it), so their growth, and the ratios, are lower
 * bounds; the Markdown one most, as it runs after the text one.
 */
async function streamingMemory(dir: string): Promise<void> {
  const server = await benchDatabase();
  const sampler = rssSampler();
  try {
    const { db } = await import("@/lib/db/client");
    const { getStorage } = await import("@/lib/storage");
    const { processDocument } = await import("@/lib/sources/chunking-handler");
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: "bench" } });
    const project = await db.project.create({ data: { workspaceId: workspace.id, name: "Bench", config: {} } });
    const files = CASES.map((c) => {
      const file = path.join(dir, c.filename);
      return { ...c, file, bytes: c.write(file) };
    });

    console.log(
      `\nbench/chunking — the chunking job (processDocument) on ${files.map((f) => `a ${(f.bytes / MB).toFixed(0)} MB ${f.label}`).join(" and ")} file, streamed into PostgreSQL, against the whole-file way in the same process`,
    );
    row("", "chunks", "MB/s", "seconds", "RSS start", "peak", "growth");
    type Run = { growth: number; heapGrowth: number; swapMs: number; streamed: boolean };
    /** processDocument on the file; prints its row and the heap row. */
    const run = async (label: string, fileId: string, bytes: number): Promise<Run> => {
      const logs: { message: string; context?: Record<string, unknown> }[] = [];
      // JS heap in use while chunking, against how far the chunking has gone (0 … 1).
      const heap: { at: number; mb: number }[] = [];
      let chunkingFrom = -1;
      fullGc();
      const start = sampler.reset();
      const began = performance.now();
      const result = await processDocument({
        jobId: "bench",
        projectId: project.id,
        workerId: "bench",
        payload: { fileId },
        attempt: 1,
        signal: new AbortController().signal,
        progress: async ({ pct, message }) => {
          if (pct === undefined || !message?.startsWith("Chunking")) return;
          if (chunkingFrom < 0) chunkingFrom = pct;
          heap.push({ at: (pct - chunkingFrom) / (95 - chunkingFrom), mb: process.memoryUsage().heapUsed / MB });
        },
        log: (_level, message, context) => void logs.push({ message, context }),
        checkpoint: { get: () => undefined, save: async () => {}, saveIn: async () => {} },
      });
      const ms = performance.now() - began;
      const peak = sampler.peak();
      const info = logs.find((l) => l.message.includes(" chunks, "));
      const streamed = info?.message.includes("(streamed)") ?? false;
      const near = (at: number) => heap.reduce((best, h) => (Math.abs(h.at - at) < Math.abs(best.at - at) ? h : best), heap[0] ?? { at, mb: 0 });
      row(
        `${label}${streamed ? ", streamed" : ", NOT streamed"}`,
        Number(result.chunks),
        mbPerSecond(bytes, ms).toFixed(2),
        (ms / 1000).toFixed(1),
        start.toFixed(0),
        peak.toFixed(0),
        (peak - start).toFixed(0),
      );
      row("  JS heap in use (MB) at 25 / 50 / 75 % of chunking", "", "", "", ...[0.25, 0.5, 0.75].map((at) => near(at).mb.toFixed(0)));
      return { growth: peak - start, heapGrowth: near(0.75).mb - near(0.25).mb, swapMs: Number(info?.context?.swapMs), streamed };
    };
    const streamed: (Run & { fileId: string })[] = [];
    for (const f of files) {
      const storagePath = `bench/${project.id}/${f.filename}`;
      await getStorage().put(storagePath, fs.createReadStream(f.file));
      const source = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "processing", filename: f.filename, storagePath } });
      streamed.push({ fileId: source.id, ...(await run(`processDocument ${f.label}`, source.id, f.bytes)) });
    }
    // A re-chunk of the first file: the new set goes in beside the old one, then the swap.
    const rechunk = await run(`processDocument ${files[0].label}, re-chunk`, streamed[0].fileId, files[0].bytes);

    const whole: { growth: number; digest: string; count: number }[] = [];
    for (const f of files) {
      fullGc();
      const start = sampler.reset();
      const began = performance.now();
      let chunks: TextChunk[] | undefined = chunkDocument(f.extract(fs.readFileSync(f.file)), OPTIONS);
      const ms = performance.now() - began;
      const peak = sampler.peak();
      const digest = new ChunkDigest();
      for (const c of chunks) digest.add(c.index, c.content, c.tokenCount, c.charCount, c.metadata);
      whole.push({ growth: peak - start, digest: digest.digest(), count: chunks.length });
      row(
        `whole file ${f.label}: ${f.extractorName} + chunkDocument`,
        chunks.length,
        mbPerSecond(f.bytes, ms).toFixed(2),
        (ms / 1000).toFixed(1),
        start.toFixed(0),
        peak.toFixed(0),
        (peak - start).toFixed(0),
      );
      chunks = undefined;
    }

    for (const [i, f] of files.entries()) {
      const digest = new ChunkDigest();
      for (let from = 0; ; from += 5000) {
        const page = await db.chunk.findMany({
          where: { sourceFileId: streamed[i].fileId, chunkIndex: { gte: from, lt: from + 5000 } },
          orderBy: { chunkIndex: "asc" },
        });
        for (const c of page) digest.add(c.chunkIndex, c.content, c.tokenCount, c.charCount, c.metadata);
        if (page.length < 5000) break;
      }
      const same = digest.count === whole[i].count && digest.digest() === whole[i].digest;
      verdict(`${f.label}: stored chunks = whole-file chunks`, same ? 1 : 0, "1 (same content, counts, metadata)", same);
      verdict(`${f.label}: the job streamed it`, streamed[i].streamed ? 1 : 0, "1", streamed[i].streamed);
      // RSS follows the garbage collector's pace; the heap in use says whether anything accumulates.
      verdict(`${f.label}: peak RSS growth, streamed (MB)`, streamed[i].growth, "< 200 MB", streamed[i].growth < 200);
      verdict(`${f.label}: JS heap in use, 75 % − 25 % (MB)`, streamed[i].heapGrowth, "flat, < 50 MB", streamed[i].heapGrowth < 50);
      const ratio = whole[i].growth / Math.max(1, streamed[i].growth);
      verdict(`${f.label}: peak RSS growth, whole / streamed`, ratio, "> 2", ratio > 2);
    }
    verdict(`${files[0].label} re-chunk: peak RSS growth (MB)`, rechunk.growth, "< 200 MB", rechunk.growth < 200);
    verdict(`${files[0].label} re-chunk: swap at the end (ms)`, rechunk.swapMs, "informational (old set locked)", true);
    await db.$disconnect();
  } finally {
    await sampler.stop();
    await server.cleanup();
  }
}

async function throughput(): Promise<void> {
  const text = corpus(CORPUS_CHARS);
  const bytes = Buffer.byteLength(text);
  const doc = { text, pages: [], sections: [] };
  const encoder = getEncoder();
  // Warm-up: JIT, the WASM module, and the chunker's one-off table of token lengths.
  chunkDocument({ ...doc, text: text.slice(0, 200_000) }, OPTIONS);
  encoder.encode_ordinary(text.slice(0, 200_000));

  console.log(`\nbench/chunking — ${(bytes / MB).toFixed(1)} MB of Markdown, best of ${ROUNDS} rounds, alternating`);
  let oursMs = Infinity;
  let rawMs = Infinity;
  let chunks = 0;
  let tokens = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const ours = await timed(async () => chunkDocument(doc, OPTIONS).length);
    const raw = await timed(async () => encoder.encode_ordinary(text).length);
    oursMs = Math.min(oursMs, ours.ms);
    rawMs = Math.min(rawMs, raw.ms);
    chunks = ours.value;
    tokens = raw.value;
  }
  row("", "MB/s", "seconds", "output");
  row("ours: chunkDocument 512 / 50", mbPerSecond(bytes, oursMs).toFixed(2), (oursMs / 1000).toFixed(2), `${chunks} chunks`);
  row("bare encode_ordinary of the same text", mbPerSecond(bytes, rawMs).toFixed(2), (rawMs / 1000).toFixed(2), `${tokens} tokens`);
  verdict("throughput ours / bare encode", rawMs / oursMs, "≥ 0.8", rawMs / oursMs >= 0.8);

  const slice = text.slice(0, LANGCHAIN_CHARS);
  const sliceBytes = Buffer.byteLength(slice);
  const decoder = new TextDecoder();
  const tokenSplitter = new TokenTextSplitter({ chunkSize: OPTIONS.chunkSizeTokens, chunkOverlap: OPTIONS.chunkOverlapTokens });
  // Its own getEncoding would fetch the ranks from a CDN; this hands it the local WASM encoder instead.
  (tokenSplitter as unknown as { tokenizer: unknown }).tokenizer = {
    encode: (t: string) => encoder.encode_ordinary(t),
    decode: (ids: Uint32Array) => decoder.decode(encoder.decode(ids)),
  };
  const recursiveSplitter = new RecursiveCharacterTextSplitter({
    chunkSize: OPTIONS.chunkSizeTokens,
    chunkOverlap: OPTIONS.chunkOverlapTokens,
    lengthFunction: (t: string) => encoder.encode_ordinary(t).length,
  });
  const sliceDoc = { ...doc, text: slice };
  // Same input, same warm-up and the same rounds for each side, alternating.
  const warm = slice.slice(0, 50_000);
  chunkDocument({ ...doc, text: warm }, OPTIONS);
  await tokenSplitter.splitText(warm);
  await recursiveSplitter.splitText(warm);
  let ours = { ms: Infinity, value: 0 };
  let token = { ms: Infinity, value: [] as string[] };
  let recursive = { ms: Infinity, value: [] as string[] };
  for (let round = 0; round < ROUNDS; round++) {
    const o = best(1, () => chunkDocument(sliceDoc, OPTIONS).length);
    if (o.ms < ours.ms) ours = o;
    const t = await timed(() => tokenSplitter.splitText(slice));
    if (t.ms < token.ms) token = t;
    const r = await timed(() => recursiveSplitter.splitText(slice));
    if (r.ms < recursive.ms) recursive = r;
  }

  console.log(
    `\nbench/chunking — against LangChain (@langchain/textsplitters, tiktoken cl100k_base), first ${(sliceBytes / MB).toFixed(1)} MB, best of ${ROUNDS} alternating rounds after a warm-up, figures per MB`,
  );
  row("", "MB/s", "s per MB", "chunks");
  row("ours: chunkDocument", mbPerSecond(sliceBytes, ours.ms).toFixed(2), (ours.ms / 1000 / (sliceBytes / MB)).toFixed(3), ours.value);
  row("LangChain TokenTextSplitter", mbPerSecond(sliceBytes, token.ms).toFixed(2), (token.ms / 1000 / (sliceBytes / MB)).toFixed(3), token.value.length);
  row(
    "LangChain RecursiveCharacterTextSplitter",
    mbPerSecond(sliceBytes, recursive.ms).toFixed(2),
    (recursive.ms / 1000 / (sliceBytes / MB)).toFixed(3),
    recursive.value.length,
  );
  // TokenTextSplitter cuts at fixed token offsets (mid-word, no pages or sections): the floor.
  verdict("speed ours / TokenTextSplitter", token.ms / ours.ms, "≥ 0.8", token.ms / ours.ms >= 0.8);
  verdict("speed ours / RecursiveCharacterTextSplitter", recursive.ms / ours.ms, "≥ 2", recursive.ms / ours.ms >= 2);
}

/** A run without whitespace must cost time linear in its length (a naive BPE is quadratic there). */
function linearity(): void {
  const letters = (n: number) => {
    let seed = 7;
    return Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return "abcdefghijklmnopqrstuvwxyz"[seed % 26];
    }).join("");
  };
  console.log("\nbench/chunking — runs without whitespace, 50k vs 200k characters (best of 3)");
  row("", "50k ms", "200k ms", "ratio");
  for (const [name, make] of [
    ["random letters", letters],
    ["one letter repeated", (n: number) => "a".repeat(n)],
  ] as const) {
    const small = make(50_000);
    const large = make(200_000);
    chunkDocument({ text: small.slice(0, 1000), pages: [], sections: [] }, OPTIONS);
    const a = best(ROUNDS, () => chunkDocument({ text: small, pages: [], sections: [] }, OPTIONS).length);
    const b = best(ROUNDS, () => chunkDocument({ text: large, pages: [], sections: [] }, OPTIONS).length);
    row(name, a.ms.toFixed(1), b.ms.toFixed(1), (b.ms / a.ms).toFixed(2));
    verdict(`time 200k / 50k (${name})`, b.ms / a.ms, "< 8 (linear is 4)", b.ms / a.ms < 8);
  }
}

export async function benchChunking(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-bench-chunking-"));
  try {
    await streamingMemory(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  linearity();
  await throughput();
}
