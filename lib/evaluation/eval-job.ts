// Job `eval`: evaluates a finished run on its box (eval loss, perplexity, base vs tuned answers),
// scores the answers here (ROUGE-L, exact match) and, when asked, by an LLM judge.
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const evalPayload = z.object({
  runId: z.uuid(),
  numPrompts: z.number().int().min(1).max(500).default(20),
  /** A workspace provider that grades the tuned answers; none: no judge. */
  judgeProviderId: z.uuid().nullable().default(null),
  maxNewTokens: z.number().int().min(16).max(4096).default(256),
});
export type EvalPayload = z.infer<typeof evalPayload>;

export const evalJob = defineJob({
  type: "eval",
  label: "Evaluation",
  payload: evalPayload,
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 300 },
  timeoutSeconds: 12 * 3600,
  concurrency: 2,
  exclusiveWith: ["eval"],
  projectStatus: "evaluating",
  async handler(ctx) {
    const { runEvaluation } = await import("./run-eval");
    return runEvaluation(ctx);
  },
});
