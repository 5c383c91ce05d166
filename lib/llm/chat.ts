// One LangChain chat model per provider kind. Retries are ours (./call), so every client is
// built with its own retries off; `fetch` lets the caller watch statuses and cut requests.
import { InferenceClient, type InferenceProviderOrPolicy } from "@huggingface/inference";
import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAICompletions } from "@langchain/openai";
import type { LlmProvider } from "@prisma/client";
import { unseal } from "@/lib/crypto";
import { env } from "@/lib/env";
import { LlmError } from "./errors";
import { providerOptions } from "./options";

/** The stored row a call needs; it holds the sealed key, so it never leaves the server. */
export type LlmProviderRecord = Pick<LlmProvider, "id" | "kind" | "baseUrl" | "defaultModel" | "apiKeyEncrypted" | "options">;

export type ChatModelOptions = {
  model: string;
  temperature?: number;
  json: boolean;
  maxTokens?: number;
  /** Ollama: the context window to answer from (./ollama-context); ignored by the other kinds. */
  numCtx?: number;
  /** OpenAI-compatible and Hugging Face: ask for the answer's token log-probabilities. */
  logprobs?: boolean;
  fetch?: typeof fetch;
};

export function providerApiKey(provider: Pick<LlmProviderRecord, "apiKeyEncrypted">): string | undefined {
  if (!provider.apiKeyEncrypted) return undefined;
  try {
    return unseal(provider.apiKeyEncrypted);
  } catch (cause) {
    throw new LlmError("The stored API key cannot be read (was SECRET_KEY changed?). Enter the key again.", { retryable: false, cause });
  }
}

export function chatModelFor(provider: LlmProviderRecord, options: ChatModelOptions): BaseChatModel {
  const apiKey = providerApiKey(provider);
  const { model, temperature, json, maxTokens, numCtx, logprobs, fetch } = options;
  switch (provider.kind) {
    case "ollama":
      return new ChatOllama({
        baseUrl: provider.baseUrl ?? env().OLLAMA_URL,
        model,
        temperature,
        numPredict: maxTokens,
        numCtx,
        format: json ? "json" : undefined,
        // A reverse proxy in front of Ollama may want a key; plain Ollama ignores the header.
        headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined,
        fetch,
        maxRetries: 0,
      });
    case "openai":
      // The Chat Completions half of ChatOpenAI: every OpenAI-compatible server (vLLM, LM Studio,
      // llama.cpp, TGI) speaks it, while ChatOpenAI sends some model names to /responses.
      return new ChatOpenAICompletions({
        model,
        temperature,
        maxTokens,
        // Explicit even when empty, so OPENAI_API_KEY from the environment never reaches a self-hosted URL.
        apiKey: apiKey ?? "not-needed",
        maxRetries: 0,
        logprobs: logprobs || undefined,
        modelKwargs: json ? { response_format: { type: "json_object" } } : undefined,
        configuration: { baseURL: provider.baseUrl ?? undefined, fetch },
      });
    case "huggingface":
      return new HuggingFaceChat({
        model,
        temperature,
        maxTokens,
        json,
        token: apiKey,
        endpointUrl: provider.baseUrl ?? undefined,
        provider: providerOptions(provider).hfProvider,
        logprobs,
        fetch,
      });
  }
}

type HuggingFaceChatFields = BaseChatModelParams & {
  model: string;
  temperature?: number;
  maxTokens?: number;
  json: boolean;
  token?: string;
  endpointUrl?: string;
  provider?: InferenceProviderOrPolicy;
  logprobs?: boolean;
  fetch?: typeof fetch;
};

const HF_ROLES: Partial<Record<string, "system" | "user" | "assistant">> = { system: "system", human: "user", ai: "assistant" };

type HfPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function hfParts(parts: ReadonlyArray<unknown>): HfPart[] {
  return parts.flatMap((part): HfPart[] => {
    const p = part as { type?: string; text?: string; image_url?: string | { url?: string } };
    if (p.type === "text" && typeof p.text === "string") return [{ type: "text", text: p.text }];
    const url = typeof p.image_url === "string" ? p.image_url : p.image_url?.url;
    return p.type === "image_url" && url ? [{ type: "image_url", image_url: { url } }] : [];
  });
}

/** `InferenceClient.chatCompletion` as a LangChain chat model (no streaming; we want whole answers). */
class HuggingFaceChat extends BaseChatModel {
  private readonly client: InferenceClient;
  private readonly settings: Omit<HuggingFaceChatFields, "token" | "fetch" | "endpointUrl"> & { endpoint: boolean };

  constructor({ token, fetch, endpointUrl, ...settings }: HuggingFaceChatFields) {
    super({ ...settings, maxRetries: 0 });
    // retry_on_error off: the client would otherwise retry a 503 forever on its own.
    this.client = new InferenceClient(token, { endpointUrl, fetch, retry_on_error: false });
    this.settings = { ...settings, endpoint: Boolean(endpointUrl) };
  }

  _llmType(): string {
    return "huggingface";
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const { model, temperature, maxTokens, json, provider, endpoint, logprobs } = this.settings;
    const output = await this.client.chatCompletion(
      {
        model,
        // The client refuses a provider next to a custom endpoint.
        provider: endpoint ? undefined : provider,
        // Text, or OpenAI's content parts (text and image_url) as LangChain holds them.
        messages: messages.map((m) => ({ role: HF_ROLES[m.getType()] ?? "user", content: typeof m.content === "string" ? m.content : hfParts(m.content) })),
        temperature,
        max_tokens: maxTokens,
        response_format: json ? { type: "json_object" } : undefined,
        logprobs: logprobs || undefined,
      },
      { signal: options.signal },
    );
    const text = output.choices[0]?.message?.content ?? "";
    const usage = output.usage;
    const message = new AIMessage({
      content: text,
      response_metadata: { finish_reason: output.choices[0]?.finish_reason, logprobs: output.choices[0]?.logprobs },
      usage_metadata: usage ? { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, total_tokens: usage.total_tokens } : undefined,
    });
    return { generations: [{ text, message }] };
  }
}
