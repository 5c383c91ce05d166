// Job `hub_dataset_download`: brings one data file of a Hugging Face dataset (the repo's own
// JSONL/JSON/CSV/Parquet, or the Hub's Parquet conversion) into storage as a dataset upload; the
// user then maps its columns and imports it like any uploaded dataset.
import { z } from "zod";
import { db } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/definition";

export const hubDatasetDownloadJob = defineJob({
  type: "hub_dataset_download",
  label: "Hub dataset download",
  payload: z.object({ fileId: z.uuid() }),
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 2 * 3600,
  concurrency: 2,
  async handler(ctx) {
    const { downloadHubDataset } = await import("./hub-import-handler");
    return downloadHubDataset(ctx);
  },
  async onGiveUp({ fileId }, outcome, { message }) {
    await db.file.updateMany({
      where: { id: fileId, status: "processing" },
      data: { status: "failed", errorMessage: outcome === "cancelled" ? "The download was cancelled. Delete this file and import it again." : message },
    });
  },
});
