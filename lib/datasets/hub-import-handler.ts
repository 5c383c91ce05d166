// The hub_dataset_download job's work (./hub-import-job): stream the file from the Hub into
// storage (size-capped, hashed on the way), check from its first bytes that it is a dataset, and
// keep one copy per content in the project, as an upload would.
import { Transform } from "node:stream";
import { db } from "@/lib/db/client";
import { uploadMaxBytes } from "@/lib/env";
import { HubDatasetError, type HubDatasetRef, openHubDatasetFile } from "@/lib/hub/datasets";
import { type JobContext, NonRetryableError } from "@/lib/jobs/definition";
import { HF_TOKEN, readSecret } from "@/lib/secrets";
import { detectStored, settleStoredFile } from "@/lib/sources/upload";
import { getStorage } from "@/lib/storage";
import { StorageLimitError } from "@/lib/storage/types";

async function failFile(fileId: string, message: string): Promise<never> {
  await db.file.update({ where: { id: fileId }, data: { status: "failed", errorMessage: message } });
  throw new NonRetryableError(message);
}

const limitMessage = () => `This file is larger than the ${Math.round(uploadMaxBytes() / 1024 / 1024)} MB upload limit.`;

export async function downloadHubDataset(ctx: JobContext<{ fileId: string }>): Promise<Record<string, unknown>> {
  const file = await db.file.findFirst({
    where: { id: ctx.payload.fileId, projectId: ctx.projectId },
    include: { project: { select: { workspaceId: true } } },
  });
  if (!file) throw new NonRetryableError("This file was deleted before it was downloaded.");
  if (file.status === "ready") return { message: "Already downloaded" };
  const hub = (file.metadata as { hub?: HubDatasetRef } | null)?.hub;
  if (!hub) return failFile(file.id, "This file does not name a Hub dataset to download.");
  const token = (await readSecret(file.project.workspaceId, HF_TOKEN)) ?? undefined;

  let opened: Awaited<ReturnType<typeof openHubDatasetFile>>;
  try {
    opened = await openHubDatasetFile(hub, { token, signal: ctx.signal });
  } catch (error) {
    // A Hub outage is retried; a wrong id, a missing file or a refused token are not.
    if (error instanceof HubDatasetError && error.reason !== "unavailable") return failFile(file.id, error.message);
    throw error;
  }
  const max = uploadMaxBytes();
  if (opened.size > max) {
    opened.stream.destroy();
    return failFile(file.id, limitMessage());
  }
  const total = Math.max(1, opened.size);
  let bytes = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes - reported > total / 50) {
        reported = bytes;
        const mb = 1024 * 1024;
        void ctx.progress({
          pct: Math.min(95, Math.floor((bytes / total) * 95)),
          done: Math.floor(bytes / mb),
          total: Math.ceil(total / mb),
          message: `Downloading ${hub.path}`,
        });
      }
      callback(null, chunk);
    },
  });
  const storage = getStorage();
  let stored: Awaited<ReturnType<typeof storage.put>>;
  try {
    stored = await storage.put(file.storagePath, opened.stream.pipe(counter), { contentType: file.mimeType ?? undefined, maxBytes: max });
  } catch (error) {
    await storage.delete(file.storagePath).catch(() => {});
    if (error instanceof StorageLimitError) return failFile(file.id, limitMessage());
    throw error;
  }

  const detection = await detectStored(file.storagePath, file.filename, stored.size);
  if (!detection.ok || detection.kind !== "dataset_upload") {
    await storage.delete(file.storagePath);
    return failFile(file.id, detection.ok ? `${hub.path} is not a JSONL, JSON, CSV or Parquet dataset.` : detection.message);
  }
  // Kept once per content, as an upload is; a dataset is then ready for its column mapping.
  const settled = await settleStoredFile(file, detection, stored, { metadata: { hub } });
  if (settled.duplicateOf) {
    ctx.log("info", `${hub.path} has the same content as ${settled.file.filename}, which the project already has; kept that one.`);
    return { duplicate_of: settled.duplicateOf, message: `Same content as ${settled.file.filename}, already in the project` };
  }
  return { bytes: stored.size, format: detection.format, message: `Downloaded ${hub.path} (${Math.max(1, Math.round(stored.size / 1024))} KB)` };
}
