// One chunk's question to the LLM, with re-asks for answers a model botched. Transport failures
// (429, 5xx, drops) are retried by the client (lib/llm/call); here the answer arrived but cannot
// be used: empty, a refusal or prose without the JSON, or cut off at the token limit. Each gets
// up to MAX_REASKS more tries, with the reason fed back (and, after a cut-off, a larger token
// budget). Answers that are JSON with a model's usual slips (trailing commas, comments, single
// quotes) are repaired by the parser (./parse) and need no re-ask. A provider still failing after
// the client's retries is asked again too, within the same bound.
import type { TaskType } from "@prisma/client";
import { type ChatMessage, completeChat, LlmError, type LlmProviderRecord } from "@/lib/llm";
import { parseExamples } from "./parse";
import { SYSTEM_PROMPT } from "./prompts";

export const MAX_REASKS = 2;
/** The token budget after a cut-off answer, doubled again on a second one, up to the ceiling. */
const FIRST_LARGER_BUDGET = 4096;
const MAX_BUDGET = 16_384;
/** How much of a botched answer goes back to the model with the reminder. */
const ECHO_CHARS = 2000;

export type Asked =
  | { ok: true; text: string; tokensIn: number; tokensOut: number; attempts: number; reasks: number }
  | { ok: false; error: string; tokensIn: number; tokensOut: number; attempts: number; reasks: number };

type Botch = { reason: string; reminder: string; larger?: boolean };

/** Why an answer cannot be used as it is, and what to tell the model; undefined when it can. */
export function botchOf(text: string, finishReason: string | undefined, taskType: TaskType, asked?: string): Botch | undefined {
  const shape =
    asked ??
    (taskType === "qa" ? '{"examples": [{"question": "...", "answer": "..."}]}' : '{"examples": [{"instruction": "...", "input": "...", "output": "..."}]}');
  if (finishReason === "length") {
    return {
      reason: "The answer was cut off at the model's token limit.",
      reminder: `Your answer was cut off before the JSON was complete. Answer again with the complete JSON object, ${shape}, keeping each example shorter.`,
      larger: true,
    };
  }
  const parsed = parseExamples(text, taskType);
  if (!("error" in parsed)) return undefined;
  return {
    reason: parsed.error,
    reminder: text.trim()
      ? `That answer could not be used (${parsed.error.replace(/\.$/, "")}). Reply with only a JSON object of the form ${shape}, with no other text.`
      : `Your answer was empty. Reply with only a JSON object of the form ${shape}.`,
  };
}

export async function askForExamples(
  provider: LlmProviderRecord,
  prompt: string,
  options: {
    model: string;
    temperature: number;
    taskType: TaskType;
    signal: AbortSignal;
    onRetry?: (message: string) => void;
    /** The JSON shape the prompt asked for, repeated in a re-ask (the single pass's by default). */
    shape?: string;
  },
): Promise<Asked> {
  const question: ChatMessage[] = [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: prompt },
  ];
  let messages = question;
  let maxTokens: number | undefined;
  let tokensIn = 0;
  let tokensOut = 0;
  let attempts = 0;
  for (let reasks = 0; ; reasks++) {
    let answer: Awaited<ReturnType<typeof completeChat>>;
    try {
      answer = await completeChat(provider, messages, {
        model: options.model,
        temperature: options.temperature,
        json: true,
        maxTokens,
        signal: options.signal,
        onRetry: options.onRetry,
      });
    } catch (error) {
      // A provider that kept failing through the client's own retries (drops, 429, 5xx) gets
      // the question again, as a botched answer does: another round of retries, not a lost chunk.
      if (!(error instanceof LlmError) || !error.retryable || options.signal.aborted) throw error;
      if (reasks >= MAX_REASKS) {
        throw new LlmError(`${error.message.replace(/\.?$/, ".")} Asked ${reasks + 1} times.`, { retryable: true, status: error.status, cause: error });
      }
      options.onRetry?.(`${error.message} Asking again (${reasks + 2} of ${MAX_REASKS + 1}).`);
      continue;
    }
    tokensIn += answer.tokensIn;
    tokensOut += answer.tokensOut;
    attempts += answer.attempts;
    const botch = botchOf(answer.text, answer.finishReason, options.taskType, options.shape);
    if (!botch) return { ok: true, text: answer.text, tokensIn, tokensOut, attempts, reasks };
    if (reasks >= MAX_REASKS) {
      return { ok: false, error: `${botch.reason} Asked ${reasks + 1} times; every answer was unusable.`, tokensIn, tokensOut, attempts, reasks };
    }
    if (botch.larger) maxTokens = Math.min(MAX_BUDGET, maxTokens ? maxTokens * 2 : FIRST_LARGER_BUDGET);
    // The botched answer goes back with the reminder, except an empty one (some servers refuse
    // an empty assistant turn): then the reminder follows the question.
    messages = answer.text.trim()
      ? [...question, { role: "assistant", content: answer.text.slice(0, ECHO_CHARS) }, { role: "user", content: botch.reminder }]
      : [question[0], { role: "user", content: `${prompt}\n\n${botch.reminder}` }];
  }
}
