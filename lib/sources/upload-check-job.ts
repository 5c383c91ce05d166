// Job `upload_check`: a file a browser uploaded straight to the bucket (./direct-upload) is read
// back once: hashed, its type detected from its first bytes and deduplicated, then sent on to
// chunking (documents) or left ready for its column mapping (datasets).
import { z } from "zod";
import { db } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/definition";

export const uploadCheckJob = defineJob({
  type: "upload_check",
  label: "Upload check",
  payload: z.object({ fileId: z.uuid() }),
  retry: { limit: 3, delaySeconds: 5, maxDelaySeconds: 60 },
  timeoutSeconds: 3600,
  concurrency: 4,
  async handler(ctx) {
    const { checkDirectUpload } = await import("./upload-check-handler");
    return checkDirectUpload(ctx);
  },
  async onGiveUp({ fileId }, outcome, { message }) {
    await db.file.updateMany({
      where: { id: fileId, status: "processing", sha256: null },
      data: { status: "failed", errorMessage: outcome === "cancelled" ? "The upload check was cancelled. Delete this file and upload it again." : message },
    });
  },
});
