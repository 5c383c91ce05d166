// Job `dataset_merge`: adds another dataset's examples to this project's — another project's of
// the workspace, or a frozen version (this project's or another's) — leaving out every example
// whose content the project already has, then (by default) freezes a new version.
import { defineJob } from "@/lib/jobs/definition";
import { mergePayload } from "./merge-payload";

export { type MergePayload, mergePayload } from "./merge-payload";

export const datasetMergeJob = defineJob({
  type: "dataset_merge",
  label: "Dataset merge",
  payload: mergePayload,
  retry: { limit: 2, delaySeconds: 5, maxDelaySeconds: 60 },
  timeoutSeconds: 2 * 3600,
  concurrency: 2,
  exclusiveWith: ["dataset_merge", "import"],
  async handler(ctx) {
    const { mergeDataset } = await import("./merge-handler");
    return mergeDataset(ctx);
  },
});
