// Jobs `dataset_preview` (10 examples from a spread of chunks, in seconds) and
// `dataset_generate` (the full, resumable run). One generation at a time per project.
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const previewJob = defineJob({
  type: "dataset_preview",
  label: "Preview",
  payload: z.object({}),
  retry: { limit: 1, delaySeconds: 2, maxDelaySeconds: 10 },
  timeoutSeconds: 10 * 60,
  concurrency: 2,
  exclusiveWith: ["dataset_preview", "dataset_generate"],
  projectStatus: "generating",
  async handler(ctx) {
    const { runPreview } = await import("./run-preview");
    return runPreview(ctx);
  },
});

export const generateJob = defineJob({
  type: "dataset_generate",
  label: "Generation",
  payload: z.object({}),
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 24 * 3600,
  concurrency: 1,
  exclusiveWith: ["dataset_preview", "dataset_generate"],
  projectStatus: "generating",
  async handler(ctx) {
    const { runGeneration } = await import("./run-generation");
    return runGeneration(ctx);
  },
});
