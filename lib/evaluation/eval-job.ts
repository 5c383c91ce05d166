// Job `eval`: evaluates a finished run on its box (eval loss, perplexity, base vs tuned answers),
// scores the answers here (ROUGE-L, exact match) and, when asked, by an LLM judge.
import { defineJob } from "@/lib/jobs/definition";
import { evalPayload } from "./eval-payload";

export { type EvalPayload, evalPayload } from "./eval-payload";

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
    const { runEvaluation } = await import("./eval-handler");
    return runEvaluation(ctx);
  },
});
