// "Test connection" for the provider form: the models a server offers and how fast it answers.

import { OutboundRefusedError } from "@/lib/net/outbound";
import { providerFetch, providerLocation, watchedFetch } from "./call";
import { chatModelFor, type LlmProviderRecord, providerApiKey } from "./chat";
import { httpFailure, LlmError, networkFailure } from "./errors";

export type ConnectionResult = { ok: true; models: string[]; latencyMs: number } | { ok: false; message: string };

const TEST_TIMEOUT_MS = 10_000;

type ModelList = { models?: Array<{ name?: unknown }>; data?: Array<{ id?: unknown }> };

async function listModels(provider: LlmProviderRecord, signal: AbortSignal): Promise<string[]> {
  const apiKey = providerApiKey(provider);
  const base = providerLocation(provider).replace(/\/+$/, "");
  const url = provider.kind === "ollama" ? `${base}/api/tags` : `${base}/models`;
  const response = await providerFetch(url, { headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {}, signal });
  if (response.status === 404) {
    const hint = provider.kind === "openai" ? " (OpenAI-compatible URLs usually end in /v1)" : "";
    throw new LlmError(`${url} was not found; check the base URL${hint}.`, { retryable: false, status: 404 });
  }
  // The body is not shown: a test must not turn the server into a reader of other hosts' pages.
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw httpFailure(response.status, {});
  }
  const body = (await response.json().catch(() => null)) as ModelList | null;
  const names = provider.kind === "ollama" ? body?.models?.map((m) => m.name) : body?.data?.map((m) => m.id);
  if (!names) throw new LlmError(`${url} did not answer with a model list; check the base URL.`, { retryable: false });
  return names.filter((n): n is string => typeof n === "string").sort();
}

/** Hugging Face has no model list for an endpoint or the router: a one-token request to the default model. */
async function pingModel(provider: LlmProviderRecord, signal: AbortSignal): Promise<string[]> {
  if (!provider.defaultModel) throw new LlmError("Set a default model first: Hugging Face is tested with a one-token request to it.", { retryable: false });
  const seen: { status?: number; retryAfter?: string | null } = {};
  const chat = chatModelFor(provider, { model: provider.defaultModel, json: false, maxTokens: 1, fetch: watchedFetch(signal, seen) });
  try {
    await chat.invoke("ping", { signal });
  } catch (error) {
    if (seen.status !== undefined && seen.status >= 400) throw httpFailure(seen.status, { model: provider.defaultModel });
    throw error;
  }
  return [provider.defaultModel];
}

export async function testConnection(provider: LlmProviderRecord, options: { timeoutMs?: number } = {}): Promise<ConnectionResult> {
  const timeoutMs = options.timeoutMs ?? TEST_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const where = providerLocation(provider);
  const started = performance.now();
  // Outside the provider's limiter: a busy generation job must not make the test look like a timeout.
  try {
    const models = provider.kind === "huggingface" ? await pingModel(provider, signal) : await listModels(provider, signal);
    return { ok: true, models, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (error instanceof LlmError || error instanceof OutboundRefusedError) return { ok: false, message: error.message };
    if (signal.aborted) return { ok: false, message: `${where} did not answer within ${Math.round(timeoutMs / 1000)} s.` };
    return { ok: false, message: networkFailure(error, where, providerApiKey(provider)).message };
  }
}
