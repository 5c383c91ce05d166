// Job `test_set_generate`: writes a test set's questions from chunks spread across the chosen
// sources with the project's generation model (resumable: chunks that have questions are skipped).
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const testSetGenerateJob = defineJob({
  type: "test_set_generate",
  label: "Test set questions",
  payload: z.object({ testSetId: z.uuid() }),
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 6 * 3600,
  concurrency: 4,
  perWorkspace: true,
  async handler(ctx) {
    const { generateTestSet } = await import("./generate-handler");
    return generateTestSet(ctx);
  },
});
