// Ollama answers from a context window of `num_ctx` tokens (its default, 2048 or 4096 depending on
// the version, is smaller than many chunks) and cuts a longer prompt without a word. So every
// Ollama call says how much context it needs: the prompt and the longest answer asked for, with a
// margin for the model's own tokenizer (our counts are tiktoken's), rounded up to 1024 so few
// distinct sizes reach the server, and capped at the model's context length from /api/show.
// A prompt that does not fit the model at all is refused, with what to change.
import { countTokens } from "@/lib/tokens";
import { LlmError } from "./errors";

/** What one image in a prompt counts for where nothing better is known: a page at a vision model's usual detail. */
export const IMAGE_PROMPT_TOKENS = 1_000;

/** Ollama's default context in recent versions; we never ask for less. */
export const MIN_NUM_CTX = 4096;
/** An answer's budget when the call sets no maxTokens. */
const DEFAULT_ANSWER_TOKENS = 2048;
/** Tokenizers differ: a model's count of the same text can be this much above tiktoken's. */
const TOKENIZER_MARGIN = 1.25;

export type ContextNeed = { promptTokens: number; answerTokens: number; needed: number };

/** How many tokens of context a call needs, by our count with the margin. */
export function contextNeed(messages: { content: string; images?: unknown[] }[], maxTokens: number | undefined): ContextNeed {
  // A few tokens per message for the chat template's role markers; images as a vision model's page.
  const promptTokens = messages.reduce((n, m) => n + countTokens(m.content) + 8 + (m.images?.length ?? 0) * IMAGE_PROMPT_TOKENS, 0);
  const answerTokens = maxTokens ?? DEFAULT_ANSWER_TOKENS;
  return { promptTokens, answerTokens, needed: Math.ceil(promptTokens * TOKENIZER_MARGIN) + answerTokens };
}

/**
 * The num_ctx to send: the need rounded up to 1024, at least MIN_NUM_CTX, at most the model's
 * context length when known. Throws a non-retryable LlmError when the prompt alone, by our count,
 * leaves no room for the answer in the model's context.
 */
export function numCtxFor(need: ContextNeed, model: string, contextLength: number | undefined): number {
  const rounded = Math.max(MIN_NUM_CTX, Math.ceil(need.needed / 1024) * 1024);
  if (contextLength === undefined) return rounded;
  if (need.promptTokens + Math.min(need.answerTokens, 256) > contextLength) {
    throw new LlmError(
      `The prompt is about ${need.promptTokens.toLocaleString("en")} tokens, more than ${model}'s context of ${contextLength.toLocaleString("en")} tokens leaves room for an answer, and Ollama would cut it. Lower the project's chunk size, or use a model with a longer context.`,
      { retryable: false },
    );
  }
  return Math.min(rounded, contextLength);
}

type Cached = { value: number | undefined; until: number };
const lengths = new Map<string, Cached>();

/**
 * The model's context length from Ollama's /api/show (`model_info["<arch>.context_length"]`),
 * remembered for 10 minutes (1 minute when the server did not say). Undefined when unknown.
 */
export async function ollamaContextLength(baseUrl: string, model: string, fetcher: typeof fetch): Promise<number | undefined> {
  const key = `${baseUrl}\u0000${model}`;
  const cached = lengths.get(key);
  if (cached && cached.until > Date.now()) return cached.value;
  let value: number | undefined;
  try {
    const response = await fetcher(`${baseUrl.replace(/\/+$/, "")}/api/show`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) value = contextLengthOf(await response.json());
  } catch {
    value = undefined;
  }
  lengths.set(key, { value, until: Date.now() + (value ? 600_000 : 60_000) });
  return value;
}

/** The context length in an /api/show answer, if it gives one. */
export function contextLengthOf(show: unknown): number | undefined {
  const info = (show as { model_info?: Record<string, unknown> } | null)?.model_info;
  if (!info || typeof info !== "object") return undefined;
  const found = Object.entries(info).find(([name, value]) => name.endsWith(".context_length") && typeof value === "number" && value > 0);
  return found ? (found[1] as number) : undefined;
}
