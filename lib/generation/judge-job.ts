// Job `dataset_judge`: scores the project's valid train and eval examples that have no score yet
// with the LLM judge (resumable: a retry or a new run continues with the unscored ones).
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const judgeJob = defineJob({
  type: "dataset_judge",
  label: "Example scoring",
  payload: z.object({}),
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 24 * 3600,
  concurrency: 4,
  perWorkspace: true,
  exclusiveWith: ["dataset_judge"],
  async handler(ctx) {
    const { runExampleJudge } = await import("./judge-handler");
    return runExampleJudge(ctx);
  },
});
