// Job `train`: one Run on one runner. See train-handler.ts for how it survives crashes.
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const trainPayload = z.object({ runId: z.uuid() });

export const trainJob = defineJob({
  type: "train",
  label: "Training",
  payload: trainPayload,
  // Connection trouble retries (the run keeps going on the box and is re-attached); errors the
  // runner reports do not.
  retry: { limit: 5, delaySeconds: 10, maxDelaySeconds: 300 },
  // pg-boss caps a delivery at 24 h. A longer run is not lost: the expired delivery is retried and
  // the handler re-attaches to the process still training on the box.
  timeoutSeconds: 23 * 3600,
  concurrency: 4,
  exclusiveWith: ["train"],
  projectStatus: "training",
  async handler(ctx) {
    const { runTraining } = await import("./train-handler");
    return runTraining(ctx);
  },
  async onGiveUp({ runId }, outcome, failure) {
    const { settleRun } = await import("./train-handler");
    await settleRun(runId, outcome, failure);
  },
});
