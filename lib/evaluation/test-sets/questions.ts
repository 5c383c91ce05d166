// Test questions written from a chunk, and their exact scoring. Pure functions: the jobs
// (./generate-handler, ./answer-handler) and the evaluation on the runner (../eval-handler) call
// them. Four types: true/false (a statement), multiple choice (options with distractors), short
// answer (a canonical answer and accepted variants) and open answer (a reference and a rubric,
// scored by the LLM judge). Every model is asked the same way (answerPrompt), so a base model, a
// tuned run and a provider's model are compared on equal terms.
import crypto from "node:crypto";
import type { TestQuestionType } from "@prisma/client";
import { z } from "zod";
import { normalizeAnswer } from "@/lib/evaluation/metrics";
import { findJson } from "@/lib/generation/parse";

export const QUESTION_TYPES: readonly TestQuestionType[] = ["true_false", "multiple_choice", "short_answer", "open_answer"];

export const QUESTION_TYPE_LABELS: Record<TestQuestionType, string> = {
  true_false: "True / false",
  multiple_choice: "Multiple choice",
  short_answer: "Short answer",
  open_answer: "Open answer",
};

/** A question as stored (TestQuestion's own fields). */
export type Question = {
  type: TestQuestionType;
  question: string;
  options: string[];
  answer: string;
  accepted: string[];
  rubric: string | null;
};

const RULES: Record<TestQuestionType, string> = {
  true_false:
    '- true_false: a statement that the text makes clearly true or clearly false; "answer": true or false. Make about half of them false by changing one fact.',
  multiple_choice:
    '- multiple_choice: a question with exactly 4 "options", one correct and three plausible but wrong; "answer": the correct option, written exactly as in "options".',
  short_answer:
    '- short_answer: a question answered in a few words (a name, number, date or term); "answer": the canonical answer; "accepted": other ways of writing it.',
  open_answer: '- open_answer: a question that needs a few sentences; "answer": a reference answer; "rubric": what a good answer must contain.',
};

const SHAPES: Record<TestQuestionType, string> = {
  true_false: '{"type": "true_false", "question": "...", "answer": true}',
  multiple_choice: '{"type": "multiple_choice", "question": "...", "options": ["...", "...", "...", "..."], "answer": "..."}',
  short_answer: '{"type": "short_answer", "question": "...", "answer": "...", "accepted": ["..."]}',
  open_answer: '{"type": "open_answer", "question": "...", "answer": "...", "rubric": "..."}',
};

export function questionsPrompt(chunk: string, types: readonly TestQuestionType[], perType: number, language: string, section?: string | null): string {
  const asked = types.map((t) => `${perType} ${QUESTION_TYPE_LABELS[t].toLowerCase()}`).join(", ");
  return `Read the source text below and write test questions that check whether someone knows what it says: ${asked} ${perType === 1 ? "question" : "questions"} of each type named.
${types.map((t) => RULES[t]).join("\n")}
Every question must make sense without seeing the text (never "according to the text"), and its answer must follow from the text alone.
Write in ${language}.

Respond with JSON of this form:
{"questions": [${types.map((t) => SHAPES[t]).join(", ")}]}

Source${section ? ` (section "${section}")` : ""}:
"""
${chunk}
"""`;
}

const text = z.string().trim().min(1);
const itemSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("true_false"), question: text, answer: z.union([z.boolean(), z.enum(["true", "false", "True", "False"])]) }),
  z.object({ type: z.literal("multiple_choice"), question: text, options: z.array(text).min(2).max(6), answer: text }),
  z.object({ type: z.literal("short_answer"), question: text, answer: text, accepted: z.array(z.string()).default([]) }),
  z.object({ type: z.literal("open_answer"), question: text, answer: text, rubric: z.string().trim().default("") }),
]);

export type ParsedQuestions = { questions: Question[]; rejected: string[] } | { error: string };

/**
 * The questions of an answer, each checked for its type; `rejected` says why each unusable one
 * was left out (a multiple-choice answer that is not one of its options, repeated options …).
 * Options are shuffled (seeded by the question, so the same answer gives the same order): models
 * tend to put the correct one first.
 */
export function parseQuestions(reply: string, types: readonly TestQuestionType[]): ParsedQuestions {
  const json = findJson(reply) as { questions?: unknown } | unknown[] | undefined;
  const list = Array.isArray(json) ? json : (json as { questions?: unknown } | undefined)?.questions;
  if (!Array.isArray(list)) return { error: "The model's answer had no list of questions." };
  const questions: Question[] = [];
  const rejected: string[] = [];
  for (const raw of list) {
    const parsed = itemSchema.safeParse(raw);
    if (!parsed.success) {
      rejected.push("A question did not have the fields of its type.");
      continue;
    }
    const item = parsed.data;
    if (!types.includes(item.type)) {
      rejected.push(`A ${QUESTION_TYPE_LABELS[item.type].toLowerCase()} question was not asked for.`);
      continue;
    }
    if (item.type === "true_false") {
      questions.push({ type: item.type, question: item.question, options: [], answer: String(item.answer).toLowerCase(), accepted: [], rubric: null });
    } else if (item.type === "multiple_choice") {
      const options = item.options.map((o) => o.trim());
      const keys = options.map(normalizeAnswer);
      if (new Set(keys).size !== keys.length) {
        rejected.push("A multiple-choice question repeated an option.");
        continue;
      }
      const correct = keys.indexOf(normalizeAnswer(item.answer.replace(/^[A-F][.)]\s+/, "")));
      if (correct === -1) {
        rejected.push("A multiple-choice answer was not one of its options.");
        continue;
      }
      questions.push({
        type: item.type,
        question: item.question,
        options: shuffled(options, item.question),
        answer: options[correct],
        accepted: [],
        rubric: null,
      });
    } else if (item.type === "short_answer") {
      const accepted = [...new Set(item.accepted.map((a) => a.trim()).filter((a) => a && normalizeAnswer(a) !== normalizeAnswer(item.answer)))];
      questions.push({ type: item.type, question: item.question, options: [], answer: item.answer, accepted, rubric: null });
    } else {
      questions.push({ type: item.type, question: item.question, options: [], answer: item.answer, accepted: [], rubric: item.rubric || null });
    }
  }
  return { questions, rejected };
}

/** A fixed shuffle seeded by the question's text (Fisher–Yates over sha256 bytes). */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const bytes = crypto.createHash("sha256").update(seed).digest();
  for (let i = out.length - 1; i > 0; i--) {
    const j = bytes[i % bytes.length] % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const LETTERS = "ABCDEF";

/** What every model is asked: the question, with the answer's expected form. */
export function answerPrompt(q: Pick<Question, "type" | "question" | "options">): string {
  switch (q.type) {
    case "true_false":
      return `Is the following statement true or false? Answer with "true" or "false" only.\n\nStatement: ${q.question}`;
    case "multiple_choice":
      return `${q.question}\n\n${q.options.map((o, i) => `${LETTERS[i]}. ${o}`).join("\n")}\n\nAnswer with the letter of the correct option only.`;
    case "short_answer":
      return `${q.question}\n\nAnswer in a few words only.`;
    case "open_answer":
      return q.question;
  }
}

/**
 * 1 or 0 for the types scored exactly; undefined for open answers (the judge scores those).
 * True/false: the first true/false (or yes/no) word. Multiple choice: the option letter the
 * answer starts with or names ("B", "(b)", "Answer: B"), else the option whose text it gives.
 * Short answer: the canonical answer or an accepted variant, after SQuAD normalisation, equal to
 * the answer or contained in it as whole words ("It is Paris." for "Paris").
 */
export function scoreAnswer(q: Pick<Question, "type" | "options" | "answer" | "accepted">, answer: string): 0 | 1 | undefined {
  switch (q.type) {
    case "true_false": {
      const word = /\b(true|false|yes|no|correct|incorrect)\b/i.exec(answer)?.[1]?.toLowerCase();
      if (!word) return 0;
      const said = word === "true" || word === "yes" || word === "correct" ? "true" : "false";
      return said === q.answer ? 1 : 0;
    }
    case "multiple_choice": {
      const letters = LETTERS.slice(0, q.options.length);
      const letter = new RegExp(`^\\s*(?:the\\s+)?(?:answer|option)?\\s*(?:is)?\\s*[:(]?\\s*([${letters}])\\b(?![’'])`, "i").exec(answer)?.[1];
      const correct = q.options.indexOf(q.answer);
      if (letter) return LETTERS.indexOf(letter.toUpperCase()) === correct ? 1 : 0;
      const given = normalizeAnswer(answer);
      const named = q.options.findIndex((o) => normalizeAnswer(o) === given);
      return named === correct && named !== -1 ? 1 : 0;
    }
    case "short_answer": {
      const given = ` ${normalizeAnswer(answer)} `;
      return [q.answer, ...q.accepted].some((variant) => {
        const v = normalizeAnswer(variant);
        return v !== "" && given.includes(` ${v} `);
      })
        ? 1
        : 0;
    }
    case "open_answer":
      return undefined;
  }
}

/** Wilson's 95 % interval for a share of `n` (the usual one for small samples and shares near 0 or 1). */
export function wilson(successes: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = 1.96;
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
