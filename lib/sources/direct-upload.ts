// Uploads straight from the browser to the bucket (S3 storage): the web tier checks access, size
// and quota, presigns the PUTs (one, or one per 16 MB part) and, once the browser says it is
// done, finishes the multipart upload and checks the object's size; the `upload_check` job then
// hashes it, detects its type from its first bytes and deduplicates it, as an upload through the
// server would. No file body passes through the web process.
import crypto from "node:crypto";
import { assertPermission, type ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { uploadMaxBytes } from "@/lib/env";
import { AppError, invalidInput, notFound } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { getStorage } from "@/lib/storage";
import { fileKey } from "@/lib/storage/keys";
import type { DirectTransfer } from "@/lib/storage/types";
import { assertWithinQuota } from "@/lib/usage";
import { cleanFilename } from "./upload";
import { uploadCheckJob } from "./upload-check-job";

/** Parts of a multipart upload (S3's minimum is 5 MB for every part but the last). */
export const DIRECT_PART_BYTES = 16 * 1024 * 1024;
/** Links stay valid for a slow connection's 200 MB. */
const EXPIRES_S = 6 * 3600;

export type DirectUploadPlan =
  | { fileId: string; mode: "single"; url: string }
  | { fileId: string; mode: "multipart"; parts: Array<{ partNumber: number; size: number; url: string }> };

type DirectState = { size: number; uploadId?: string };

function directTransfer(): DirectTransfer {
  const direct = getStorage().direct;
  if (!direct) throw invalidInput("Direct uploads need S3 storage; upload through the app instead.");
  return direct;
}

function tooLarge(): AppError {
  return invalidInput(`This file is larger than the ${Math.round(uploadMaxBytes() / 1024 / 1024)} MB limit.`);
}

export async function startDirectUpload(ctx: ProjectContext, input: { filename: string; size: number }): Promise<DirectUploadPlan> {
  assertPermission(ctx.role, "sources.manage");
  const direct = directTransfer();
  const filename = cleanFilename(input.filename);
  if (!Number.isSafeInteger(input.size) || input.size < 0) throw invalidInput("The file's size is not a number of bytes.");
  if (input.size === 0) throw invalidInput("This file is empty. Choose a file with content.");
  if (input.size > uploadMaxBytes()) throw tooLarge();
  await assertWithinQuota(ctx, "storage", input.size);
  const id = crypto.randomUUID();
  const storagePath = fileKey(ctx.workspace.id, ctx.projectId, id);
  const multipart = input.size > DIRECT_PART_BYTES;
  const uploadId = multipart ? await direct.startMultipart(storagePath) : undefined;
  const state: DirectState = { size: input.size, ...(uploadId ? { uploadId } : {}) };
  // Its kind is known once its bytes are: until then it is an upload in progress.
  await db.file.create({
    data: { id, projectId: ctx.projectId, kind: "raw_doc", status: "uploading", filename, storagePath, createdById: ctx.actor.id, metadata: { direct: state } },
  });
  if (!uploadId) return { fileId: id, mode: "single", url: await direct.presignPut(storagePath, { size: input.size, expiresInSeconds: EXPIRES_S }) };
  const count = Math.ceil(input.size / DIRECT_PART_BYTES);
  const parts = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const size = i === count - 1 ? input.size - i * DIRECT_PART_BYTES : DIRECT_PART_BYTES;
      return { partNumber: i + 1, size, url: await direct.presignPart(storagePath, uploadId, i + 1, { size, expiresInSeconds: EXPIRES_S }) };
    }),
  );
  return { fileId: id, mode: "multipart", parts };
}

async function uploadingFile(ctx: ProjectContext, fileId: string) {
  assertPermission(ctx.role, "sources.manage");
  const file = await db.file.findFirst({ where: { id: fileId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } });
  const state = (file?.metadata as { direct?: DirectState } | null)?.direct;
  if (!file || !state) throw notFound("Upload");
  return { file, state };
}

/** The browser's PUTs are done: the object must now be exactly the announced size. */
export async function completeDirectUpload(ctx: ProjectContext, input: { fileId: string; parts?: Array<{ partNumber: number; etag: string }> }) {
  const { file, state } = await uploadingFile(ctx, input.fileId);
  if (file.status !== "uploading") throw invalidInput("This upload is already finished.");
  const direct = directTransfer();
  const storage = getStorage();
  if (state.uploadId) {
    const expected = Math.ceil(state.size / DIRECT_PART_BYTES);
    const parts = input.parts ?? [];
    if (parts.length !== expected || new Set(parts.map((p) => p.partNumber)).size !== expected) {
      throw invalidInput(`The upload needs all ${expected} parts; ${parts.length} arrived. Upload the file again.`);
    }
    try {
      await direct.completeMultipart(file.storagePath, state.uploadId, parts);
    } catch (error) {
      await abortDirectUpload(ctx, input.fileId);
      throw new AppError("invalid_input", "The storage service could not put the parts together. Upload the file again.", { cause: error });
    }
  }
  const stat = await storage.stat(file.storagePath);
  if (!stat || stat.size !== state.size) {
    await abortDirectUpload(ctx, input.fileId);
    throw invalidInput(
      stat
        ? `The upload arrived incomplete (${stat.size} of ${state.size} bytes). Upload the file again.`
        : "The upload did not arrive. Upload the file again.",
    );
  }
  return db.$transaction(async (tx) => {
    const updated = await tx.file.update({ where: { id: file.id }, data: { status: "processing", sizeBytes: stat.size } });
    await enqueueJob(ctx, uploadCheckJob, { fileId: file.id }, { tx });
    return updated;
  });
}

/** A failed or abandoned upload: its parts and its row go. */
export async function abortDirectUpload(ctx: ProjectContext, fileId: string): Promise<void> {
  const { file, state } = await uploadingFile(ctx, fileId);
  if (file.status !== "uploading") return;
  const storage = getStorage();
  if (state.uploadId) await storage.direct?.abortMultipart(file.storagePath, state.uploadId);
  await storage.delete(file.storagePath);
  await db.file.delete({ where: { id: file.id } });
}

/** An upload not finished within this long was abandoned (a closed tab, a killed web process). */
export const ABANDONED_AFTER_HOURS = 24;

/**
 * Removes uploads that never finished: browser uploads to the bucket (their multipart parts are
 * aborted) and uploads through the app whose web process died mid-body. Run hourly by workers.
 */
export async function sweepAbandonedUploads(hours = ABANDONED_AFTER_HOURS): Promise<number> {
  const stale = await db.file.findMany({
    where: { status: "uploading", createdAt: { lt: new Date(Date.now() - hours * 3600_000) } },
    select: { id: true, storagePath: true, metadata: true },
    take: 500,
  });
  const storage = getStorage();
  for (const file of stale) {
    const uploadId = (file.metadata as { direct?: DirectState } | null)?.direct?.uploadId;
    if (uploadId) await storage.direct?.abortMultipart(file.storagePath, uploadId);
    await storage.delete(file.storagePath);
    await db.file.deleteMany({ where: { id: file.id, status: "uploading" } });
  }
  return stale.length;
}
