// Job `test_set_answer`: a workspace provider's model answers a test set; answers are scored as
// they come (exact types) and open answers by the judge, when one is chosen. Resumable: questions
// this model has answered are skipped.
import { defineJob } from "@/lib/jobs/definition";
import { testSetAnswerPayload } from "./answer-payload";

export const testSetAnswerJob = defineJob({
  type: "test_set_answer",
  label: "Test set answers",
  payload: testSetAnswerPayload,
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 6 * 3600,
  concurrency: 4,
  perWorkspace: true,
  async handler(ctx) {
    const { answerTestSet } = await import("./answer-handler");
    return answerTestSet(ctx);
  },
});
