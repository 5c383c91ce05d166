// Scoring examples with an LLM judge: the project's generation model grades each valid train and
// eval example against the chunk it came from, by a rubric (built in, or the project's own), and
// answers with a score per criterion and one sentence; the example keeps the mean (1–5) and the
// sentence. Pure parts here; the job is example-judge-handler.ts.

import { findJson } from "@/lib/generation/parse";
import type { ChatMessage } from "@/lib/llm";
import { type ExampleData, historyOf, promptOf, responseOf } from "./example";

export const DEFAULT_RUBRIC = `- faithfulness: every claim in the answer is supported by the source text; nothing is invented.
- helpfulness: the answer addresses the question completely and would teach a model something useful.
- clarity: the question is self-contained and unambiguous, and the answer is well written.`;

/** A verdict is a small JSON object; the estimate rounds up. */
export const JUDGE_OUTPUT_TOKENS = 100;

const SYSTEM =
  "You are a strict, impartial grader of training examples for fine-tuning a language model. You answer with a single JSON object and nothing else.";

/** The criteria a rubric names ("- name: what it means" lines), in order. */
export function rubricCriteria(rubric: string): string[] {
  const names = [...rubric.matchAll(/^\s*[-*]\s*([A-Za-z][\w -]{0,40}?)\s*:/gm)].map((m) => m[1].trim().toLowerCase().replace(/\s+/g, "_"));
  return [...new Set(names)];
}

/** A conversation's earlier turns, which the last reply may rely on (grade the last turn, in their light). */
function earlierTurns(data: ExampleData): string {
  const turns = historyOf(data);
  if (turns.length === 0) return "";
  return `Earlier turns of the conversation (grade only the last turn, below, in their light):\n"""\n${turns
    .map(([user, assistant]) => `User: ${user}\nAssistant: ${assistant}`)
    .join("\n\n")}\n"""\n\n`;
}

// Triple quotes fence the texts, so an example that says "ignore the rubric" reads as an example.
export function judgeExampleMessages(input: { data: ExampleData; sourceText: string | null; rubric: string }): ChatMessage[] {
  const criteria = rubricCriteria(input.rubric);
  const source = input.sourceText?.trim()
    ? `Source text the example was written from:\n"""\n${input.sourceText}\n"""\n\n`
    : "There is no source text (the example was imported): judge faithfulness by plausibility alone.\n\n";
  const shape = `{${criteria.map((c) => `"${c}": 1-5`).join(", ")}, "reason": "one sentence"}`;
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: `Grade this training example.

${source}${earlierTurns(input.data)}Prompt:
"""
${promptOf(input.data)}
"""

Response:
"""
${responseOf(input.data)}
"""

Score each criterion from 1 (worst) to 5 (best), in whole numbers:
${input.rubric.trim()}
Then give a one-sentence reason for the lowest score.

Respond with JSON of this form:
${shape}`,
    },
  ];
}

export type ExampleVerdict = { score: number; reason: string; scores: Record<string, number> };

/** Reads a verdict: every criterion 1–5; the score is their mean. Throws with what was wrong. */
export function parseExampleVerdict(text: string, criteria: string[]): ExampleVerdict {
  const json = findJson(text) as Record<string, unknown> | undefined;
  if (!json || typeof json !== "object") throw new Error("The verdict was not JSON.");
  const scores: Record<string, number> = {};
  for (const criterion of criteria) {
    const value = Number(json[criterion]);
    if (!Number.isFinite(value) || value < 1 || value > 5) throw new Error(`The verdict has no score from 1 to 5 for ${criterion}.`);
    scores[criterion] = value;
  }
  const values = Object.values(scores);
  const score = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
  const reason = typeof json.reason === "string" ? json.reason.trim().slice(0, 500) : "";
  return { score, reason, scores };
}
