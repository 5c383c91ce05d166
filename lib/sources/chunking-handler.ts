// The chunking job's work for one document (see chunking-job.ts).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { chunkDocument, chunkStream } from "@/lib/chunking";
import type { TextChunk } from "@/lib/chunking/types";
import { db } from "@/lib/db/client";
import { withPgTransaction } from "@/lib/db/pool";
import { env, uploadMaxBytes } from "@/lib/env";
import { extractDocument } from "@/lib/ingest";
import { DETECT_HEAD_BYTES, detectFormat } from "@/lib/ingest/detect";
import { streamText } from "@/lib/ingest/text";
import { type DocumentFormat, IngestError } from "@/lib/ingest/types";
import { fetchUrl } from "@/lib/ingest/url";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { readProjectConfig } from "@/lib/projects/config";
import { getStorage } from "@/lib/storage";

const INSERT_BATCH = 500;

async function failFile(fileId: string, message: string): Promise<never> {
  await db.file.update({ where: { id: fileId }, data: { status: "failed", errorMessage: message } });
  throw new NonRetryableError(message);
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

/** Plain-text sources larger than this are streamed (extraction, chunking and inserts in one pass). */
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

/**
 * Replaces the file's chunks in one transaction: readers see the old set or the new one, never
 * half, and a failure keeps the old set. Chunks are inserted in batches as they come (one
 * statement per batch, plain SQL: the ORM held on to every batch of a long transaction), so a
 * streamed source is never held whole; its transaction lasts as long as its chunking (bounded by
 * the job's timeout), which is what keeps the replacement atomic without a staging table.
 */
export async function replaceChunks(
  file: { id: string; projectId: string },
  source: Pick<ChunkSource, "chunks">,
  options: { signal?: AbortSignal; fileUpdate: (counts: { chunks: number; tokens: number }) => { mimeType: string; metadata: Record<string, unknown> } },
): Promise<{ chunks: number; tokens: number }> {
  return withPgTransaction(async (exec) => {
    await exec("DELETE FROM chunks WHERE source_file_id = $1::uuid", [file.id]);
    const counts = { chunks: 0, tokens: 0 };
    let batch: TextChunk[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await exec(
        `INSERT INTO chunks (id, project_id, source_file_id, chunk_index, content, token_count, char_count, metadata)
         SELECT gen_random_uuid(), $1::uuid, $2::uuid, r.chunk_index, r.content, r.token_count, r.char_count, r.metadata::jsonb
         FROM unnest($3::int[], $4::text[], $5::int[], $6::int[], $7::text[]) AS r(chunk_index, content, token_count, char_count, metadata)`,
        [
          file.projectId,
          file.id,
          rows.map((c) => c.index),
          rows.map((c) => c.content),
          rows.map((c) => c.tokenCount),
          rows.map((c) => c.charCount),
          rows.map((c) => JSON.stringify(c.metadata)),
        ],
      );
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
    const { mimeType, metadata } = options.fileUpdate(counts);
    await exec(`UPDATE files SET status = 'ready', error_message = NULL, mime_type = $2, metadata = $3::jsonb, updated_at = now() WHERE id = $1::uuid`, [
      file.id,
      mimeType,
      JSON.stringify(metadata),
    ]);
    return counts;
  });
}

export async function processDocument(ctx: JobContext<{ fileId: string }>): Promise<Record<string, unknown>> {
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

    const options = { chunkSizeTokens: config.chunk_size_tokens, chunkOverlapTokens: config.chunk_overlap_tokens };
    let source: ChunkSource;
    if (detection.format === "text" && stat.size > STREAM_TEXT_ABOVE_BYTES) {
      // Large plain text streams from the file through the chunker into the database, so memory
      // stays flat whatever the size; the chunks are made inside the replacing transaction.
      const progress = ctx.progress;
      async function* counted(): AsyncGenerator<Buffer> {
        let bytesRead = 0;
        let lastReport = 0;
        for await (const bytes of fs.createReadStream(tmp, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
          bytesRead += bytes.length;
          if (bytesRead - lastReport >= stat.size / 50) {
            lastReport = bytesRead;
            void progress({
              pct: 25 + Math.floor((bytesRead / stat.size) * 70),
              message: `Chunking (${Math.round(bytesRead / 1e6)} of ${Math.round(stat.size / 1e6)} MB)`,
            });
          }
          yield bytes;
        }
      }
      const text = streamText(counted(), head, head.length === stat.size);
      source = { chunks: chunkStream(text.pieces, options), metadata: { encoding: text.encoding }, warnings: [], pages: 0, sections: 0, streamed: true };
      await ctx.progress({ pct: 25, message: "Chunking" });
    } else {
      await ctx.progress({ pct: 25, message: `Extracting text (${detection.format.toUpperCase()})` });
      const doc = await extractDocument(detection.format as DocumentFormat, { path: tmp });
      throwIfAborted(ctx.signal);
      await ctx.progress({ pct: 60, message: "Chunking" });
      const chunks = chunkDocument(doc, options);
      throwIfAborted(ctx.signal);
      await ctx.progress({ pct: 80, message: `Saving ${chunks.length} chunks` });
      source = { chunks, metadata: doc.metadata, warnings: doc.warnings ?? [], pages: doc.pages.length, sections: doc.sections.length, streamed: false };
    }
    const saved = await replaceChunks(file, source, {
      signal: ctx.signal,
      fileUpdate: (counts) => ({
        mimeType: detection.mimeType,
        metadata: {
          ...((file.metadata as object) ?? {}),
          ...source.metadata,
          // Always written, so a re-chunk clears an earlier run's warnings.
          warnings: source.warnings,
          format: detection.format,
          pageCount: source.pages || undefined,
          sectionCount: source.sections,
          chunkCount: counts.chunks,
          tokenCount: counts.tokens,
          chunking: { chunk_size_tokens: config.chunk_size_tokens, chunk_overlap_tokens: config.chunk_overlap_tokens },
        },
      }),
    });
    ctx.log(
      "info",
      `${file.filename}: ${saved.chunks} chunks, ${saved.tokens.toLocaleString()} tokens${source.pages ? `, ${source.pages} pages` : ""}${source.streamed ? " (streamed)" : ""}.`,
    );
    return { file: file.filename, chunks: saved.chunks, tokens: saved.tokens, pages: source.pages || undefined };
  } catch (error) {
    if (error instanceof IngestError) return await failFile(file.id, error.message);
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
