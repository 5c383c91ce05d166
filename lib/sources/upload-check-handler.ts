// The upload_check job's work (./upload-check-job).
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError } from "@/lib/jobs/definition";
import { enqueueFollowUpJob } from "@/lib/jobs/enqueue";
import { getStorage } from "@/lib/storage";
import { HashStream } from "@/lib/storage/hash-stream";
import { chunkingJob } from "./chunking-job";
import { detectStored, settleStoredFile } from "./upload";

async function refuse(file: { id: string; storagePath: string }, message: string): Promise<never> {
  await getStorage().delete(file.storagePath);
  await db.file.update({ where: { id: file.id }, data: { status: "failed", errorMessage: message } });
  throw new NonRetryableError(message);
}

export async function checkDirectUpload(ctx: JobContext<{ fileId: string }>): Promise<Record<string, unknown>> {
  const file = await db.file.findFirst({ where: { id: ctx.payload.fileId, projectId: ctx.projectId } });
  if (!file) return { message: "The file was deleted (or was a copy of one the project has)." };
  if (file.sha256) {
    // A retry after the file was settled: make sure a document's chunking was asked for.
    const chunking = await db.job.count({ where: { projectId: file.projectId, type: "chunking", payload: { path: ["fileId"], equals: file.id } } });
    if (file.kind === "raw_doc" && file.status === "processing" && chunking === 0)
      await enqueueFollowUpJob(file.projectId, chunkingJob, { fileId: file.id }, file.createdById);
    return { message: "Already checked" };
  }
  const storage = getStorage();
  const size = Number(file.sizeBytes ?? 0);
  const detection = await detectStored(file.storagePath, file.filename, size);
  if (!detection.ok) return refuse(file, detection.message);
  await ctx.progress({ message: "Checking the upload" });
  const hasher = new HashStream();
  for await (const chunk of (await storage.get(file.storagePath)).pipe(hasher)) void chunk;
  const stored = hasher.result();
  if (stored.size !== size) return refuse(file, `The stored file has ${stored.size} bytes, not the ${size} announced. Upload it again.`);
  const settled = await settleStoredFile(file, detection, stored);
  if (settled.duplicateOf) return { duplicate_of: settled.duplicateOf, message: `Same content as ${settled.file.filename}, already in the project` };
  if (settled.file.kind === "raw_doc") await enqueueFollowUpJob(file.projectId, chunkingJob, { fileId: file.id }, file.createdById);
  return { format: detection.format, bytes: stored.size, message: `${file.filename}: ${detection.format}, ${stored.size.toLocaleString()} bytes` };
}
