// The chunking job's work for one document (see chunking-job.ts): the stored file is copied to a
// temporary file, its format detected, and its chunks made and stored. Plain text and Markdown
// over STREAM_TEXT_ABOVE_BYTES are streamed (file → decoder → chunkStream → batched inserts),
// holding about one read buffer, one chunk and one insert batch whatever the file's size. PDF, DOCX
// and HTML extractors need the whole document; their chunks are still made as the inserts take
// them (iterateChunks), never listed whole. Either way replaceChunks swaps the file's chunks at once.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Prisma } from "@prisma/client";
import { type ChunkOptions, chunkStream, iterateChunks } from "@/lib/chunking";
import type { TextChunk } from "@/lib/chunking/types";
import { unseal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { withPgTransaction } from "@/lib/db/pool";
import { env, uploadMaxBytes } from "@/lib/env";
import { emptyDocumentError, extractDocument } from "@/lib/ingest";
import { DETECT_HEAD_BYTES, detectFormat } from "@/lib/ingest/detect";
import { IncludeCounter, streamMarkdown } from "@/lib/ingest/markdown";
import { streamText } from "@/lib/ingest/text";
import { type DocumentFormat, IngestError } from "@/lib/ingest/types";
import { fetchUrl } from "@/lib/ingest/url";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { formatCost } from "@/lib/llm/cost";
import { readProjectConfig } from "@/lib/projects/config";
import { getStorage } from "@/lib/storage";
import { keepChunkTexts } from "./chunk-edits";
import { type VisionUsage, visionOcrFor } from "./vision-ocr";

const INSERT_BATCH = 500;

async function failFile(fileId: string, message: string, metadata?: Prisma.InputJsonObject): Promise<never> {
  await db.file.update({ where: { id: fileId }, data: { status: "failed", errorMessage: message, ...(metadata ? { metadata } : {}) } });
  throw new NonRetryableError(message);
}

/** A sealed PDF password on the file, opened for pdf.js; a key that no longer opens it counts as none. */
function pdfPassword(metadata: unknown): string | undefined {
  const sealed = (metadata as { pdfPassword?: unknown } | null)?.pdfPassword;
  if (typeof sealed !== "string") return undefined;
  try {
    return unseal(sealed);
  } catch {
    return undefined;
  }
}

/** URL sources are fetched once into storage, so re-chunking does not fetch again. */
async function fetchIntoStorage(file: { id: string; sourceUrl: string; projectId: string; storagePath: string }) {
  const page = await fetchUrl(file.sourceUrl, {
    allowPrivate: env().ALLOW_PRIVATE_URL_SOURCES,
    maxBytes: Math.min(uploadMaxBytes(), 20 * 1024 * 1024),
    timeoutMs: 20_000,
    maxRedirects: 5,
  });
  const stored = await getStorage().put(file.storagePath, page.body, { contentType: page.contentType });
  await db.file.update({
    where: { id: file.id },
    data: { sizeBytes: stored.size, sha256: stored.sha256, mimeType: page.contentType.split(";")[0], metadata: { fetchedUrl: page.finalUrl } },
  });
}

/**
 * Plain-text and Markdown sources larger than this are streamed: read from the stored file through
 * the decoder into chunkStream and into the database, never held whole. Smaller ones keep the
 * whole-file extractors, whose encoding sniffing sees the whole file rather than its head.
 */
export const STREAM_TEXT_ABOVE_BYTES = 8 * 1024 * 1024;

type ChunkSource = {
  chunks: Iterable<TextChunk> | AsyncIterable<TextChunk>;
  metadata: Record<string, unknown>;
  /** What the user should know about an extraction that succeeded (e.g. pages left out as unreadable). */
  warnings: string[];
  pages: number;
  sections: number;
  streamed: boolean;
};

const INSERT_CHUNKS = `INSERT INTO chunks (id, project_id, source_file_id, chunk_index, content, token_count, char_count, metadata)
  SELECT gen_random_uuid(), $1::uuid, $2::uuid, r.chunk_index, r.content, r.token_count, r.char_count, r.metadata::jsonb
  FROM unnest($3::int[], $4::text[], $5::int[], $6::int[], $7::text[]) AS r(chunk_index, content, token_count, char_count, metadata)`;

/**
 * Replaces the file's chunks in one transaction: readers see the old set or the new one, never
 * half, a failure (or a cancel) keeps the old set, and a re-run does the same again. Chunks are
 * consumed as they are made and inserted in batches (one plain-SQL statement per batch: the ORM
 * held on to every batch of a long transaction), so neither a streamed source nor the chunk list
 * of a whole document is ever held whole.
 *
 * Why one transaction that lasts as long as the chunking (about 25 s for 100 MB; the job's timeout
 * bounds it): the alternative, inserting the new set outside a transaction under a marker and
 * swapping it in with a short one, needs somewhere invisible to readers to put it (a generation
 * column on chunks or a staging table); without one, every reader of chunks would have to filter
 * the staged rows out. What a long transaction costs is kept small: the new set goes in under
 * negative indices (−1 − index, beside the old set, which the unique index on (file, index) would
 * otherwise refuse), so the old rows are not locked while the chunks are made (a generation job
 * may still add examples pointing at them instead of waiting for the commit and then failing);
 * they are locked only by the swap at the end, which deletes them and renumbers the new set in two
 * statements (about 2 s for 60,000 chunks, 100 MB). A first chunking, with no old set, inserts
 * under the final indices and has no swap to do.
 */
export async function replaceChunks(
  file: { id: string; projectId: string },
  source: Pick<ChunkSource, "chunks">,
  options: {
    signal?: AbortSignal;
    /** After each batch is inserted, with the last chunk of the batch. */
    onBatch?: (last: TextChunk, counts: { chunks: number; tokens: number }) => void;
    fileUpdate: (counts: { chunks: number; tokens: number }) => { mimeType: string; metadata: Record<string, unknown> };
  },
): Promise<{ chunks: number; tokens: number; swapMs: number }> {
  return withPgTransaction(async (exec) => {
    // A first chunking has no old set to keep: its rows go in under their own indices.
    const [{ replacing }] = await exec("SELECT EXISTS (SELECT 1 FROM chunks WHERE source_file_id = $1::uuid) AS replacing", [file.id]);
    const counts = { chunks: 0, tokens: 0 };
    let batch: TextChunk[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await exec(INSERT_CHUNKS, [
        file.projectId,
        file.id,
        rows.map((c) => (replacing ? -1 - c.index : c.index)),
        rows.map((c) => c.content),
        rows.map((c) => c.tokenCount),
        rows.map((c) => c.charCount),
        rows.map((c) => JSON.stringify(c.metadata)),
      ]);
      options.onBatch?.(rows[rows.length - 1], counts);
    };
    for await (const chunk of source.chunks) {
      batch.push(chunk);
      counts.chunks++;
      counts.tokens += chunk.tokenCount;
      if (batch.length >= INSERT_BATCH) {
        await flush();
        if (options.signal) throwIfAborted(options.signal);
      }
    }
    await flush();
    if (options.signal) throwIfAborted(options.signal);
    const swapStart = performance.now();
    if (replacing) {
      // The old texts examples were made from stay with them (lib/sources/chunk-edits).
      await keepChunkTexts(exec, "rechunk", "c.source_file_id = $2::uuid AND c.chunk_index >= 0", [file.id]);
      await exec("DELETE FROM chunks WHERE source_file_id = $1::uuid AND chunk_index >= 0", [file.id]);
      await exec("UPDATE chunks SET chunk_index = -1 - chunk_index WHERE source_file_id = $1::uuid AND chunk_index < 0", [file.id]);
    }
    const { mimeType, metadata } = options.fileUpdate(counts);
    await exec(`UPDATE files SET status = 'ready', error_message = NULL, mime_type = $2, metadata = $3::jsonb, updated_at = now() WHERE id = $1::uuid`, [
      file.id,
      mimeType,
      JSON.stringify(metadata),
    ]);
    return { ...counts, swapMs: Math.round(performance.now() - swapStart) };
  });
}

/** The stored file read from disk, reporting progress from `from` to `to` per cent as it goes. */
async function* readWithProgress(
  tmp: string,
  size: number,
  ctx: Pick<JobContext<unknown>, "progress" | "signal">,
  from: number,
  to: number,
  label: string,
): AsyncGenerator<Buffer> {
  let bytesRead = 0;
  let lastReport = 0;
  for await (const bytes of fs.createReadStream(tmp, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    throwIfAborted(ctx.signal);
    bytesRead += bytes.length;
    if (bytesRead - lastReport >= size / 50) {
      lastReport = bytesRead;
      void ctx.progress({
        pct: from + Math.floor((bytesRead / size) * (to - from)),
        message: `${label} (${Math.round(bytesRead / 1e6)} of ${Math.round(size / 1e6)} MB)`,
      });
    }
    yield bytes;
  }
}

/** Passes the pieces on, and fails with extractDocument's message when they hold no text at all. */
async function* refuseBlank(pieces: AsyncIterable<string>, format: DocumentFormat): AsyncGenerator<string> {
  let blank = true;
  for await (const piece of pieces) {
    if (blank && /\S/.test(piece)) blank = false;
    yield piece;
  }
  // Thrown before the swap, so the transaction rolls back and any old chunks stay.
  if (blank) throw emptyDocumentError(format);
}

/**
 * Plain text or Markdown read piece by piece into chunkStream: the same chunks as the whole-file
 * extractors give (see streamText and streamMarkdown). Undefined for a Markdown file streamMarkdown
 * leaves to extractMarkdown.
 */
async function streamedSource(
  format: "text" | "markdown",
  tmp: string,
  head: Buffer,
  size: number,
  options: ChunkOptions,
  ctx: Pick<JobContext<unknown>, "progress" | "signal">,
): Promise<ChunkSource | undefined> {
  const headIsWhole = head.length === size;
  if (format === "text") {
    const text = streamText(readWithProgress(tmp, size, ctx, 25, 95, "Chunking"), head, headIsWhole);
    await ctx.progress({ pct: 25, message: "Chunking" });
    return {
      chunks: chunkStream(refuseBlank(text.pieces, "text"), options),
      metadata: { encoding: text.encoding },
      warnings: [],
      pages: 0,
      sections: 0,
      streamed: true,
    };
  }
  // Two reads: the first finds the sections (the chunker needs them ahead), the second chunks.
  await ctx.progress({ pct: 25, message: "Finding the sections" });
  let reads = 0;
  const md = await streamMarkdown(
    () => (reads++ === 0 ? readWithProgress(tmp, size, ctx, 25, 40, "Finding the sections") : readWithProgress(tmp, size, ctx, 40, 95, "Chunking")),
    head,
    headIsWhole,
  );
  if (!md) return undefined;
  if (md.blank) throw emptyDocumentError("markdown");
  await ctx.progress({ pct: 40, message: "Chunking" });
  // Include directives are counted as the text goes by; the file's metadata is written after the last piece.
  const metadata = { ...md.metadata };
  const warnings: string[] = [];
  async function* countingIncludes(pieces: AsyncIterable<string>): AsyncGenerator<string> {
    const includes = new IncludeCounter();
    for await (const piece of pieces) {
      includes.feed(piece);
      yield piece;
    }
    Object.assign(metadata, includes.metadata());
    warnings.push(...includes.warnings());
  }
  return {
    chunks: chunkStream(countingIncludes(md.pieces), options, { pages: [], sections: md.sections }),
    metadata,
    warnings,
    pages: 0,
    sections: md.sections.length,
    streamed: true,
  };
}

/**
 * `tuning.streamAboveBytes` replaces STREAM_TEXT_ABOVE_BYTES (tests stream small files with it, to
 * compare both paths).
 */
export async function processDocument(ctx: JobContext<{ fileId: string }>, tuning: { streamAboveBytes?: number } = {}): Promise<Record<string, unknown>> {
  const file = await db.file.findFirst({ where: { id: ctx.payload.fileId, projectId: ctx.projectId }, include: { project: true } });
  if (!file) throw new NonRetryableError("This source was deleted.");
  const config = readProjectConfig(file.project.config);
  await db.file.update({ where: { id: file.id }, data: { status: "processing", errorMessage: null } });
  const storage = getStorage();
  const tmp = path.join(os.tmpdir(), `ftf-src-${crypto.randomUUID()}`);
  try {
    if (file.sourceUrl && !(await storage.stat(file.storagePath))) {
      await ctx.progress({ pct: 5, message: "Fetching the page" });
      await fetchIntoStorage({ ...file, sourceUrl: file.sourceUrl });
    }
    throwIfAborted(ctx.signal);
    await ctx.progress({ pct: 10, message: "Reading the file" });
    await pipeline(await storage.get(file.storagePath), fs.createWriteStream(tmp));
    const stat = fs.statSync(tmp);
    const head = Buffer.alloc(Math.min(DETECT_HEAD_BYTES, stat.size));
    const fd = fs.openSync(tmp, "r");
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    const detection = detectFormat(head, file.filename, stat.size);
    if (!detection.ok) return await failFile(file.id, detection.message);
    if (detection.kind !== "raw_doc") return await failFile(file.id, "This file is a dataset, not a document. Import it as a dataset instead.");

    const options = { chunkSizeTokens: config.chunk_size_tokens, chunkOverlapTokens: config.chunk_overlap_tokens, strategy: config.chunk_strategy };
    let source: ChunkSource | undefined;
    let onBatch: ((last: TextChunk) => void) | undefined;
    let visionUsage: (() => VisionUsage) | undefined;
    if ((detection.format === "text" || detection.format === "markdown") && stat.size > (tuning.streamAboveBytes ?? STREAM_TEXT_ABOVE_BYTES)) {
      source = await streamedSource(detection.format, tmp, head, stat.size, options, ctx);
    }
    if (!source) {
      await ctx.progress({ pct: 25, message: `Extracting text (${detection.format.replace("_", " ").toUpperCase()})` });
      // PDFs and images may need OCR: the project's vision model, when it chose one, is set up first.
      const reader =
        detection.format === "pdf" || detection.format === "image"
          ? await visionOcrFor(ctx, file.project.workspaceId, config, file.sha256 ?? file.id)
          : undefined;
      visionUsage = reader?.usage;
      const doc = await extractDocument(
        detection.format as DocumentFormat,
        { path: tmp },
        {
          ocrLanguages: config.ocr_languages,
          vision: reader?.vision,
          password: pdfPassword(file.metadata),
          docxComments: config.docx_comments,
          signal: ctx.signal,
          // OCR is the slow part of a scan: 25–60 % of the job, page by page.
          onProgress: (message, fraction) => void ctx.progress({ pct: 25 + Math.floor(fraction * 35), message }),
        },
      );
      throwIfAborted(ctx.signal);
      await ctx.progress({ pct: 60, message: "Chunking" });
      // Chunks are made as the inserts take them, so only the text and one batch are held.
      const spent = visionUsage?.();
      source = {
        chunks: iterateChunks(doc, options),
        // What reading the scans cost, beside their pages.
        metadata: spent?.pages && doc.metadata.ocr ? { ...doc.metadata, ocr: { ...(doc.metadata.ocr as object), usage: spent } } : doc.metadata,
        warnings: [
          ...(doc.warnings ?? []),
          ...(spent?.pages
            ? [
                `Reading ${spent.pages === 1 ? "1 page" : `${spent.pages} pages`} with the vision model took ${(spent.tokensIn + spent.tokensOut).toLocaleString("en-US")} tokens (${formatCost(spent.costUsd)}).`,
              ]
            : []),
        ],
        pages: doc.pages.length,
        sections: doc.sections.length,
        streamed: false,
      };
      const length = Math.max(1, doc.text.length);
      onBatch = (last) => void ctx.progress({ pct: 60 + Math.floor((last.end / length) * 35), message: "Chunking" });
    }
    const chunkSource = source;
    const saved = await replaceChunks(file, chunkSource, {
      signal: ctx.signal,
      onBatch,
      fileUpdate: (counts) => ({
        mimeType: detection.mimeType,
        metadata: {
          ...((file.metadata as object) ?? {}),
          ...chunkSource.metadata,
          // Always written, so a re-chunk clears an earlier run's warnings.
          warnings: chunkSource.warnings,
          needsPassword: undefined,
          format: detection.format,
          pageCount: chunkSource.pages || undefined,
          sectionCount: chunkSource.sections,
          chunkCount: counts.chunks,
          tokenCount: counts.tokens,
          // The settings this source was read with; the ones that did not matter to it are left
          // out, so changing them does not mark it as needing a re-chunk.
          chunking: {
            chunk_size_tokens: config.chunk_size_tokens,
            chunk_overlap_tokens: config.chunk_overlap_tokens,
            chunk_strategy: config.chunk_strategy,
            ...(chunkSource.metadata.ocr || chunkSource.metadata.pagesNeedingOcr
              ? config.ocr_engine === "vision"
                ? { ocr_engine: config.ocr_engine, ocr_vision_provider: config.ocr_vision_provider, ocr_vision_model: config.ocr_vision_model }
                : { ocr_engine: config.ocr_engine, ocr_languages: config.ocr_languages }
              : {}),
            ...(chunkSource.metadata.comments ? { docx_comments: config.docx_comments } : {}),
          },
        },
      }),
    });
    ctx.log(
      "info",
      `${file.filename}: ${saved.chunks} chunks, ${saved.tokens.toLocaleString()} tokens${chunkSource.pages ? `, ${chunkSource.pages} pages` : ""}${chunkSource.streamed ? " (streamed)" : ""}.`,
      // How long the old set was locked: the swap at the end of the replacing transaction.
      { swapMs: saved.swapMs },
    );
    const spent = visionUsage?.();
    return {
      file: file.filename,
      chunks: saved.chunks,
      tokens: saved.tokens,
      pages: chunkSource.pages || undefined,
      // A vision model's reading counts in the workspace's LLM usage (lib/usage).
      ...(spent?.pages ? { ocr_pages: spent.pages, tokens_in: spent.tokensIn, tokens_out: spent.tokensOut, cost_usd: spent.costUsd ?? undefined } : {}),
    };
  } catch (error) {
    if (error instanceof IngestError) {
      // An encrypted PDF asks for its password on the source (the list shows the field).
      const needsPassword = error.code === "encrypted" ? { ...((file.metadata as object) ?? {}), needsPassword: true } : undefined;
      return await failFile(file.id, error.message, needsPassword);
    }
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
