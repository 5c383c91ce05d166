// A real HTTP LLM server on 127.0.0.1 for tests: Ollama's /api routes and OpenAI's /v1 routes
// (also under any prefix, which is where a Hugging Face InferenceClient with a custom
// endpointUrl posts: `${endpointUrl}/v1/chat/completions`). Failure modes are switchable at
// runtime, or per request with an `x-fake-mode` header, so retry and limit code meets real
// sockets, status codes and half-sent bodies.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_MODES = [
  "good",
  "fenced",
  "prose",
  "malformed",
  "empty",
  "slow",
  "ratelimit",
  "error500",
  "drop",
  "auth",
  "botched",
  "trailingcomma",
  "chaos",
] as const;
export type FakeMode = (typeof FAKE_MODES)[number];

export type FakeModeOptions = {
  /** ratelimit, error500, drop, botched: how many requests fail before answers turn good (ratelimit and botched count per distinct prompt). Default 2.
   * botched: the failures rotate through the ways models botch answers: empty, a refusal, cut off at the token limit (finish_reason length), prose without JSON. */
  failures?: number;
  /** Delay before every answer, in any mode; `slow` alone defaults to 200 ms. */
  latencyMs?: number;
  /** auth: the key expected as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** chaos: the probability of each quirk, independently per request (default 0.15), and the seed. */
  chaosRate?: number;
  chaosSeed?: number;
};

/**
 * chaos: what real models and providers do, each quirk independently with `chaosRate` per
 * request (the first that fires wins): transport failures, then the ways answers come back.
 */
export const CHAOS_QUIRKS = [
  "ratelimit",
  "error5xx",
  "drop",
  "slow",
  "think",
  "fenced",
  "prose",
  "wrapped",
  "trailingcomma",
  "truncated",
  "refusal",
  "empty",
  "unicode",
  "duplicated",
] as const;
export type ChaosQuirk = (typeof CHAOS_QUIRKS)[number];

/** mulberry32: a small seeded generator, so a chaos run is the same run every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The answer a chaos quirk turns a good one into: [text, finish reason]. */
function chaosAnswer(quirk: ChaosQuirk | undefined, good: string): [string, string] {
  switch (quirk) {
    case "think":
      return [`<think>\nThe user wants examples. Let me read the passage carefully first.\n</think>\n${good}`, "stop"];
    case "fenced":
    case "prose":
    case "trailingcomma":
      return [shape(quirk, good), "stop"];
    case "wrapped":
      return [JSON.stringify({ result: JSON.parse(good) }), "stop"];
    case "truncated":
      return [good.slice(0, Math.floor(good.length / 2)), "length"];
    case "refusal":
      return ["I'm sorry, but I can't help with that request.", "stop"];
    case "empty":
      return ["", "stop"];
    case "unicode":
      return [good.replace(/: /g, ": Ünïcödé ✓ — "), "stop"];
    case "duplicated": {
      const parsed = JSON.parse(good) as { examples: unknown[] };
      return [JSON.stringify({ examples: [...parsed.examples, ...parsed.examples] }), "stop"];
    }
    default:
      return [good, "stop"];
  }
}

/** A chat message as the server read it: its text, and the images sent with it (OpenAI `image_url` data URLs or Ollama's `images`). */
export type FakeMessage = { role: string; content: string; images?: Buffer[] };
export type FakeResponder = (messages: FakeMessage[]) => string | Promise<string>;
export type FakeRequest = { path: string; body: unknown; headers: http.IncomingHttpHeaders };
export type FakeStats = { maxConcurrent: number; inFlight: number; total: number; timestamps: number[] };

export type FakeLlmOptions = FakeModeOptions & {
  mode?: FakeMode;
  models?: string[];
  /** The models' context length in Ollama's /api/show (default 8192). */
  contextLength?: number;
  /** Answer 404 for chat requests naming a model outside `models` (otherwise any model is served). */
  rejectUnknownModels?: boolean;
  /** The probability of every answer token, in OpenAI `logprobs` when a request asks for them (default 0.9). */
  tokenProbability?: number;
};

export type FakeLlm = {
  url: string;
  setMode(mode: FakeMode, options?: FakeModeOptions): void;
  /** Replaces what `good` answers; null restores the default. */
  setResponder(fn: FakeResponder | null): void;
  requests: FakeRequest[];
  stats: FakeStats;
  /** chaos: how many requests met each quirk since the mode was set. */
  chaosCounts: ReadonlyMap<ChaosQuirk, number>;
  models: string[];
  stop(): Promise<void>;
};

/** The base URL a provider of each kind uses to reach this server (Hugging Face via a custom endpoint). */
export function fakeBaseUrl(server: Pick<FakeLlm, "url">, kind: "ollama" | "openai" | "huggingface"): string {
  return kind === "ollama" ? server.url : kind === "openai" ? `${server.url}/v1` : `${server.url}/hf`;
}

const DEFAULT_FAILURES = 2;
const SLOW_MS = 200;

/** `{"examples":[…]}` with the count the last user message asks for, in the format the messages describe. */
export function defaultResponder(messages: FakeMessage[]): string {
  // The question (with the source in triple quotes), also when a re-ask follows it.
  const lastUser =
    messages.findLast((m) => m.role === "user" && m.content.includes('"""'))?.content ?? messages.findLast((m) => m.role === "user")?.content ?? "";
  const count = Number(/(\d+)\s+examples?/i.exec(lastUser)?.[1] ?? 3);
  const all = messages.map((m) => m.content).join("\n");
  const qa = /"question"/.test(all) && /"answer"/.test(all);
  // A hash of the chunk keeps examples stable per chunk and distinct across chunks.
  const tag = crypto.createHash("sha256").update(lastUser).digest("hex").slice(0, 8);
  // Answers built from the source's own words, as a grounded model's are.
  const source = /"""\n([\s\S]*?)\n"""/.exec(lastUser)?.[1] ?? lastUser;
  const words = source.split(/\s+/).filter(Boolean);
  const examples = Array.from({ length: count }, (_, i) => {
    const id = `${tag}-${i + 1}`;
    const gist = words.slice(i, i + 10).join(" ") || "the source";
    return qa
      ? { question: `What does passage ${id} explain?`, answer: `Passage ${id} says: ${gist}.` }
      : { instruction: `Summarise point ${id} of the document.`, input: "", output: `Point ${id}: ${gist}.` };
  });
  return JSON.stringify({ examples });
}

function shape(mode: FakeMode, good: string): string {
  switch (mode) {
    case "fenced":
      return `\`\`\`json\n${good}\n\`\`\``;
    case "prose":
      return `Here are the examples you asked for.\n${good}\nI hope these help.`;
    case "malformed":
      return `${good.slice(0, Math.max(1, Math.floor(good.length / 2)))},"`;
    case "empty":
      return "";
    case "trailingcomma":
      // What models write by hand: trailing commas and a comment.
      return good
        .replace(/\}\]\}$/, "},]}")
        .replace(/"\}/g, '",}')
        .replace(/^\{/, "{ // examples\n");
    default:
      return good;
  }
}

const approxTokens = (text: string) => Math.ceil(text.length / 4);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Three pieces, so streamed answers really arrive in several chunks. */
function pieces(text: string): string[] {
  const step = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(text.slice(i, i + step));
  return out.length ? out : [""];
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(raw ? JSON.parse(raw) : undefined);
      } catch {
        resolve(raw);
      }
    });
    req.on("error", reject);
  });
}

/** Lets the first bytes leave before the socket is cut, so the client sees a half-sent answer. */
async function cut(res: http.ServerResponse): Promise<void> {
  await sleep(30);
  res.socket?.destroy();
}

type Api = "ollama" | "openai";
type ChatBody = { model?: string; messages?: FakeMessage[]; stream?: boolean; stream_options?: { include_usage?: boolean }; logprobs?: boolean };

/** Reads a wire message: content as text or OpenAI content parts, images as data URLs or Ollama's base64 list. */
function readMessage(raw: unknown): FakeMessage {
  const m = (raw ?? {}) as { role?: unknown; content?: unknown; images?: unknown };
  const images: Buffer[] = [];
  let content = "";
  if (typeof m.content === "string") content = m.content;
  else if (Array.isArray(m.content)) {
    const texts: string[] = [];
    for (const part of m.content as { type?: string; text?: string; image_url?: { url?: string } | string }[]) {
      if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
      const url = typeof part?.image_url === "string" ? part.image_url : part?.image_url?.url;
      if (part?.type === "image_url" && url) {
        const data = /^data:image\/[a-z]+;base64,(.*)$/s.exec(url)?.[1];
        if (!data) throw new Error("image_url must be a base64 data URL");
        images.push(Buffer.from(data, "base64"));
      }
    }
    content = texts.join("\n");
  }
  if (Array.isArray(m.images)) for (const b64 of m.images) images.push(Buffer.from(String(b64), "base64"));
  return { role: String(m.role ?? ""), content, ...(images.length ? { images } : {}) };
}

function sendError(res: http.ServerResponse, api: Api, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = api === "ollama" ? { error: message } : { error: { message, type: "fake_error", code: status } };
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sendJson(res: http.ServerResponse, body: unknown, drop: boolean): Promise<void> | void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  if (!drop) return void res.end(text);
  res.write(text.slice(0, Math.floor(text.length / 2)));
  return cut(res);
}

/** The ways `botched` answers, in turn: [text, finish reason]. */
const BOTCHED: Array<(good: string) => [string, string]> = [
  () => ["", "stop"],
  () => ["I'm sorry, but I can't help with that request.", "stop"],
  (good) => [good.slice(0, Math.floor(good.length / 2)), "length"],
  () => ["Sure! Here are some great questions about the text. Let me know if you want more.", "stop"],
];

async function ollamaChat(res: http.ServerResponse, body: ChatBody, text: string, drop: boolean, finishReason = "stop"): Promise<void> {
  const model = body.model ?? "";
  const created_at = new Date().toISOString();
  const usage = { prompt_eval_count: approxTokens((body.messages ?? []).map((m) => m.content).join("\n")), eval_count: approxTokens(text) };
  const done = { model, created_at, message: { role: "assistant", content: "" }, done: true, done_reason: finishReason, total_duration: 1_000_000, ...usage };
  // Ollama streams unless told `stream: false`.
  if (body.stream === false) return sendJson(res, { ...done, message: { role: "assistant", content: text } }, drop);
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  for (const piece of pieces(text)) {
    res.write(`${JSON.stringify({ model, created_at, message: { role: "assistant", content: piece }, done: false })}\n`);
    if (drop) return cut(res);
  }
  res.end(`${JSON.stringify(done)}\n`);
}

async function openaiChat(res: http.ServerResponse, body: ChatBody, text: string, drop: boolean, finishReason = "stop", tokenProbability = 0.9): Promise<void> {
  const id = `chatcmpl-${crypto.randomBytes(6).toString("hex")}`;
  const base = { id, created: Math.floor(Date.now() / 1000), model: body.model ?? "", system_fingerprint: null };
  const prompt_tokens = approxTokens((body.messages ?? []).map((m) => m.content).join("\n"));
  const usage = { prompt_tokens, completion_tokens: approxTokens(text), total_tokens: prompt_tokens + approxTokens(text) };
  if (body.stream !== true) {
    // Asked for: one entry per (whitespace-split) token, each as likely as `tokenProbability`.
    const logprobs = body.logprobs
      ? { content: (text.match(/\S+\s*/g) ?? []).map((token) => ({ token, logprob: Math.log(tokenProbability), bytes: null, top_logprobs: [] })) }
      : null;
    const choice = { index: 0, message: { role: "assistant", content: text }, logprobs, finish_reason: finishReason };
    return sendJson(res, { ...base, object: "chat.completion", choices: [choice], usage }, drop);
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (delta: object, finish_reason: string | null) =>
    event({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason }] });
  chunk({ role: "assistant", content: "" }, null);
  for (const piece of pieces(text)) {
    chunk({ content: piece }, null);
    if (drop) return cut(res);
  }
  chunk({}, finishReason);
  if (body.stream_options?.include_usage) event({ ...base, object: "chat.completion.chunk", choices: [], usage });
  res.end("data: [DONE]\n\n");
}

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const models = options.models ?? ["fake-model", "fake-model-large"];
  let mode: FakeMode = options.mode ?? "good";
  let modeOptions: FakeModeOptions = { failures: options.failures, latencyMs: options.latencyMs, apiKey: options.apiKey };
  let responder: FakeResponder = defaultResponder;
  // Failures served so far, per mode (and per prompt for ratelimit); reset by setMode.
  let served = new Map<string, number>();
  const requests: FakeRequest[] = [];
  const stats: FakeStats = { maxConcurrent: 0, inFlight: 0, total: 0, timestamps: [] };

  let chaosRandom = seeded(options.chaosSeed ?? 1);
  const chaosCounts = new Map<ChaosQuirk, number>();
  /** The quirk this request meets in chaos mode, if any. */
  const chaosQuirk = (): ChaosQuirk | undefined => {
    const rate = modeOptions.chaosRate ?? 0.15;
    const draws = CHAOS_QUIRKS.map(() => chaosRandom() < rate);
    const quirk = CHAOS_QUIRKS[draws.indexOf(true)];
    if (quirk) chaosCounts.set(quirk, (chaosCounts.get(quirk) ?? 0) + 1);
    return quirk;
  };

  const failNow = (key: string) => {
    const count = (served.get(key) ?? 0) + 1;
    served.set(key, count);
    return count <= (modeOptions.failures ?? DEFAULT_FAILURES);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const body = await readBody(req);
    requests.push({ path, body, headers: req.headers });
    const api: Api = path.includes("/api/") ? "ollama" : "openai";
    // Model metadata answers whatever the mode and is not counted in the stats: the modes test
    // chat calls (a failing /api/show only means the client asks without a cap).
    if (req.method === "POST" && path.endsWith("/api/show")) {
      const name = (body as { model?: string } | undefined)?.model ?? "";
      if (options.rejectUnknownModels && !models.includes(name)) return sendError(res, api, 404, `model "${name}" not found`);
      return void sendJson(
        res,
        { details: { family: "fake" }, model_info: { "general.architecture": "fake", "fake.context_length": options.contextLength ?? 8192 } },
        false,
      );
    }

    const header = req.headers["x-fake-mode"];
    const current = typeof header === "string" && (FAKE_MODES as readonly string[]).includes(header) ? (header as FakeMode) : mode;

    const latency = modeOptions.latencyMs ?? (current === "slow" ? SLOW_MS : 0);
    if (latency > 0) await sleep(latency);
    if (current === "auth" && req.headers.authorization !== `Bearer ${modeOptions.apiKey ?? ""}`) {
      return sendError(res, api, 401, "Invalid API key.");
    }
    const chat = body as ChatBody | undefined;
    if (chat && Array.isArray(chat.messages)) {
      try {
        chat.messages = chat.messages.map(readMessage);
      } catch (error) {
        return sendError(res, api, 400, String((error as Error).message));
      }
    }
    const isChatRequest = req.method === "POST" && (path.endsWith("/api/chat") || /(^|\/)v1\/chat\/completions$/.test(path));
    const quirk = current === "chaos" && isChatRequest ? chaosQuirk() : undefined;
    if (quirk === "ratelimit") return sendError(res, api, 429, "Rate limit reached; retry later.", { "retry-after": "1" });
    if (quirk === "error5xx") {
      return chaosRandom() < 0.5 ? sendError(res, api, 500, "Internal server error.") : sendError(res, api, 503, "The model is overloaded. Try again later.");
    }
    if (quirk === "slow") await sleep(SLOW_MS);
    if (current === "ratelimit" && failNow(`ratelimit ${path} ${JSON.stringify(chat?.messages ?? null)}`)) {
      return sendError(res, api, 429, "Rate limit reached; retry later.", { "retry-after": "1" });
    }
    if (current === "error500" && failNow("error500")) return sendError(res, api, 500, "The fake server failed on purpose.");
    const drop = (current === "drop" && failNow("drop")) || quirk === "drop";

    if (req.method === "GET" && path.endsWith("/api/tags")) {
      const tags = models.map((name) => ({
        name,
        model: name,
        modified_at: new Date(0).toISOString(),
        size: 1_000_000,
        digest: crypto.createHash("sha256").update(name).digest("hex"),
        details: { format: "gguf", family: "fake", parameter_size: "1B", quantization_level: "Q4_0" },
      }));
      return void sendJson(res, { models: tags }, drop);
    }
    if (req.method === "GET" && /(^|\/)v1\/models$/.test(path)) {
      return void sendJson(res, { object: "list", data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "fake" })) }, drop);
    }
    const isChat = req.method === "POST" && (path.endsWith("/api/chat") || /(^|\/)v1\/chat\/completions$/.test(path));
    if (!isChat || !chat || !Array.isArray(chat.messages)) return sendError(res, api, 404, `No route for ${req.method} ${path}.`);
    if (options.rejectUnknownModels && !models.includes(chat.model ?? "")) {
      return sendError(res, api, 404, `model "${chat.model}" not found, try pulling it first`);
    }
    const good = await responder(chat.messages);
    let [text, finishReason] = current === "chaos" ? chaosAnswer(quirk, good) : [shape(current, good), "stop"];
    if (current === "botched") {
      // Counted per source text (between the prompt's triple quotes), however the re-ask words it.
      const first = chat.messages.find((m) => m.role === "user")?.content ?? "";
      const prompt = /"""\n([\s\S]*?)\n"""/.exec(first)?.[1] ?? first;
      const key = `botched ${prompt}`;
      // Each prompt starts at another way of botching, so a run meets all four.
      if (failNow(key)) [text, finishReason] = BOTCHED[((served.get(key) ?? 1) - 1 + prompt.length) % BOTCHED.length](good);
      else text = good;
    }
    return api === "ollama" ? ollamaChat(res, chat, text, drop, finishReason) : openaiChat(res, chat, text, drop, finishReason, options.tokenProbability);
  }

  const server = http.createServer((req, res) => {
    if (req.url?.endsWith("/api/show")) {
      handle(req, res).catch(() => res.destroy());
      return;
    }
    stats.total += 1;
    stats.timestamps.push(Date.now());
    stats.inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.inFlight);
    res.once("close", () => (stats.inFlight -= 1));
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, "openai", 500, String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setMode(next, opts = {}) {
      mode = next;
      modeOptions = opts;
      served = new Map();
      chaosRandom = seeded(opts.chaosSeed ?? 1);
      chaosCounts.clear();
    },
    chaosCounts,
    setResponder(fn) {
      responder = fn ?? defaultResponder;
    },
    requests,
    stats,
    models,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
