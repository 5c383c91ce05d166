// What an `eval` job is asked to do; the job definition (./eval-job) and its handler (./eval-handler) both read it.
import { z } from "zod";

export const evalPayload = z.object({
  runId: z.uuid(),
  numPrompts: z.number().int().min(1).max(500).default(20),
  /** A workspace provider that grades the tuned answers; none: no judge. */
  judgeProviderId: z.uuid().nullable().default(null),
  maxNewTokens: z.number().int().min(16).max(4096).default(256),
  /** A test set the run's base and tuned models answer too (lib/evaluation/test-sets), scored like any model's. */
  testSetId: z.uuid().nullable().default(null),
});
export type EvalPayload = z.infer<typeof evalPayload>;
