// The chunking job's work for one document (see chunking-job.ts).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Prisma } from "@prisma/client";
import { chunkDocument } from "@/lib/chunking";
import { db } from "@/lib/db/client";
import { env, uploadMaxBytes } from "@/lib/env";
import { extractDocument } from "@/lib/ingest";
import { DETECT_HEAD_BYTES, detectFormat } from "@/lib/ingest/detect";
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

    await ctx.progress({ pct: 25, message: `Extracting text (${detection.format.toUpperCase()})` });
    const doc = await extractDocument(detection.format as DocumentFormat, { path: tmp });
    throwIfAborted(ctx.signal);

    await ctx.progress({ pct: 60, message: "Chunking" });
    const chunks = chunkDocument(doc, { chunkSizeTokens: config.chunk_size_tokens, chunkOverlapTokens: config.chunk_overlap_tokens });
    throwIfAborted(ctx.signal);

    await ctx.progress({ pct: 80, message: `Saving ${chunks.length} chunks` });
    const tokenCount = chunks.reduce((n, c) => n + c.tokenCount, 0);
    // Replace the file's chunks atomically: readers see the old set or the new one, never half.
    await db.$transaction(
      async (tx) => {
        await tx.chunk.deleteMany({ where: { sourceFileId: file.id } });
        for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
          await tx.chunk.createMany({
            data: chunks.slice(i, i + INSERT_BATCH).map((c) => ({
              projectId: file.projectId,
              sourceFileId: file.id,
              chunkIndex: c.index,
              content: c.content,
              tokenCount: c.tokenCount,
              charCount: c.charCount,
              metadata: c.metadata as Prisma.InputJsonObject,
            })),
          });
        }
        await tx.file.update({
          where: { id: file.id },
          data: {
            status: "ready",
            errorMessage: null,
            mimeType: detection.mimeType,
            metadata: {
              ...((file.metadata as object) ?? {}),
              ...doc.metadata,
              // Pages left out as unreadable and the like; undefined clears an earlier run's.
              warnings: doc.warnings?.length ? doc.warnings : undefined,
              format: detection.format,
              pageCount: doc.pages.length || undefined,
              sectionCount: doc.sections.length,
              chunkCount: chunks.length,
              tokenCount,
              chunking: { chunk_size_tokens: config.chunk_size_tokens, chunk_overlap_tokens: config.chunk_overlap_tokens },
            },
          },
        });
      },
      { timeout: 120_000 },
    );
    ctx.log(
      "info",
      `${file.filename}: ${chunks.length} chunks, ${tokenCount.toLocaleString()} tokens${doc.pages.length ? `, ${doc.pages.length} pages` : ""}.`,
    );
    return { file: file.filename, chunks: chunks.length, tokens: tokenCount, pages: doc.pages.length || undefined };
  } catch (error) {
    if (error instanceof IngestError) return await failFile(file.id, error.message);
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
