// The prompts that turn a chunk into examples. Each task type has a built-in template; a
// project may replace it. Every example records the version of the prompt that made it:
// "builtin-<task>-v1" or "custom-<first 10 hex of its sha256>".
import crypto from "node:crypto";
import type { TaskType } from "@prisma/client";

export const SYSTEM_PROMPT = "You write training data for fine-tuning a language model. You answer with a single JSON object and nothing else.";

const BUILTIN: Record<TaskType, string> = {
  instruction: `Read the source text below and write {{n}} diverse training examples that teach what it says.
Each example is an instruction a user might give, optional input the instruction refers to (or an empty string), and the ideal output.
Ground every output in the source text: do not invent facts, do not copy long passages verbatim, and make each example make sense on its own without the source.
Write in {{language}}.

Respond with JSON of this form:
{"examples": [{"instruction": "...", "input": "...", "output": "..."}]}

Source{{section}}:
"""
{{chunk}}
"""`,
  qa: `Read the source text below and write {{n}} question-answer pairs about it.
Each question must be answerable from the source text alone; each answer must be correct, complete and grounded in the text, without copying long passages verbatim. Questions must make sense without seeing the source.
Write in {{language}}.

Respond with JSON of this form:
{"examples": [{"question": "...", "answer": "..."}]}

Source{{section}}:
"""
{{chunk}}
"""`,
};

export const TEMPLATE_VARIABLES = ["{{chunk}}", "{{n}}", "{{language}}", "{{section}}"] as const;

export function builtinPrompt(taskType: TaskType): string {
  return BUILTIN[taskType];
}

export function promptVersion(taskType: TaskType, template: string | null): string {
  if (!template || template === BUILTIN[taskType]) return `builtin-${taskType}-v1`;
  return `custom-${crypto.createHash("sha256").update(template).digest("hex").slice(0, 10)}`;
}

const VARIABLE = /\{\{(chunk|n|language|section)\}\}/g;

/**
 * The template with its variables filled in, literally and in one pass: a replacement function
 * (not a replacement string, where `$&`, `$$`, `` $` `` and `$'` mean something), and text that
 * goes in is never searched again, so a chunk holding "{{n}}" or "$'" arrives as written.
 */
export function renderPrompt(template: string, vars: { chunk: string; n: number; language: string; section?: string | null }): string {
  const values: Record<string, string> = {
    chunk: vars.chunk,
    n: String(vars.n),
    language: vars.language,
    section: vars.section ? ` (section "${vars.section}")` : "",
  };
  return template.replace(VARIABLE, (_, name: string) => values[name]);
}

/** The prompt's own words: the rendered prompt without the chunk, for the copy check. */
export function promptInstructions(prompt: string, chunk: string): string {
  return chunk ? prompt.split(chunk).join("\n") : prompt;
}

/** Why a custom template cannot be used, or undefined. */
export function templateProblem(template: string): string | undefined {
  if (!template.includes("{{chunk}}")) return "The prompt must contain {{chunk}}, where the source text goes.";
  return undefined;
}

/** Added to the prompt when the project asks for reasoning: each example also carries the steps to its answer, apart from it. */
export function reasoningNote(taskType: TaskType, conversation = false): string {
  if (conversation) {
    return `\n\nFor each conversation also give "reasoning": the steps from the source text to its last assistant turn, written apart from that turn (the turn itself stays as it would be without them). Add it as a "reasoning" field to each conversation object.`;
  }
  const answer = taskType === "qa" ? "answer" : "output";
  return `\n\nFor each example also give "reasoning": the steps from the source text to the ${answer}, written apart from the ${answer} (the ${answer} itself stays as it would be without them). Add it as a "reasoning" field to each example object.`;
}

/** The JSON shape a conversation-mode answer has (the re-ask reminder repeats it). */
export const CONVERSATION_SHAPE = '{"conversations": [{"turns": [{"user": "...", "assistant": "..."}, {"user": "...", "assistant": "..."}]}]}';

/**
 * Generation mode "conversation": multi-turn conversations grounded in a chunk. Each becomes one
 * example: its last exchange in the task type's fields, the exchanges before it as `history`.
 */
export function conversationPrompt(vars: { chunk: string; n: number; turns: number; language: string; section?: string | null; taskType: TaskType }): string {
  const opener =
    vars.taskType === "qa"
      ? "asks a question the source text answers"
      : "asks the assistant to do something the source text makes possible (explain, summarise, compare, list …)";
  return `Read the source text below and write ${vars.n} realistic conversations between a user and an assistant, each of exactly ${vars.turns} exchanges (a user turn, then the assistant's reply). In each, the user first ${opener}; every later user turn follows up on the reply before it (a clarification, a detail, a related case, a "what if"), as a person would.
Ground every assistant turn in the source text: do not invent facts and do not copy long passages verbatim. The user must never refer to "the text" or "the source": each conversation must make sense without seeing it.
Write in ${vars.language}.

Respond with JSON of this form:
${CONVERSATION_SHAPE}

Source${vars.section ? ` (section "${vars.section}")` : ""}:
"""
${vars.chunk}
"""`;
}
