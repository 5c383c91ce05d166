// Job `dataset_generate`: the full, resumable generation run. One generation at a time per project.
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const generateJob = defineJob({
  type: "dataset_generate",
  label: "Generation",
  payload: z.object({}),
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 24 * 3600,
  concurrency: 16,
  perWorkspace: true,
  exclusiveWith: ["dataset_preview", "dataset_generate"],
  projectStatus: "generating",
  async handler(ctx) {
    const { runGeneration } = await import("./generate-handler");
    return runGeneration(ctx);
  },
});
