// Receiving an upload: the type comes from the content (magic bytes, zip structure), the body
// streams to storage under a server-generated key with its sha256 computed on the way, the size
// limit is enforced while streaming, and the same content uploaded twice to a project is
// recognised and kept once.
import crypto from "node:crypto";
import { Readable } from "node:stream";
import type { File, Prisma } from "@prisma/client";
import type { ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { uploadMaxBytes } from "@/lib/env";
import { AppError, invalidInput } from "@/lib/errors";
import { DETECT_HEAD_BYTES, detectFormat } from "@/lib/ingest/detect";
import { type Detection, IngestError } from "@/lib/ingest/types";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { getStorage, readToBuffer } from "@/lib/storage";
import { fileKey } from "@/lib/storage/keys";
import { StorageLimitError } from "@/lib/storage/types";
import { assertWithinQuota } from "@/lib/usage";
import { chunkingJob } from "./chunking-job";

export type UploadResult = { file: File; duplicateOf?: string };

function tooLarge(): AppError {
  return new AppError("invalid_input", `This file is larger than the ${Math.round(uploadMaxBytes() / 1024 / 1024)} MB limit.`);
}

/** Reads the first bytes for type detection and returns a stream that still yields everything. */
async function peek(source: Readable, bytes: number): Promise<{ head: Buffer; body: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value as Uint8Array);
    seen.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(seen);
  async function* rest() {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value as Uint8Array;
    }
  }
  return { head, body: Readable.from(rest()) };
}

export function cleanFilename(name: string): string {
  // Only for display: storage keys never use it.
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 255);
  if (!cleaned) throw invalidInput("The file needs a name.");
  return cleaned;
}

export async function receiveUpload(
  ctx: ProjectContext,
  input: { filename: string; body: ReadableStream<Uint8Array>; declaredSize: number | null },
): Promise<UploadResult> {
  const filename = cleanFilename(input.filename);
  const max = uploadMaxBytes();
  if (input.declaredSize !== null && input.declaredSize > max) throw tooLarge();
  if (input.declaredSize === 0) throw new AppError("invalid_input", "This file is empty. Choose a file with content.");
  await assertWithinQuota(ctx, "storage", input.declaredSize ?? 0);

  const { head, body } = await peek(Readable.fromWeb(input.body as Parameters<typeof Readable.fromWeb>[0]), DETECT_HEAD_BYTES);
  let detection: ReturnType<typeof detectFormat>;
  try {
    // Without a declared size, a short head may still be a large file: do not treat it as whole.
    const size = input.declaredSize ?? (head.length < DETECT_HEAD_BYTES ? head.length : Number.MAX_SAFE_INTEGER);
    detection = detectFormat(head, filename, size);
  } catch (error) {
    if (error instanceof IngestError) throw new AppError("invalid_input", error.message);
    throw error;
  }
  if (!detection.ok) throw new AppError("invalid_input", detection.message);

  const id = crypto.randomUUID();
  const storagePath = fileKey(ctx.workspace.id, ctx.projectId, id);
  await db.file.create({
    data: {
      id,
      projectId: ctx.projectId,
      kind: detection.kind,
      status: "uploading",
      filename,
      mimeType: detection.mimeType,
      storagePath,
      createdById: ctx.actor.id,
      metadata: { format: detection.format },
    },
  });
  const storage = getStorage();
  let stored: Awaited<ReturnType<ReturnType<typeof getStorage>["put"]>>;
  try {
    stored = await storage.put(storagePath, body, { contentType: detection.mimeType, maxBytes: max });
  } catch (error) {
    await db.file.delete({ where: { id } }).catch(() => {});
    if (error instanceof StorageLimitError) throw tooLarge();
    throw error;
  }

  return settleStoredFile({ id, projectId: ctx.projectId, storagePath }, detection, stored, {
    chunk: (tx) => enqueueJob(ctx, chunkingJob, { fileId: id }, { tx }),
  });
}

/**
 * What an object already in storage is, from its first bytes (as `detectFormat` for a stream):
 * an empty file is a refusal like any other, not an error.
 */
export async function detectStored(storagePath: string, filename: string, size: number): Promise<Detection> {
  const head = await readToBuffer(await getStorage().get(storagePath, { start: 0, end: DETECT_HEAD_BYTES - 1 }), DETECT_HEAD_BYTES);
  try {
    return detectFormat(head, filename, size);
  } catch (error) {
    if (error instanceof IngestError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * A file whose bytes are stored: when the project has the same content already (same kind), that
 * copy is kept and this one removed; otherwise a dataset is ready for its column mapping and a
 * document goes on to chunking (`chunk`, inside the transaction that marks it processing).
 */
export async function settleStoredFile(
  file: { id: string; projectId: string; storagePath: string },
  detection: { kind: "raw_doc" | "dataset_upload"; format: string; mimeType: string },
  stored: { size: number; sha256: string },
  options: { chunk?: (tx: Prisma.TransactionClient) => Promise<unknown>; metadata?: Record<string, Prisma.InputJsonValue> } = {},
): Promise<UploadResult> {
  const existing = await db.file.findFirst({
    where: { projectId: file.projectId, sha256: stored.sha256, kind: detection.kind, id: { not: file.id }, status: { not: "failed" } },
    orderBy: { createdAt: "asc" },
  });
  if (existing) {
    await getStorage().delete(file.storagePath);
    await db.file.delete({ where: { id: file.id } });
    return { file: existing, duplicateOf: existing.id };
  }
  const isDocument = detection.kind === "raw_doc";
  const ready = await db.$transaction(async (tx) => {
    const updated = await tx.file.update({
      where: { id: file.id },
      // Documents go on to chunking; datasets wait for the user to confirm the column mapping.
      data: {
        kind: detection.kind,
        mimeType: detection.mimeType,
        metadata: { ...options.metadata, format: detection.format },
        sizeBytes: stored.size,
        sha256: stored.sha256,
        status: isDocument ? "processing" : "ready",
      },
    });
    if (isDocument) await options.chunk?.(tx);
    return updated;
  });
  return { file: ready };
}
