// One chat completion with our own retries: 429 (after Retry-After when given), 5xx, timeouts
// and dropped connections are tried again, up to 5 attempts with exponential backoff and jitter;
// refusals (400/401/403/404) fail at once. Every attempt passes the provider's limiter.
import { AsyncLocalStorage } from "node:async_hooks";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { env } from "@/lib/env";
import { recordSpend } from "@/lib/jobs/spend";
import { logger } from "@/lib/log";
import { policyFetch } from "@/lib/net/outbound";
import { countTokens } from "@/lib/tokens";
import { chatModelFor, type LlmProviderRecord, providerApiKey } from "./chat";
import { estimateCost } from "./cost";
import { httpFailure, LlmError, networkFailure, scrub } from "./errors";
import { acquireSlot, sleep } from "./limiter";
import { contextNeed, IMAGE_PROMPT_TOKENS, numCtxFor, ollamaContextLength } from "./ollama-context";
import { providerOptions } from "./options";

/** An image sent with a message (vision models): PNG or JPEG bytes. */
export type ChatImage = { mimeType: "image/png" | "image/jpeg"; data: Buffer };

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string; images?: ChatImage[] };

export type CompleteChatOptions = {
  /** Defaults to the provider's default model. */
  model?: string;
  temperature?: number;
  json?: boolean;
  maxTokens?: number;
  signal?: AbortSignal;
  /** Told of each retried failure (the job's log shows it beside the job). */
  onRetry?: (message: string) => void;
  /** Ask for the answer's token log-probabilities (OpenAI-compatible and Hugging Face servers that give them). */
  logprobs?: boolean;
};

export type ChatCompletion = {
  text: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  attempts: number;
  /** Why the model stopped, as the server says ("stop", "length" when cut off at the token limit). */
  finishReason?: string;
  /** With `logprobs`: the mean probability of the answer's tokens (0–1), when the server gave them. */
  meanTokenProbability?: number;
};

const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

const log = logger("llm");

/** Where the provider lives, for messages. */
export function providerLocation(provider: Pick<LlmProviderRecord, "kind" | "baseUrl">): string {
  if (provider.baseUrl) return provider.baseUrl;
  return provider.kind === "ollama" ? env().OLLAMA_URL : "the Hugging Face router";
}

/** Every request to a provider goes through the outbound policy (lib/net/outbound). */
export const providerFetch = policyFetch("LLM provider");

/** What the client's last HTTP response said; SDK errors do not all carry status and headers. */
type Seen = { status?: number; retryAfter?: string | null };

/** fetch that also stops on `signal` (our timeout or the caller's abort) and records the status. */
export function watchedFetch(signal: AbortSignal, seen: Seen): typeof fetch {
  return async (input, init) => {
    const response = await providerFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    seen.status = response.status;
    seen.retryAfter = response.headers.get("retry-after");
    return response;
  };
}

// Chat models are built once per provider setup and reused (building an SDK client per call
// costs more CPU than the call itself at high concurrency). Each attempt's timeout, abort and
// status recording reach the shared model's fetch through this async context.
const attemptContext = new AsyncLocalStorage<{ signal: AbortSignal; seen: Seen }>();

const sharedFetch: typeof fetch = (input, init) => {
  const attempt = attemptContext.getStore();
  return attempt ? watchedFetch(attempt.signal, attempt.seen)(input, init) : providerFetch(input, init);
};

const MODEL_CACHE_SIZE = 64;
const models = new Map<string, BaseChatModel>();

function cachedChatModel(provider: LlmProviderRecord, model: string, options: CompleteChatOptions & { numCtx?: number }): BaseChatModel {
  const key = JSON.stringify([
    provider.id,
    provider.kind,
    provider.baseUrl,
    provider.apiKeyEncrypted,
    provider.options,
    model,
    options.temperature,
    options.json ?? false,
    options.maxTokens,
    options.numCtx,
    options.logprobs ?? false,
  ]);
  let chat = models.get(key);
  if (chat) {
    models.delete(key);
  } else {
    chat = chatModelFor(provider, {
      model,
      temperature: options.temperature,
      json: options.json ?? false,
      maxTokens: options.maxTokens,
      numCtx: options.numCtx,
      logprobs: options.logprobs,
      fetch: sharedFetch,
    });
    if (models.size >= MODEL_CACHE_SIZE) models.delete(models.keys().next().value!);
  }
  models.set(key, chat);
  return chat;
}

function toLangChain(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((m) => {
    if (m.role === "system") return new SystemMessage(m.content);
    if (m.role === "assistant") return new AIMessage(m.content);
    if (!m.images?.length) return new HumanMessage(m.content);
    // OpenAI's content parts; LangChain's Ollama client turns data URLs into Ollama's `images`.
    return new HumanMessage({
      content: [
        { type: "text", text: m.content },
        ...m.images.map((image) => ({ type: "image_url", image_url: { url: `data:${image.mimeType};base64,${image.data.toString("base64")}` } })),
      ],
    });
  });
}

/** The mean probability of the answer's tokens from OpenAI-style `logprobs.content`, if given. */
function meanTokenProbability(logprobs: unknown): number | undefined {
  const tokens = (logprobs as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(tokens) || tokens.length === 0) return undefined;
  const values = tokens.map((t) => (t as { logprob?: unknown })?.logprob).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return values.length ? values.reduce((sum, v) => sum + Math.exp(v), 0) / values.length : undefined;
}

export function imageCount(messages: ChatMessage[]): number {
  return messages.reduce((n, m) => n + (m.images?.length ?? 0), 0);
}

function backoffMs(attempt: number, failure: LlmError): number {
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs + Math.random() * 250;
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

type Attempt = { ok: true; value: Omit<ChatCompletion, "attempts"> } | { ok: false; error: LlmError };

async function attemptOnce(
  provider: LlmProviderRecord,
  messages: ChatMessage[],
  model: string,
  options: CompleteChatOptions & { numCtx?: number },
): Promise<Attempt> {
  const settings = providerOptions(provider);
  const release = await acquireSlot(provider.id, settings, options.signal);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, settings.timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const seen: Seen = {};
  const started = performance.now();
  try {
    const chat = cachedChatModel(provider, model, options);
    const reply = await attemptContext.run({ signal: controller.signal, seen }, () => chat.invoke(toLangChain(messages), { signal: controller.signal }));
    const text = reply.text;
    const usage = reply.usage_metadata;
    const metadata = reply.response_metadata as { finish_reason?: unknown; done_reason?: unknown; logprobs?: unknown } | undefined;
    const finishReason = metadata?.finish_reason ?? metadata?.done_reason;
    return {
      ok: true,
      value: {
        text,
        finishReason: typeof finishReason === "string" ? finishReason : undefined,
        // Servers that report no usage get our own count (cl100k_base, like every count in the product).
        tokensIn: usage?.input_tokens || countTokens(messages.map((m) => m.content).join("\n")) + imageCount(messages) * IMAGE_PROMPT_TOKENS,
        tokensOut: usage?.output_tokens || countTokens(text),
        latencyMs: Math.round(performance.now() - started),
        meanTokenProbability: options.logprobs ? meanTokenProbability(metadata?.logprobs) : undefined,
      },
    };
  } catch (error) {
    options.signal?.throwIfAborted();
    if (error instanceof LlmError) return { ok: false, error };
    if (timedOut) {
      return { ok: false, error: new LlmError(`The provider did not answer within ${Math.round(settings.timeoutMs / 1000)} s.`, { retryable: true }) };
    }
    const secret = providerApiKey(provider);
    if (seen.status !== undefined && seen.status >= 400) {
      const detail = scrub(error instanceof Error ? error.message : String(error), secret);
      return { ok: false, error: httpFailure(seen.status, { model, detail, retryAfter: seen.retryAfter }) };
    }
    return { ok: false, error: networkFailure(error, providerLocation(provider), secret) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    release();
  }
}

/** The context window an Ollama call asks for; refuses a prompt the model cannot hold (./ollama-context). */
async function ollamaNumCtx(provider: LlmProviderRecord, model: string, messages: ChatMessage[], maxTokens: number | undefined): Promise<number> {
  const baseUrl = provider.baseUrl ?? env().OLLAMA_URL;
  const fetcher: typeof fetch = (input, init) => {
    const key = providerApiKey(provider);
    return providerFetch(input, key ? { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${key}` } } : init);
  };
  return numCtxFor(contextNeed(messages, maxTokens), model, await ollamaContextLength(baseUrl, model, fetcher));
}

/** Sends `messages` and returns the answer's raw text (parsing it is the caller's business). Throws LlmError, or the abort reason when `signal` fires. */
export async function completeChat(provider: LlmProviderRecord, messages: ChatMessage[], options: CompleteChatOptions = {}): Promise<ChatCompletion> {
  const model = options.model || provider.defaultModel;
  if (!model) throw new LlmError("Choose a model: this provider has no default model.", { retryable: false });
  const numCtx = provider.kind === "ollama" ? await ollamaNumCtx(provider, model, messages, options.maxTokens) : undefined;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(provider, messages, model, { ...options, numCtx });
    if (result.ok) {
      // Counted on the running job as it happens (lib/jobs/spend), whatever the job does next.
      recordSpend(result.value.tokensIn, result.value.tokensOut, estimateCost(result.value, providerOptions(provider).prices));
      log.debug("LLM call", {
        providerId: provider.id,
        model,
        attempts: attempt,
        tokensIn: result.value.tokensIn,
        tokensOut: result.value.tokensOut,
        latencyMs: result.value.latencyMs,
      });
      return { ...result.value, attempts: attempt };
    }
    if (!result.error.retryable || attempt >= MAX_ATTEMPTS) throw result.error;
    const delayMs = Math.round(backoffMs(attempt, result.error));
    log.warn("LLM call failed; retrying", { providerId: provider.id, model, attempt, delayMs, reason: result.error.message });
    options.onRetry?.(`${result.error.message} Retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${MAX_ATTEMPTS}).`);
    await sleep(delayMs, options.signal);
  }
}
