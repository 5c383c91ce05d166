// Model lookup and Hub pushes on real parts: the real @huggingface/hub client over HTTP against a
// fake Hub on 127.0.0.1 (tests/support/hf-hub-server.ts) serving recorded models, Range requests,
// gating, repo creation, LFS uploads and NDJSON commits. Nothing here reaches huggingface.co.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateParametersFromConfig, ModelInfoError, modelInfoSchema, readModelShape, resolveModelInfo } from "@/lib/base-models/info";
import { HubPushError, type PushToHubOptions, pushToHub } from "@/lib/hub/push";
import { type FakeHub, recordedModels, startFakeHub } from "../support/hf-hub-server";

const GRANTED = "hf_granted_token_0000000000000001";
const PLAIN = "hf_plain_token_00000000000000002";
const WRITER = { token: "hf_writer_token_0000000000000003", user: "alice", orgs: ["acme"] };
const READER = { token: "hf_reader_token_0000000000000004", user: "bob", role: "read" as const };

let hub: FakeHub;
let tmp: string;

beforeAll(async () => {
  hub = await startFakeHub({
    tokens: [GRANTED, PLAIN, WRITER, READER],
    gatedModels: { "meta-llama/Llama-3.1-8B": { granted: [GRANTED] }, "mistralai/Mistral-7B-v0.1": { granted: [GRANTED, PLAIN] } },
  });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-hub-"));
});

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const lookup = (id: string, options: { token?: string; revision?: string; signal?: AbortSignal } = {}) =>
  resolveModelInfo(id, { endpoint: hub.url, ...options });

async function lookupFailure(id: string, options: { token?: string; revision?: string; endpoint?: string } = {}): Promise<ModelInfoError> {
  const error = await resolveModelInfo(id, { endpoint: hub.url, ...options }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelInfoError);
  return error as ModelInfoError;
}

describe("resolveModelInfo", () => {
  it("reads TinyLlama: the Hub's parameter count, config.json's shape, license and commit", async () => {
    const asked = new Date();
    const info = await lookup("TinyLlama/TinyLlama-1.1B-Chat-v1.0");
    expect(modelInfoSchema.parse(info)).toEqual(info);
    expect(info).toMatchObject({
      model_id: "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
      revision: "fe8a4ea1ffedaf415f4da2f062534de366a451e6",
      model_type: "llama",
      architecture: "LlamaForCausalLM",
      num_parameters: 1_100_048_384,
      num_parameters_source: "safetensors_api",
      parameters_by_dtype: { BF16: 1_100_048_384 },
      vocab_size: 32_000,
      hidden_size: 2048,
      num_layers: 22,
      num_attention_heads: 32,
      num_key_value_heads: 4,
      max_position_embeddings: 2048,
      tie_word_embeddings: false,
      license: "apache-2.0",
      gated: false,
    });
    expect(info.num_parameters / 1e9).toBeCloseTo(1.1, 1);
    expect(info.estimated_vram_fp16_gb).toBeCloseTo(2.2, 1);
    // Fetched by this lookup, not read from an older cache entry.
    expect(Date.parse(info.fetched_at)).toBeGreaterThanOrEqual(asked.getTime());
  });

  it("reads Qwen2.5-0.5B-Instruct with its tied embeddings", async () => {
    const info = await lookup("Qwen/Qwen2.5-0.5B-Instruct");
    expect(info).toMatchObject({
      model_type: "qwen2",
      num_parameters: 494_032_768,
      tie_word_embeddings: true,
      max_position_embeddings: 32_768,
      license: "apache-2.0",
    });
  });

  it("reads every file at the commit the API resolved", async () => {
    const before = hub.requests.length;
    await lookup("Qwen/Qwen2.5-0.5B-Instruct");
    const config = hub.requests.slice(before).filter((r) => r.path.endsWith("/config.json"));
    expect(config.length).toBeGreaterThan(0);
    for (const request of config) expect(request.path).toContain("/resolve/7ae557604adf67be50417f59c2c2f167def9a775/");
  });

  it("explains a gated model without a token, and a token without access", async () => {
    const anonymous = await lookupFailure("meta-llama/Llama-3.1-8B");
    expect(anonymous.reason).toBe("gated");
    expect(anonymous.message).toMatch(/accept the license on the model page/);
    expect(anonymous.message).toMatch(/add a Hugging Face token in workspace settings/);
    expect(anonymous.message).toContain(`${hub.url}/meta-llama/Llama-3.1-8B`);

    const noAccess = await lookupFailure("meta-llama/Llama-3.1-8B", { token: PLAIN });
    expect(noAccess.reason).toBe("gated");
    expect(noAccess.message).toMatch(/has no access to the gated model "meta-llama\/Llama-3.1-8B" yet: accept the license/);
  });

  it("reads a gated model with a token that was granted access", async () => {
    const llama = await lookup("meta-llama/Llama-3.1-8B", { token: GRANTED });
    expect(llama).toMatchObject({ gated: "manual", license: "llama3.1", num_parameters: 8_030_261_248, vocab_size: 128_256, max_position_embeddings: 131_072 });
    const mistral = await lookup("mistralai/Mistral-7B-v0.1", { token: PLAIN });
    expect(mistral).toMatchObject({ gated: "auto", model_type: "mistral", num_parameters: 7_241_732_096, license: "apache-2.0" });
  });

  it("says an unknown model was not found, with or without a token", async () => {
    for (const token of [undefined, PLAIN]) {
      const error = await lookupFailure("no-such-org/no-such-model", { token });
      expect(error.reason).toBe("not_found");
      expect(error.code).toBe("not_found");
      expect(error.message).toMatch(/"no-such-org\/no-such-model" was not found on the Hugging Face Hub; check the id, e\.g\. "meta-llama\/Llama-3\.1-8B"/);
    }
    const revision = await lookupFailure("TinyLlama/TinyLlama-1.1B-Chat-v1.0", { revision: "no-such-branch" });
    expect(revision.message).toMatch(/at revision "no-such-branch" was not found/);
  });

  it("refuses an id that cannot be one before asking the Hub", async () => {
    const before = hub.requests.length;
    const error = await lookupFailure("not a model id");
    expect(error.reason).toBe("invalid_id");
    expect(hub.requests.length).toBe(before);
  });

  it("says when the token itself is refused", async () => {
    const wrong = await lookupFailure("TinyLlama/TinyLlama-1.1B-Chat-v1.0", { token: "hf_revoked_token_000000000000000" });
    expect(wrong.reason).toBe("token_refused");
    expect(wrong.message).toContain(`${hub.url}/settings/tokens`);
    const malformed = await lookupFailure("TinyLlama/TinyLlama-1.1B-Chat-v1.0", { token: "not-a-hub-token" });
    expect(malformed.reason).toBe("token_refused");
  });

  it("counts parameters from the safetensors shard headers when the API has no count, with Range requests", async () => {
    const before = hub.requests.length;
    const info = await lookup("fake-org/tiny-random-llama");
    expect(info.num_parameters_source).toBe("safetensors_header");
    expect(info.num_parameters).toBe(39_760);
    expect(info.parameters_by_dtype).toEqual({ BF16: 39_680, F32: 80 });
    const ranged = hub.requests.slice(before).filter((r) => r.path.includes(".safetensors") && !r.path.endsWith(".json") && r.range);
    for (const shard of ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]) {
      const reads = ranged.filter((r) => r.path.endsWith(shard)).map((r) => r.range);
      expect(reads).toContain("bytes=0-7");
      expect(reads.some((range) => /^bytes=8-\d+$/.test(range ?? ""))).toBe(true);
    }
  });

  it("estimates from config.json when there are no safetensors at all", async () => {
    const info = await lookup("fake-org/tiny-bin-only-qwen2");
    expect(info).toMatchObject({
      num_parameters: 101_280,
      num_parameters_source: "config_estimate",
      parameters_by_dtype: null,
      license: "fake-research-license",
    });
  });

  it("has a config estimate that matches the Hub's count for every recorded model", () => {
    const recorded = recordedModels();
    expect(recorded.filter((m) => m.hubTotal !== null).length).toBeGreaterThanOrEqual(4);
    for (const model of recorded) {
      const estimate = estimateParametersFromConfig(readModelShape(model.config));
      if (model.hubTotal !== null) expect({ id: model.id, estimate }).toEqual({ id: model.id, estimate: model.hubTotal });
    }
    expect(estimateParametersFromConfig(readModelShape(recorded.find((m) => m.id === "fake-org/tiny-random-llama")!.config))).toBe(39_760);
  });

  it("says when the Hub cannot be reached", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await lookupFailure("TinyLlama/TinyLlama-1.1B-Chat-v1.0", { endpoint: `http://127.0.0.1:${port}` });
    expect(error.reason).toBe("unavailable");
    expect(error.message).toBe(`Could not reach the Hugging Face Hub at http://127.0.0.1:${port}; check the server's internet access (or HF_ENDPOINT).`);
  });

  it("lets the caller's abort through as it is", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled by the test");
    controller.abort(reason);
    await expect(lookup("TinyLlama/TinyLlama-1.1B-Chat-v1.0", { signal: controller.signal })).rejects.toBe(reason);
  });
});

const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");

/** A 12 MiB JSONL file on disk: text, so only its size sends it through LFS. */
function bigJsonl(): { file: string; sha: string; size: number } {
  const line = `${JSON.stringify({ instruction: "Summarise the refund policy.", input: "", output: "Refunds are issued within 14 days." })}\n`;
  const content = Buffer.from(line.repeat(Math.ceil((12 * 1024 * 1024) / line.length)));
  const file = path.join(tmp, "train.jsonl");
  fs.writeFileSync(file, content);
  return { file, sha: sha256(content), size: content.length };
}

async function pushFailure(options: Partial<PushToHubOptions>): Promise<HubPushError> {
  const error = await pushToHub({
    repo: "alice/refused",
    repoType: "model",
    private: false,
    token: WRITER.token,
    endpoint: hub.url,
    files: [{ path: "README.md", content: new Blob(["# nothing\n"]) }],
    commitMessage: "Should not land",
    ...options,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubPushError);
  return error as HubPushError;
}

describe("pushToHub", () => {
  it("creates a private repo and commits small files inline and a large file through LFS, byte for byte", async () => {
    const readme = "# My adapter\n\nFine-tuned with FineTuneFlow.\n";
    const adapterConfig = JSON.stringify({ peft_type: "LORA", r: 16, lora_alpha: 32, target_modules: ["q_proj", "v_proj"] });
    const big = bigJsonl();
    const progress: number[] = [];

    const result = await pushToHub({
      repo: "alice/my-adapter",
      repoType: "model",
      private: true,
      token: WRITER.token,
      endpoint: hub.url,
      files: [
        { path: "README.md", content: new Blob([readme]) },
        { path: "adapter_config.json", content: async () => new Blob([adapterConfig]) },
        { path: "data/train.jsonl", content: big.file },
      ],
      commitMessage: "Add LoRA adapter",
      commitDescription: "Run 3 of project Support bot",
      onProgress: (fraction) => progress.push(fraction),
    });

    expect(hub.repos.get("model:alice/my-adapter")?.private).toBe(true);
    const commit = hub.commits.at(-1)!;
    expect(result).toEqual({ url: `${hub.url}/alice/my-adapter`, commitOid: commit.oid, created: true });
    expect(commit).toMatchObject({
      repo: "alice/my-adapter",
      repoType: "model",
      message: "Add LoRA adapter",
      description: "Run 3 of project Support bot",
      deleted: [],
    });
    expect([...commit.files].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: "README.md", sha256: sha256(readme), size: Buffer.byteLength(readme), lfs: false },
      { path: "adapter_config.json", sha256: sha256(adapterConfig), size: Buffer.byteLength(adapterConfig), lfs: false },
      { path: "data/train.jsonl", sha256: big.sha, size: big.size, lfs: true },
    ]);
    expect(hub.requests.filter((r) => r.method === "PUT" && r.path === `/__lfs/${big.sha}`)).toHaveLength(1);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("pushes again to a repo that exists, without uploading a known LFS object twice", async () => {
    const big = bigJsonl();
    const result = await pushToHub({
      repo: "alice/my-adapter",
      repoType: "model",
      private: true,
      token: WRITER.token,
      endpoint: hub.url,
      files: [{ path: "data/train-copy.jsonl", content: big.file }],
      commitMessage: "Add a copy",
    });
    expect(result.created).toBe(false);
    expect(hub.commits.at(-1)).toMatchObject({ message: "Add a copy", files: [{ path: "data/train-copy.jsonl", sha256: big.sha, lfs: true }] });
    expect(hub.requests.filter((r) => r.method === "PUT" && r.path === `/__lfs/${big.sha}`)).toHaveLength(1);
  });

  it("pushes a public dataset to an organization the token belongs to", async () => {
    const rows = '{"question":"Q?","answer":"A."}\n';
    const result = await pushToHub({
      repo: "acme/support-qa",
      repoType: "dataset",
      private: false,
      token: WRITER.token,
      endpoint: hub.url,
      files: [{ path: "train.jsonl", content: new Blob([rows]) }],
      commitMessage: "Dataset v1",
    });
    expect(result.url).toBe(`${hub.url}/datasets/acme/support-qa`);
    expect(hub.repos.get("dataset:acme/support-qa")?.private).toBe(false);
    expect(hub.commits.at(-1)).toMatchObject({
      repo: "acme/support-qa",
      repoType: "dataset",
      files: [{ path: "train.jsonl", sha256: sha256(rows), lfs: false }],
    });
  });

  it("says a refused token was refused, and where to make a write token", async () => {
    const commits = hub.commits.length;
    const error = await pushFailure({ token: "hf_revoked_token_000000000000000" });
    expect(error.reason).toBe("token_refused");
    expect(error.message).toBe(`The Hugging Face token was refused; create a write token at ${hub.url}/settings/tokens and save it in workspace settings.`);
    expect((await pushFailure({ token: "sk-not-a-hub-token" })).reason).toBe("token_refused");
    expect((await pushFailure({ token: " " })).message).toMatch(/^Pushing needs a Hugging Face write token/);
    expect(hub.commits.length).toBe(commits);
  });

  it("says when the token cannot write: read-only, or another namespace", async () => {
    const readOnly = await pushFailure({ repo: "bob/adapter", token: READER.token });
    expect(readOnly.reason).toBe("no_write_access");
    expect(readOnly.message).toMatch(/read-only/);
    const otherNamespace = await pushFailure({ repo: "meta-llama/my-adapter" });
    expect(otherNamespace.reason).toBe("no_write_access");
    expect(otherNamespace.message).toMatch(/cannot write to "meta-llama"/);
    expect(hub.repos.has("model:meta-llama/my-adapter")).toBe(false);
  });

  it("refuses a repo name the Hub would refuse, before any request", async () => {
    const before = hub.requests.length;
    for (const repo of ["alice/bad name", "no-namespace", "alice/-dash", "alice/a--b", "alice/x/y"]) {
      const error = await pushFailure({ repo });
      expect(error.reason).toBe("invalid_repo_name");
    }
    expect(hub.requests.length).toBe(before);
  });

  it("says when the Hub cannot be reached", async () => {
    const error = await pushFailure({ endpoint: "http://127.0.0.1:9" });
    expect(error.reason).toBe("unavailable");
    expect(error.message).toMatch(/^Could not reach the Hugging Face Hub at http:\/\/127\.0\.0\.1:9/);
  });
});
