// Job `chunking`: one per source file — fetch (URL sources), extract, chunk with the project's
// settings, and replace the file's chunks in one transaction (so a rerun or a re-chunk is
// idempotent). The handler's heavy dependencies load only in the worker.
import { z } from "zod";
import { db } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/definition";

export const chunkingJob = defineJob({
  type: "chunking",
  label: "Chunking",
  payload: z.object({ fileId: z.uuid() }),
  retry: { limit: 2, delaySeconds: 5, maxDelaySeconds: 60 },
  // A scanned book is read by OCR page by page (about 1–2 s a page on one core): 1,000 pages
  // must fit, with room.
  timeoutSeconds: 3 * 60 * 60,
  concurrency: 2,
  projectStatus: "chunking",
  async handler(ctx) {
    const { processDocument } = await import("./chunking-handler");
    return processDocument(ctx);
  },
  async onGiveUp({ fileId }, outcome, { message }) {
    // Chunks are replaced atomically, so a file that had chunks still has its old, whole set.
    const file = await db.file.findUnique({ where: { id: fileId }, select: { status: true, _count: { select: { chunks: true } } } });
    if (!file || file.status === "failed") return;
    if (file._count.chunks > 0) await db.file.update({ where: { id: fileId }, data: { status: "ready" } });
    else
      await db.file.update({
        where: { id: fileId },
        data: { status: "failed", errorMessage: outcome === "cancelled" ? "Processing was cancelled. Re-chunk to try again." : message },
      });
  },
});
