// Job `model_merge`: folds a finished run's LoRA adapter into its base model on the run's box
// (`python -m ftf_runner merge`) and brings the merged model back into storage, for the bundle's
// Ollama-ready variant (FROM ./model) and anything else that takes a whole model.
import { defineJob } from "@/lib/jobs/definition";
import { mergePayload } from "./merged-model";

export { type MergedModel, type MergePayload, mergedModelOf, mergePayload } from "./merged-model";

export const modelMergeJob = defineJob({
  type: "model_merge",
  label: "Model merge",
  payload: mergePayload,
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 300 },
  timeoutSeconds: 6 * 3600,
  concurrency: 2,
  exclusiveWith: ["model_merge"],
  async handler(ctx) {
    const { runModelMerge } = await import("./merge-handler");
    return runModelMerge(ctx);
  },
});
