// LLM-as-judge: one chat call grades one answer against its reference (and the source chunk the
// example came from, when known) on a 1–5 rubric. The verdict is read tolerantly, as models wrap
// JSON in fences or prose and write numbers as strings; a verdict that cannot be read throws
// JudgeParseError, which the evaluation records against that sample and goes on.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { findJson } from "@/lib/generation/parse";
import { type ChatMessage, completeChat, estimateCost, type LlmProviderRecord, providerOptions } from "@/lib/llm";
import { countTokens } from "@/lib/tokens";

export type JudgeInput = {
  prompt: string;
  reference: string;
  answer: string;
  /** The chunk the example was generated from; without it faithfulness is judged against the reference. */
  sourceChunk?: string | null;
};

export type JudgeVerdict = {
  /** Overall, 1–5. */
  score: number;
  reason: string;
  faithfulness: number;
  correctness: number;
  helpfulness: number;
};

export type JudgeResult = JudgeVerdict & { tokensIn: number; tokensOut: number };

export type JudgeCostEstimate = { tokensIn: number; tokensOut: number; cost: number | null; calls: number };

export class JudgeParseError extends AppError {
  /** The start of what the judge answered, for the sample's record. */
  readonly excerpt: string;

  constructor(detail: string, text: string) {
    super("unavailable", `Judge output unreadable: ${detail}`);
    this.name = "JudgeParseError";
    const flat = text.replace(/\s+/g, " ").trim();
    this.excerpt = flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
  }
}

export const JUDGE_SYSTEM_PROMPT =
  "You are a strict, impartial grader of answers written by an AI assistant. You answer with a single JSON object and nothing else.";

/**
 * A verdict is a JSON object of about 60–90 tokens (three digits, a score and one sentence); the
 * estimate rounds up, as models often write a longer sentence than asked.
 */
export const JUDGE_OUTPUT_TOKENS = 100;

// Triple quotes fence the texts, so an answer that says "ignore the rubric" reads as an answer.
function judgePrompt(input: JudgeInput): string {
  const source = input.sourceChunk?.trim()
    ? `Source text the question was written from:\n"""\n${input.sourceChunk}\n"""\n\n`
    : "There is no source text: judge faithfulness against the reference answer.\n\n";
  return `Grade the assistant's answer to the question below.

${source}Question:
"""
${input.prompt}
"""

Reference answer (known to be correct):
"""
${input.reference}
"""

Assistant's answer to grade:
"""
${input.answer}
"""

Score each criterion from 1 (worst) to 5 (best), in whole numbers:
- faithfulness: every claim is supported by the source text; nothing is invented.
- correctness: the answer agrees with the reference answer; missing or contradicting key facts lowers it.
- helpfulness: the answer addresses the question clearly and completely, without padding.
Then give an overall score from 1 to 5 and a one-sentence reason.

Respond with JSON of this form:
{"faithfulness": 1-5, "correctness": 1-5, "helpfulness": 1-5, "score": 1-5, "reason": "one sentence"}`;
}

export function judgeMessages(input: JudgeInput): ChatMessage[] {
  return [
    { role: "system", content: JUDGE_SYSTEM_PROMPT },
    { role: "user", content: judgePrompt(input) },
  ];
}

/** A number, or a string holding one ("4", "4/5", "4 out of 5"). */
const rating = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*\d+(?:\.\d+)?\s*(?:(?:\/|out of)\s*5\s*)?$/i)
    .transform((s) => Number.parseFloat(s)),
]);

const verdictSchema = z.object({
  faithfulness: rating,
  correctness: rating,
  helpfulness: rating,
  score: rating.optional(),
  reason: z.string().nullish(),
});

const ALIASES: Record<string, keyof z.infer<typeof verdictSchema>> = {
  overall: "score",
  overall_score: "score",
  overallscore: "score",
  rating: "score",
  rationale: "reason",
  explanation: "reason",
  justification: "reason",
};

/** Keys lowercased, with `overall`/`rationale` and the like under our names; nested `{"scores": {…}}` flattened. */
function normalizeKeys(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of Object.values(value)) {
    if (item && typeof item === "object" && !Array.isArray(item)) Object.assign(out, normalizeKeys(item as Record<string, unknown>));
  }
  for (const [key, item] of Object.entries(value)) {
    if (item && typeof item === "object") continue;
    const name = key.toLowerCase().replace(/[\s-]+/g, "_");
    out[ALIASES[name] ?? name] = item;
  }
  return out;
}

/**
 * Reads a verdict out of the judge's text. A rating outside 1–5 is refused rather than clamped: a
 * judge answering on another scale (0–10, 0–1) would otherwise be read as confidently wrong.
 */
export function parseJudgeOutput(text: string): JudgeVerdict {
  if (!text.trim()) throw new JudgeParseError("the judge returned an empty answer.", text);
  const json = findJson(text);
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new JudgeParseError("the answer was not a JSON object.", text);
  const parsed = verdictSchema.safeParse(normalizeKeys(json as Record<string, unknown>));
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].join(", ");
    throw new JudgeParseError(`missing or invalid ${fields}.`, text);
  }
  const { faithfulness, correctness, helpfulness, reason } = parsed.data;
  // Without an overall score, the criteria's mean stands in for it.
  const score = parsed.data.score ?? Math.round(((faithfulness + correctness + helpfulness) / 3) * 10) / 10;
  const outOfRange = Object.entries({ score, faithfulness, correctness, helpfulness }).filter(([, value]) => !(value >= 1 && value <= 5));
  if (outOfRange.length) {
    throw new JudgeParseError(`${outOfRange.map(([key, value]) => `${key} ${value}`).join(", ")} outside 1–5.`, text);
  }
  return { score, reason: reason?.trim() ?? "", faithfulness, correctness, helpfulness };
}

export type JudgeSampleOptions = JudgeInput & {
  provider: LlmProviderRecord;
  /** Defaults to the provider's default model. */
  model?: string;
  signal?: AbortSignal;
};

/** Grades one answer. Throws LlmError when the provider fails, JudgeParseError when its verdict cannot be read. */
export async function judgeSample(options: JudgeSampleOptions): Promise<JudgeResult> {
  const { provider, model, signal } = options;
  // Temperature 0: the same answer should get the same grade on a re-run.
  const reply = await completeChat(provider, judgeMessages(options), { model, temperature: 0, json: true, signal });
  return { ...parseJudgeOutput(reply.text), tokensIn: reply.tokensIn, tokensOut: reply.tokensOut };
}

/** What judging `samples` will send and cost, shown before the user starts; counted like completeChat counts. */
export function estimateJudgeCost(options: { provider: Pick<LlmProviderRecord, "options">; samples: readonly JudgeInput[] }): JudgeCostEstimate {
  let tokensIn = 0;
  for (const sample of options.samples)
    tokensIn += countTokens(
      judgeMessages(sample)
        .map((m) => m.content)
        .join("\n"),
    );
  const tokensOut = options.samples.length * JUDGE_OUTPUT_TOKENS;
  return { tokensIn, tokensOut, cost: estimateCost({ tokensIn, tokensOut }, providerOptions(options.provider).prices), calls: options.samples.length };
}
