// bench/chunking: the chunking job's streamed path on a 100 MB file (memory, against the
// whole-document way), lib/chunking (512 / 50 tokens) against a bare tiktoken encode of the same
// text, and against LangChain's splitters given the same tiktoken encoder, same input and rounds. The text is the Markdown that installed packages ship (no network), in a fixed order.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RecursiveCharacterTextSplitter, TokenTextSplitter } from "@langchain/textsplitters";
import { chunkDocument } from "@/lib/chunking";
import { getEncoder } from "@/lib/tokens";
import { benchDatabase, row, timed, verdict } from "./support";

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

/**
 * The chunking job's own work (processDocument: storage → streamed extraction → chunkStream →
 * batched inserts in one transaction) on a 100 MB plain-text source, in a bench database; then
 * the same file the whole-document way (extractText + chunkDocument) for comparison. Runs first,
 * while the process is still small, so that the peaks are the paths' own.
 */
async function streamingMemory(dir: string): Promise<void> {
  const file = path.join(dir, "stream.txt");
  const fd = fs.openSync(file, "w");
  const files = markdownFiles();
  let written = 0;
  // Plain prose: the packages' Markdown with its markup taken out (the job streams plain text;
  // Markdown, HTML, PDF and DOCX are extracted whole).
  for (let i = 0; written < STREAM_BYTES; i = (i + 1) % files.length) {
    const prose = fs
      .readFileSync(files[i], "utf8")
      .replace(/[^\p{L}\p{N} .,;:'"?!()\n-]+/gu, " ")
      .replace(/^[ \t-]+/gm, "");
    written += fs.writeSync(fd, prose);
    written += fs.writeSync(fd, "\n\n");
  }
  fs.closeSync(fd);

  const server = await benchDatabase();
  try {
    const { db } = await import("@/lib/db/client");
    const { getStorage } = await import("@/lib/storage");
    const { processDocument } = await import("@/lib/sources/chunking-handler");
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: "bench" } });
    const project = await db.project.create({ data: { workspaceId: workspace.id, name: "Bench", config: {} } });
    const storagePath = `bench/${project.id}/stream.txt`;
    await getStorage().put(storagePath, fs.createReadStream(file));
    const source = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "processing", filename: "stream.txt", storagePath } });

    console.log(`\nbench/chunking — the chunking job (processDocument) on a ${(written / MB).toFixed(0)} MB text file, streamed into PostgreSQL`);
    const rss = () => process.memoryUsage().rss / MB;
    const before = rss();
    const quarters: number[] = [];
    const heap: number[] = [];
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
    const start = performance.now();
    const result = await processDocument({
      jobId: "bench",
      projectId: project.id,
      payload: { fileId: source.id },
      attempt: 1,
      signal: new AbortController().signal,
      progress: async ({ pct }) => {
        // Streaming reports 25 → 95 % as the file is read.
        if (pct !== undefined && pct >= 25 + ((quarters.length + 1) * 70) / 4 && quarters.length < 3) {
          quarters.push(rss());
          heap.push(process.memoryUsage().heapUsed / MB);
        }
      },
      log: () => {},
      checkpoint: { get: () => undefined, save: async () => {}, saveIn: async () => {} },
    });
    const ms = performance.now() - start;
    clearInterval(sampler);
    const after = rss();
    const stored = await db.chunk.count({ where: { sourceFileId: source.id } });
    row("", "chunks", "MB/s", "seconds");
    row("processDocument, 512 / 50, streamed", stored, mbPerSecond(written, ms).toFixed(2), (ms / 1000).toFixed(1));
    row("RSS (MB) at", "start", "25 %", "50 %", "75 %", "end", "peak");
    row("", ...[before, ...quarters, after, peak].map((mb) => mb.toFixed(0)));
    row("JS heap in use (MB) at", "", ...heap.map((mb) => mb.toFixed(0)));

    // The same file the whole-document way, as the job did before it streamed.
    const wholeStart = rss();
    let wholePeak = wholeStart;
    const wholeSampler = setInterval(() => (wholePeak = Math.max(wholePeak, rss())), 50);
    const { extractText } = await import("@/lib/ingest/text");
    const whole = chunkDocument(extractText(fs.readFileSync(file)), OPTIONS).length;
    clearInterval(wholeSampler);
    wholePeak = Math.max(wholePeak, rss());
    row("whole document (extractText + chunkDocument)", whole, "", "", "peak growth", (wholePeak - wholeStart).toFixed(0));
    verdict("same chunk count both ways", result.chunks === whole ? 1 : 0, "1", result.chunks === whole);
    // RSS follows the garbage collector's pace; the heap in use says whether anything accumulates.
    verdict("peak RSS growth while streaming (MB)", peak - before, "< 200 MB", peak - before < 200);
    const heapGrowth = (heap.at(-1) ?? 0) - (heap[0] ?? 0);
    verdict("JS heap in use, 75 % minus 25 % (MB)", heapGrowth, "flat, < 50 MB", heapGrowth < 50);
    verdict("peak growth, whole / streamed", (wholePeak - wholeStart) / Math.max(1, peak - before), "informational", true);
    await db.$disconnect();
  } finally {
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
