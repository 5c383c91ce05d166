// bench/chunking: lib/chunking (512 / 50 tokens) against a bare tiktoken encode of the same text,
// against LangChain's splitters given the same tiktoken encoder, and its memory while streaming a
// 100 MB file. The text is the Markdown that installed packages ship (no network), in a fixed order.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RecursiveCharacterTextSplitter, TokenTextSplitter } from "@langchain/textsplitters";
import { chunkDocument, chunkStream } from "@/lib/chunking";
import { getEncoder } from "@/lib/tokens";
import { peakRssMb, row, timed, verdict } from "./support";

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

/** Runs first, while the process is still small, so that its RSS is the streaming's own. */
async function streamingMemory(dir: string): Promise<void> {
  const file = path.join(dir, "stream.txt");
  const fd = fs.openSync(file, "w");
  const files = markdownFiles();
  let written = 0;
  for (let i = 0; written < STREAM_BYTES; i = (i + 1) % files.length) {
    written += fs.writeSync(fd, fs.readFileSync(files[i]));
    written += fs.writeSync(fd, "\n\n");
  }
  fs.closeSync(fd);

  console.log(`\nbench/chunking — streaming a ${(written / MB).toFixed(0)} MB file through chunkStream`);
  const rss = () => process.memoryUsage().rss / MB;
  const before = rss();
  const quarters: number[] = [];
  let peak = before;
  let chunks = 0;
  const start = performance.now();
  for await (const chunk of chunkStream(fs.createReadStream(file, { encoding: "utf8" }), OPTIONS)) {
    if (++chunks % 500 === 0) peak = Math.max(peak, rss());
    // Offsets count UTF-16 units, close enough to bytes for Markdown to place the quarters.
    if (chunk.end >= ((quarters.length + 1) / 4) * written && quarters.length < 3) quarters.push(rss());
  }
  const ms = performance.now() - start;
  const after = rss();
  row("", "chunks", "MB/s", "seconds");
  row("chunkStream, 512 / 50", chunks, mbPerSecond(written, ms).toFixed(2), (ms / 1000).toFixed(1));
  row("RSS (MB) at", "start", "25 %", "50 %", "75 %", "end", "peak");
  row("", ...[before, ...quarters, after, peak].map((mb) => mb.toFixed(0)));
  row("process peak RSS so far (MB)", peakRssMb());
  verdict("peak RSS while streaming (MB)", peak, "< 300 MB", peak < 300);
  verdict("growth from 25 % to the end (MB)", after - quarters[0], "flat, < 50 MB", after - quarters[0] < 50);
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
  const ours = best(3, () => chunkDocument(sliceDoc, OPTIONS).length);
  const token = await timed(() => tokenSplitter.splitText(slice));
  const recursive = await timed(() => recursiveSplitter.splitText(slice));

  console.log(
    `\nbench/chunking — against LangChain (@langchain/textsplitters, tiktoken cl100k_base), first ${(sliceBytes / MB).toFixed(1)} MB, figures per MB`,
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
  verdict("speed ours / TokenTextSplitter", token.ms / ours.ms, "≥ 5", token.ms / ours.ms >= 5);
  verdict("speed ours / RecursiveCharacterTextSplitter", recursive.ms / ours.ms, "≥ 5", recursive.ms / ours.ms >= 5);
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
