// completeChat against a real HTTP server speaking Ollama, OpenAI and (through a custom
// endpoint) Hugging Face: answers, token usage, retries, refusals, limits and cancellation.
import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { seal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { resetEnvCache, setProcessEnv } from "@/lib/env";
import { flushLogs } from "@/lib/log";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "@/tests/support/fake-llm";
import { type ChatMessage, completeChat } from "./call";
import type { LlmProviderRecord } from "./chat";
import { LlmError } from "./errors";
import type { ProviderOptions } from "./options";

const KINDS = ["ollama", "openai", "huggingface"] as const;
type Kind = (typeof KINDS)[number];

const MESSAGES: ChatMessage[] = [
  { role: "system", content: 'You write training data. Answer with JSON: {"examples": [{"question": "…", "answer": "…"}]}.' },
  { role: "user", content: "Write 4 examples from this text:\n\nThe boiler is serviced every spring by a certified engineer." },
];
const PROMPT_TOKENS = Math.ceil(MESSAGES.map((m) => m.content).join("\n").length / 4);

let server: FakeLlm;
beforeEach(async () => {
  server = await startFakeLlm();
});
afterEach(async () => {
  await server.stop();
});

function provider(kind: Kind, extra: { apiKey?: string; options?: Partial<ProviderOptions> } = {}): LlmProviderRecord {
  return {
    id: crypto.randomUUID(),
    kind,
    baseUrl: fakeBaseUrl(server, kind),
    defaultModel: "fake-model",
    apiKeyEncrypted: extra.apiKey ? seal(extra.apiKey) : null,
    options: { concurrency: 4, ...extra.options },
  };
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe.each(KINDS)("%s", (kind) => {
  it("good: returns the JSON text with the server's token usage, asking for JSON", async () => {
    const result = await completeChat(provider(kind), MESSAGES, { json: true, temperature: 0.2 });
    const parsed = JSON.parse(result.text) as { examples: Array<Record<string, string>> };
    expect(parsed.examples).toHaveLength(4);
    expect(Object.keys(parsed.examples[0]).sort()).toEqual(["answer", "question"]);
    expect(result).toMatchObject({ tokensIn: PROMPT_TOKENS, tokensOut: Math.ceil(result.text.length / 4), attempts: 1 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);

    const request = server.requests.at(-1)!;
    const body = request.body as Record<string, unknown>;
    expect(request.path).toBe({ ollama: "/api/chat", openai: "/v1/chat/completions", huggingface: "/hf/v1/chat/completions" }[kind]);
    expect(body.model).toBe("fake-model");
    if (kind === "ollama") expect(body.format).toBe("json");
    else expect(body.response_format).toEqual({ type: "json_object" });
  });

  it("the same chunk gives the same examples; another chunk gives others", async () => {
    const p = provider(kind);
    const first = await completeChat(p, MESSAGES);
    const again = await completeChat(p, MESSAGES);
    const other = await completeChat(p, [MESSAGES[0], { role: "user", content: "Write 4 examples from this text:\n\nFuses live in the hall cupboard." }]);
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
  });

  it.each(["fenced", "prose", "malformed", "empty"] as const)("%s: returns the raw text untouched", async (mode) => {
    server.setMode(mode);
    const { text, attempts } = await completeChat(provider(kind), MESSAGES, { json: true });
    expect(attempts).toBe(1);
    const expected = {
      fenced: /^```json\n\{"examples".*\}\n```$/s,
      prose: /^Here are the examples[^\n]*\n\{"examples".*\}\n\S.*$/s,
      malformed: /^\{"examples".*,"$/s,
      empty: /^$/,
    }[mode];
    expect(text).toMatch(expected);
  });

  it("ratelimit: waits for Retry-After (1 s), then succeeds", async () => {
    server.setMode("ratelimit", { failures: 1 });
    const result = await completeChat(provider(kind), MESSAGES);
    expect(result.attempts).toBe(2);
    const [first, second] = server.stats.timestamps;
    expect(second - first).toBeGreaterThanOrEqual(950);
    expect(second - first).toBeLessThan(2_000);
  });

  it("error500 and drop: retried, then succeed", async () => {
    server.setMode("error500", { failures: 2 });
    expect((await completeChat(provider(kind), MESSAGES)).attempts).toBe(3);
    server.setMode("drop", { failures: 2 });
    const dropped = await completeChat(provider(kind), MESSAGES);
    expect(dropped.attempts).toBe(3);
    expect(JSON.parse(dropped.text).examples).toHaveLength(4);
  });

  it("auth: no key or a wrong key is refused at once with a clear error; the right key is sent as a bearer token", async () => {
    const key = `sk-test-${crypto.randomBytes(12).toString("hex")}`;
    server.setMode("auth", { apiKey: key });
    const refused = await failure(completeChat(provider(kind), MESSAGES));
    expect(refused).toMatchObject({ message: "The provider refused the API key.", retryable: false, status: 401 });
    const wrong = await failure(completeChat(provider(kind, { apiKey: "sk-wrong-key-000000" }), MESSAGES));
    expect(wrong.message).toBe("The provider refused the API key.");
    expect(server.stats.total).toBe(2);

    const result = await completeChat(provider(kind, { apiKey: key }), MESSAGES);
    expect(result.attempts).toBe(1);
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${key}`);
  });

  it("an unknown model is a clear, final error", async () => {
    await server.stop();
    server = await startFakeLlm({ rejectUnknownModels: true });
    const error = await failure(completeChat(provider(kind), MESSAGES, { model: "no-such-model" }));
    expect(error).toMatchObject({ message: 'Model "no-such-model" was not found on the provider.', retryable: false });
    expect(server.stats.total).toBe(1);
  });
});

describe("Ollama's context window", () => {
  const chats = () => server.requests.filter((r) => r.path.endsWith("/api/chat"));

  it("every call asks for a num_ctx that holds the prompt and the answer, within the model's context length", async () => {
    await completeChat(provider("ollama"), MESSAGES, { maxTokens: 1024 });
    expect((chats()[0].body as { options: { num_ctx: number } }).options.num_ctx).toBe(4096);
    const long: ChatMessage[] = [
      MESSAGES[0],
      { role: "user", content: `Write 4 examples from this text:\n\n${"The boiler is serviced every spring. ".repeat(700)}` },
    ];
    await completeChat(provider("ollama"), long, { maxTokens: 2048 });
    const numCtx = (chats()[1].body as { options: { num_ctx: number } }).options.num_ctx;
    // About 5,600 tiktoken tokens of prompt: more than Ollama's default, less than the model's 8,192.
    expect(numCtx).toBeGreaterThan(4096);
    expect(numCtx).toBeLessThanOrEqual(8192);
    expect(numCtx % 1024).toBe(0);
  });

  it("a prompt longer than the model's context is refused before it is sent, saying what to change", async () => {
    await server.stop();
    server = await startFakeLlm({ contextLength: 2048 });
    const long: ChatMessage[] = [{ role: "user", content: "Summarise: ".concat("word ".repeat(3000)) }];
    const error = await failure(completeChat(provider("ollama"), long));
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/^The prompt is about 3,0\d\d tokens, more than fake-model's context of 2,048 tokens .* Lower the project's chunk size/),
    });
    expect(chats()).toHaveLength(0);
  });
});

describe("failing for good", () => {
  it("a permanent 500 fails with a retryable LlmError after 5 attempts", async () => {
    server.setMode("error500", { failures: Infinity });
    const errors = await Promise.all(KINDS.map((kind) => failure(completeChat(provider(kind), MESSAGES))));
    for (const error of errors)
      expect(error).toMatchObject({ retryable: true, status: 500, message: expect.stringMatching(/^The provider failed \(HTTP 500\)/) });
    expect(server.stats.total).toBe(15);
  });

  it("a closed port says the connection was refused", async () => {
    const closed = await startFakeLlm();
    await closed.stop();
    const record = { ...provider("openai"), baseUrl: `${closed.url}/v1`, options: { timeoutMs: 5_000 } };
    const error = await failure(completeChat(record, MESSAGES));
    expect(error.message).toBe(`Could not reach ${closed.url}/v1 (connection refused).`);
    expect(error.retryable).toBe(true);
  }, 20_000);

  it("a request without a model and a provider without a default model is refused before any call", async () => {
    const error = await failure(completeChat({ ...provider("openai"), defaultModel: null }, MESSAGES));
    expect(error.message).toMatch(/Choose a model/);
    expect(server.stats.total).toBe(0);
  });
});

describe("secrets", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    setProcessEnv("LOG_LEVEL", "error");
    resetEnvCache();
  });

  it("the API key never appears in console output, stored logs or errors", async () => {
    setProcessEnv("LOG_LEVEL", "debug");
    const printed: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    }
    const key = `sk-secret-${crypto.randomBytes(12).toString("hex")}`;
    const errors: unknown[] = [];
    for (const kind of KINDS) {
      server.setMode("error500", { failures: 1 });
      await completeChat(provider(kind, { apiKey: key }), MESSAGES);
      server.setMode("auth", { apiKey: "another-key-entirely" });
      errors.push(await failure(completeChat(provider(kind, { apiKey: key }), MESSAGES)));
    }
    await flushLogs();
    const stored = await db.appLog.findMany({ where: { source: "llm" }, select: { message: true, context: true, excInfo: true } });

    const chatCalls = server.requests.filter((r) => !r.path.endsWith("/api/show"));
    expect(chatCalls.filter((r) => r.headers.authorization === `Bearer ${key}`)).toHaveLength(9);
    // Ollama's model lookup carries the key too (a proxy in front of Ollama may want it).
    expect(server.requests.filter((r) => r.path.endsWith("/api/show")).every((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true);
    expect(printed.join("\n")).toMatch(/retrying/);
    expect(stored.length).toBeGreaterThan(0);
    const everything = [printed.join("\n"), JSON.stringify(stored), ...errors.map((e) => `${(e as Error).message} ${JSON.stringify(e)}`)].join("\n");
    expect(everything).not.toContain(key);
  });
});

describe("limits", () => {
  it("never has more than `concurrency` requests in flight", async () => {
    server.setMode("slow", { latencyMs: 150 });
    const record = provider("openai", { options: { concurrency: 3 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => completeChat(record, [{ role: "user", content: `Write 1 example about item ${i}.` }])),
    );
    expect(results).toHaveLength(20);
    expect(server.stats.total).toBe(20);
    expect(server.stats.maxConcurrent).toBe(3);
  });

  it("the limit is per provider and shared by every call to it, Ollama included", async () => {
    server.setMode("slow", { latencyMs: 100 });
    const record = provider("ollama", { options: { concurrency: 2 } });
    await Promise.all(Array.from({ length: 8 }, (_, i) => completeChat({ ...record }, [{ role: "user", content: `Write 1 example about ${i}.` }])));
    expect(server.stats.maxConcurrent).toBe(2);
  });

  it("requestsPerMinute 30 spaces request starts 2 s apart", async () => {
    const record = provider("openai", { options: { requestsPerMinute: 30, concurrency: 10 } });
    // When each request leaves this process (the server's arrival times would add the network's
    // and a loaded machine's delays, which can bunch two arrivals closer than they were sent).
    const sent: number[] = [];
    const originalFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      sent.push(performance.now());
      return originalFetch(input, init);
    });
    try {
      await Promise.all(Array.from({ length: 3 }, (_, i) => completeChat(record, [{ role: "user", content: `Write 1 example about ${i}.` }])));
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(3);
    const [a, b, c] = sent;
    expect(b - a).toBeGreaterThanOrEqual(1_950);
    expect(c - b).toBeGreaterThanOrEqual(1_950);
  }, 15_000);
});

describe("cancellation and timeouts", () => {
  it.each(KINDS)("%s: aborting stops the wait and the request", async (kind) => {
    // The server would answer long after the test's own timeout: only the abort can end the call.
    server.setMode("slow", { latencyMs: 120_000 });
    const controller = new AbortController();
    const call = completeChat(provider(kind), MESSAGES, { signal: controller.signal });
    await vi.waitFor(() => expect(server.stats.inFlight).toBe(1));
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    await vi.waitFor(() => expect(server.stats.inFlight).toBe(0), { timeout: 500 });
  });

  it("aborting during a backoff stops waiting", async () => {
    server.setMode("ratelimit", { failures: 5 });
    const controller = new AbortController();
    const call = completeChat(provider("openai"), MESSAGES, { signal: controller.signal });
    await vi.waitFor(() => expect(server.stats.total).toBe(1));
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    expect(server.stats.total).toBe(1);
  });

  it("a request over timeoutMs is cut and retried", async () => {
    server.setMode("good", { latencyMs: 3_000 });
    const call = completeChat(provider("ollama", { options: { timeoutMs: 1_000 } }), MESSAGES);
    await vi.waitFor(() => expect(server.stats.total).toBe(1));
    server.setMode("good");
    const result = await call;
    expect(result.attempts).toBe(2);
    expect(server.stats.timestamps[1] - server.stats.timestamps[0]).toBeGreaterThanOrEqual(1_000);
  });
});
