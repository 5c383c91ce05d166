// Generation mode "questions first": the model first writes a set of distinct questions (or, for
// instruction projects, instructions) that a chunk answers; they are deduplicated; then each is
// answered on its own with the chunk. Asked separately, answers tend to be more complete and the
// questions more varied than in one pass. The result has the single pass's shape
// ({"examples": [...]}), so validation, grounding and storage are the same.
import type { TaskType } from "@prisma/client";
import { type ChatMessage, completeChat, type LlmProviderRecord } from "@/lib/llm";
import type { Asked } from "./ask";
import { findJson } from "./parse";
import { SYSTEM_PROMPT } from "./prompts";

type AskOptions = {
  model: string;
  temperature: number;
  taskType: TaskType;
  language: string;
  /** Ask for the reasoning behind each answer too, kept apart from it. */
  reasoning?: boolean;
  /** Added to the questions prompt (the topic plan: each question names its topic). */
  note?: string;
  signal: AbortSignal;
  onRetry?: (message: string) => void;
};

const WHAT: Record<TaskType, { items: string; one: string; answer: string }> = {
  qa: { items: "questions", one: "question", answer: "answer" },
  instruction: { items: "instructions", one: "instruction", answer: "output" },
};

export function questionsPrompt(chunk: string, n: number, taskType: TaskType, language: string, section?: string | null): string {
  const what = WHAT[taskType];
  const ask =
    taskType === "qa"
      ? `write ${n} distinct questions a user might ask that the source text answers. Each must make sense without seeing the source, and no two may ask the same thing in other words.`
      : `write ${n} distinct instructions a user might give that the source text lets you carry out (explain, summarise, compare, list …). Each must make sense without seeing the source, and no two may ask for the same thing.`;
  return `Read the source text below and ${ask}
Write in ${language}.

Respond with JSON of this form:
{"${what.items}": ["...", "..."]}

Source${section ? ` (section "${section}")` : ""}:
"""
${chunk}
"""`;
}

export function answerPrompt(chunk: string, item: string, taskType: TaskType, language: string, reasoning = false): string {
  const what = WHAT[taskType];
  const shape = reasoning ? `{"reasoning": "the steps from the source text to the ${what.answer}", "${what.answer}": "..."}` : `{"${what.answer}": "..."}`;
  return `Using only the source text below, ${taskType === "qa" ? "answer the question" : "carry out the instruction"} correctly and completely, without copying long passages verbatim. Write in ${language}.

${what.one[0].toUpperCase()}${what.one.slice(1)}:
"""
${item}
"""

Respond with JSON of this form:
${shape}

Source:
"""
${chunk}
"""`;
}

/** Lower case, letters and digits only: two questions that differ in punctuation or case are one. */
const normalised = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(" ");

type Usage = { tokensIn: number; tokensOut: number; attempts: number; reasks: number };

type Picked<T> = { value: T } | { error: string };

/** One JSON call, asked once more when its answer cannot be read; `pick` takes the value out, or says what is wrong. */
async function askJson<T>(
  provider: LlmProviderRecord,
  prompt: string,
  options: AskOptions,
  usage: Usage,
  pick: (json: unknown) => Picked<T>,
): Promise<Picked<T>> {
  let messages: ChatMessage[] = [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: prompt },
  ];
  let problem = "";
  for (let ask = 0; ask < 2; ask++) {
    const reply = await completeChat(provider, messages, {
      model: options.model,
      temperature: options.temperature,
      json: true,
      signal: options.signal,
      onRetry: options.onRetry,
    });
    usage.tokensIn += reply.tokensIn;
    usage.tokensOut += reply.tokensOut;
    usage.attempts += reply.attempts;
    const picked = pick(findJson(reply.text));
    if ("value" in picked) return picked;
    problem = picked.error;
    usage.reasks += ask === 0 ? 1 : 0;
    messages = [
      ...messages,
      { role: "assistant", content: reply.text.slice(0, 2000) },
      { role: "user", content: `That answer could not be used (${problem}). Reply with only the JSON object asked for.` },
    ];
  }
  return { error: problem };
}

type Question = { text: string; topic?: string };

/** A list entry: the question itself, or (with a topic plan) an object holding it and its topic. */
function questionOf(entry: unknown, one: string): Question | undefined {
  if (typeof entry === "string") return entry.trim() ? { text: entry.trim() } : undefined;
  if (!entry || typeof entry !== "object") return undefined;
  const record = entry as Record<string, unknown>;
  const text = [record.text, record[one], record.question].find((value): value is string => typeof value === "string" && value.trim() !== "");
  if (!text) return undefined;
  return { text: text.trim(), ...(typeof record.topic === "string" ? { topic: record.topic } : {}) };
}

/** Questions first, then an answer to each; the examples in the single pass's JSON shape. */
export async function askQuestionsFirst(
  provider: LlmProviderRecord,
  chunk: { content: string; section?: string | null },
  n: number,
  options: AskOptions,
): Promise<Asked & { prompt: string }> {
  const what = WHAT[options.taskType];
  const usage: Usage = { tokensIn: 0, tokensOut: 0, attempts: 0, reasks: 0 };
  const prompt = questionsPrompt(chunk.content, n, options.taskType, options.language, chunk.section) + (options.note ?? "");
  const questions = await askJson(provider, prompt, options, usage, (json): Picked<Question[]> => {
    const list = (json as Record<string, unknown> | undefined)?.[what.items];
    if (!Array.isArray(list)) return { error: `no "${what.items}" list` };
    const seen = new Set<string>();
    const distinct = list
      .map((entry) => questionOf(entry, what.one))
      .filter((q): q is Question => q !== undefined && !seen.has(normalised(q.text)) && Boolean(seen.add(normalised(q.text))));
    return distinct.length ? { value: distinct.slice(0, n) } : { error: `the "${what.items}" list is empty` };
  });
  if ("error" in questions) return { ok: false, error: `The ${what.items} could not be used: ${questions.error}.`, ...usage, prompt };
  const examples: Array<Record<string, string>> = [];
  const failures: string[] = [];
  for (const { text: item, topic } of questions.value) {
    const answerAsk = answerPrompt(chunk.content, item, options.taskType, options.language, options.reasoning);
    const answered = await askJson(provider, answerAsk, options, usage, (json): Picked<{ answer: string; reasoning?: string }> => {
      const value = (json as Record<string, unknown> | undefined)?.[what.answer];
      const reasoning = (json as Record<string, unknown> | undefined)?.reasoning;
      if (typeof value !== "string" || !value.trim()) return { error: `no "${what.answer}"` };
      return { value: { answer: value.trim(), ...(typeof reasoning === "string" && reasoning.trim() ? { reasoning: reasoning.trim() } : {}) } };
    });
    if ("error" in answered) {
      failures.push(answered.error);
      continue;
    }
    const { answer, reasoning } = answered.value;
    examples.push({
      ...(options.taskType === "qa" ? { question: item, answer } : { instruction: item, input: "", output: answer }),
      ...(reasoning ? { reasoning } : {}),
      ...(topic ? { topic } : {}),
    });
  }
  if (examples.length === 0) return { ok: false, error: `No ${what.one} could be answered: ${failures[0] ?? "no answers"}.`, ...usage, prompt };
  return { ok: true, text: JSON.stringify({ examples }), ...usage, prompt };
}
