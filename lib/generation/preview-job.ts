// Job `dataset_preview`: 10 examples from a spread of chunks, in seconds. One generation at a time
// per project (it excludes the full run, and the full run excludes it).
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const previewJob = defineJob({
  type: "dataset_preview",
  label: "Preview",
  payload: z.object({}),
  retry: { limit: 1, delaySeconds: 2, maxDelaySeconds: 10 },
  timeoutSeconds: 10 * 60,
  concurrency: 4,
  perWorkspace: true,
  exclusiveWith: ["dataset_preview", "dataset_generate"],
  projectStatus: "generating",
  async handler(ctx) {
    const { runPreview } = await import("./preview-handler");
    return runPreview(ctx);
  },
});
