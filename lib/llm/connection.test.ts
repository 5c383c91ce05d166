import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seal } from "@/lib/crypto";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "@/tests/support/fake-llm";
import type { LlmProviderRecord } from "./chat";
import { testConnection } from "./connection";

let server: FakeLlm;
beforeEach(async () => {
  server = await startFakeLlm({ models: ["zeta:7b", "alpha:latest"] });
});
afterEach(async () => {
  await server.stop();
});

function provider(kind: LlmProviderRecord["kind"], extra: Partial<LlmProviderRecord> = {}): LlmProviderRecord {
  return { id: crypto.randomUUID(), kind, baseUrl: fakeBaseUrl(server, kind), defaultModel: "fake-model", apiKeyEncrypted: null, options: {}, ...extra };
}

describe("testConnection", () => {
  it("Ollama: lists the models from /api/tags, with the latency", async () => {
    const result = await testConnection(provider("ollama"));
    expect(result).toEqual({ ok: true, models: ["alpha:latest", "zeta:7b"], latencyMs: expect.any(Number) });
    expect(server.requests.map((r) => r.path)).toEqual(["/api/tags"]);
  });

  it("OpenAI-compatible: lists the models from {baseUrl}/models with the key as a bearer token", async () => {
    const key = "sk-connection-test-0123456789";
    server.setMode("auth", { apiKey: key });
    const result = await testConnection(provider("openai", { apiKeyEncrypted: seal(key) }));
    expect(result).toEqual({ ok: true, models: ["alpha:latest", "zeta:7b"], latencyMs: expect.any(Number) });
    expect(server.requests[0]).toMatchObject({ path: "/v1/models", headers: { authorization: `Bearer ${key}` } });
  });

  it("Hugging Face: a one-token request to the default model", async () => {
    const result = await testConnection(provider("huggingface"));
    expect(result).toEqual({ ok: true, models: ["fake-model"], latencyMs: expect.any(Number) });
    expect(server.requests[0]).toMatchObject({ path: "/hf/v1/chat/completions", body: { model: "fake-model", max_tokens: 1 } });
  });

  it("Hugging Face without a default model says what to set", async () => {
    const result = await testConnection(provider("huggingface", { defaultModel: null }));
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^Set a default model first/) });
  });

  it("a closed port is reported as refused", async () => {
    const closed = await startFakeLlm();
    await closed.stop();
    const result = await testConnection(provider("ollama", { baseUrl: closed.url }));
    expect(result).toEqual({ ok: false, message: `Could not reach ${closed.url} (connection refused).` });
  });

  it("a wrong key, a wrong path and a slow server each get their own message", async () => {
    server.setMode("auth", { apiKey: "the-right-key-123" });
    expect(await testConnection(provider("openai", { apiKeyEncrypted: seal("a-wrong-key-456") }))).toEqual({
      ok: false,
      message: "The provider refused the API key.",
    });

    server.setMode("good");
    const noV1 = await testConnection(provider("openai", { baseUrl: server.url }));
    expect(noV1).toEqual({ ok: false, message: `${server.url}/models was not found; check the base URL (OpenAI-compatible URLs usually end in /v1).` });

    server.setMode("slow", { latencyMs: 2_000 });
    expect(await testConnection(provider("ollama"), { timeoutMs: 1_000 })).toEqual({ ok: false, message: `${server.url} did not answer within 1 s.` });
  });
});
