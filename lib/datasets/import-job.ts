// Job `import`: reads an uploaded dataset (JSONL, JSON, CSV) as a stream and stores each row as
// an example of the project's task type. Invalid rows are kept with their line number and
// reason, never dropped. Rows are upserted by natural key ("import:<file>:<line>") with the
// checkpoint in the same transaction, so a crash or a retry resumes without duplicating.
import { z } from "zod";
import { db } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/definition";
import { datasetMappingSchema } from "./formats/mapping";

export const importJob = defineJob({
  type: "import",
  label: "Dataset import",
  payload: z.object({ fileId: z.uuid(), mapping: datasetMappingSchema }),
  retry: { limit: 2, delaySeconds: 5, maxDelaySeconds: 60 },
  timeoutSeconds: 60 * 60,
  concurrency: 1,
  exclusiveWith: ["import"],
  projectStatus: "chunking",
  async handler(ctx) {
    const { importDataset } = await import("./import-handler");
    return importDataset(ctx);
  },
  async onGiveUp({ fileId }, outcome, { message }) {
    await db.file.updateMany({
      where: { id: fileId },
      data: { errorMessage: outcome === "cancelled" ? "The import was cancelled; rows imported so far are kept. Import again to finish." : message },
    });
  },
});
