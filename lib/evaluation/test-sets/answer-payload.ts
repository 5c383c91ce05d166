// What a `test_set_answer` job is asked to do; the job definition (./answer-job) and its handler (./answer-handler) both read it.
import { z } from "zod";

export const testSetAnswerPayload = z.object({
  testSetId: z.uuid(),
  providerId: z.uuid(),
  model: z.string().trim().min(1).max(255),
  /** A workspace provider that scores open answers with their rubric; none: they stay unscored. */
  judgeProviderId: z.uuid().nullable().default(null),
});
export type TestSetAnswerPayload = z.infer<typeof testSetAnswerPayload>;
