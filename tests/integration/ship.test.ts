// Evaluate and ship a finished run on real parts: a worker process evaluates it on a `local`
// runner with the stand-in trainer, an LLM judge on the fake OpenAI server grades the answers,
// then the bundle is built into storage and the adapter pushed to a fake Hugging Face Hub.
import { createHash } from "node:crypto";
import path from "node:path";
import type { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { type ProjectContext, requireProject, requireWorkspace } from "@/lib/access/guard";
import { seal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { startEvaluation } from "@/lib/evaluation";
import { answerTestSet, runTestSetResults } from "@/lib/evaluation/test-sets";
import { startBundleExport, startHubPush, startModelMerge } from "@/lib/exports";
import { mergedModelOf } from "@/lib/exports/merged-model";
import { ollamaAccepts } from "@/lib/exports/modelfile";
import { listZip, readZipEntry } from "@/lib/exports/zip";
import { stopSender } from "@/lib/jobs/boss";
import { createProvider } from "@/lib/llm";
import { localRunnerWorkDir } from "@/lib/runners";
import { getStorage, readToBuffer } from "@/lib/storage";
import { datasetVersionKey, runArtifactKey } from "@/lib/storage/keys";
import { type FakeLlm, type FakeMessage, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createTeam, type Team } from "../support/fixtures";
import { startFakeHub } from "../support/hf-hub-server";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor, waitForJob } from "../support/worker-process";

const HUB_TOKEN = "hf_ship_test_token_0123456789";
let llm: FakeLlm;
let hub: Awaited<ReturnType<typeof startFakeHub>>;
let worker: WorkerProcess | undefined;

type Shipped = { team: Team; ctx: ProjectContext; runId: string; adapterBytes: Buffer; judgeId: string };

function judgeResponder(messages: FakeMessage[]): string {
  const user = messages.findLast((m) => m.role === "user")?.content ?? "";
  return user.includes("UNREADABLE")
    ? "I like it."
    : JSON.stringify({ faithfulness: 4, correctness: 5, helpfulness: 4, score: 4, reason: "Close to the reference." });
}

/** A finished training run as the train job leaves it: artifacts, logs, curves, a frozen version. */
async function finishedRun(): Promise<Shipped> {
  const team = await createTeam();
  const ws = team.workspace.id;
  const projectId = team.project.id;
  await db.project.update({
    where: { id: projectId },
    data: {
      name: "Handbook QA",
      baseModelId: "Qwen/Qwen2.5-0.5B-Instruct",
      modelInfo: {
        model_id: "Qwen/Qwen2.5-0.5B-Instruct",
        revision: "7ae557604adf67be50417f59c2c2f167def9a775",
        model_type: "qwen2",
        license: "apache-2.0",
        num_parameters: 494032768,
        estimated_vram_fp16_gb: 0.99,
        estimated_vram_4bit_gb: 0.45,
      },
    },
  });
  const version = await db.datasetVersion.create({
    data: { projectId, version: 1, contentHash: "c".repeat(64), numTrain: 3, numEval: 3, manifest: { selection: "valid" } },
  });
  const line = (i: number) =>
    `${JSON.stringify({
      id: crypto.randomUUID(),
      messages: [
        { role: "user", content: `How long is step ${i}?` },
        { role: "assistant", content: `Step ${i} takes ${i} days.` },
      ],
    })}\n`;
  const trainPath = datasetVersionKey(ws, projectId, version.id, "train.jsonl");
  const evalPath = datasetVersionKey(ws, projectId, version.id, "eval.jsonl");
  await getStorage().put(trainPath, Buffer.from([1, 2, 3].map(line).join("")));
  await getStorage().put(evalPath, Buffer.from([4, 5, 6].map(line).join("")));
  await db.datasetVersion.update({ where: { id: version.id }, data: { trainPath, evalPath } });

  const runner = await db.runner.create({
    data: { workspaceId: ws, name: "This machine", kind: "local", workDir: localRunnerWorkDir(ws), pythonPath: "python3" },
  });
  const job = await db.job.create({ data: { projectId, type: "train", status: "success" } });
  const run = await db.run.create({
    data: {
      projectId,
      jobId: job.id,
      name: "run-1",
      method: "lora",
      status: "success",
      runnerId: runner.id,
      baseModelId: "Qwen/Qwen2.5-0.5B-Instruct",
      datasetVersionId: version.id,
      hyperparams: { lora_r: 8, lora_alpha: 16, learning_rate: 0.0002, num_epochs: 1, seed: 7 },
      parameters: { preset: { id: "builtin:lora-quick", name: "LoRA · quick check" }, runner_extra: { fake: { step_ms: 20 } } },
      metrics: { train_loss: 0.41, tokens_per_second: 950 },
      hardwareInfo: { python: "3.11.7", torch: "2.15.0", transformers: "5.23.0", peft: "0.21.2", gpus: [{ name: "Fake GPU", memory_total_mb: 24576 }] },
      startedAt: new Date(Date.now() - 60_000),
      finishedAt: new Date(),
      durationSeconds: 60,
    },
  });
  // The run dir on the box was cleaned up: the evaluation must put the adapter back first.
  await db.run.update({ where: { id: run.id }, data: { remoteDir: path.join(runner.workDir, "runs", run.id) } });
  const adapterBytes = Buffer.concat([Buffer.from("fake safetensors "), Buffer.alloc(64 * 1024, 7)]);
  const files: Array<[string, Buffer, "artifact" | "log"]> = [
    ["output/adapter/adapter_model.safetensors", adapterBytes, "artifact"],
    [
      "output/adapter/adapter_config.json",
      Buffer.from(JSON.stringify({ base_model_name_or_path: "Qwen/Qwen2.5-0.5B-Instruct", r: 8, peft_type: "LORA" })),
      "artifact",
    ],
    [
      "output/adapter/tokenizer_config.json",
      Buffer.from(JSON.stringify({ chat_template: "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}" })),
      "artifact",
    ],
    // PEFT's save_pretrained writes a template model card beside the adapter.
    ["output/adapter/README.md", Buffer.from("---\nlibrary_name: peft\n---\n# Model Card for Model ID\n"), "artifact"],
    ["output/metrics.json", Buffer.from('{"train_loss": 0.41}'), "artifact"],
    ["config.json", Buffer.from('{"run_id": "x", "base_model": "Qwen/Qwen2.5-0.5B-Instruct"}'), "log"],
    ["events.jsonl", Buffer.from('{"type":"start","time":"2026-11-23T10:00:00Z","total_steps":3}\n'), "log"],
  ];
  for (const [filename, bytes, kind] of files) {
    const key = runArtifactKey(ws, projectId, run.id, filename);
    const put = await getStorage().put(key, bytes);
    await db.file.create({ data: { projectId, runId: run.id, kind, filename, storagePath: key, sizeBytes: put.size, sha256: put.sha256 } });
  }
  await db.runMetric.createMany({
    data: [1, 2, 3].flatMap((step) => [
      { runId: run.id, step, name: "train_loss", value: 2 / step },
      { runId: run.id, step, name: "eval_loss", value: 2.2 / step },
    ]),
  });

  const wctx = await requireWorkspace(team.members.admin, { id: ws }, "settings.manage");
  const judge = await createProvider(wctx, {
    name: "Fake judge",
    kind: "openai",
    baseUrl: fakeBaseUrl(llm, "openai"),
    defaultModel: "fake-judge",
    apiKey: "sk-judge",
    options: { concurrency: 2, requestsPerMinute: 0, timeoutMs: 10_000, prices: { inputPer1M: 1, outputPer1M: 2 } },
  });
  const ctx = await requireProject(team.members.editor, projectId, "exports.create");
  return { team, ctx, runId: run.id, adapterBytes, judgeId: judge.id };
}

let shipped: Shipped;

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: "sk-judge" });
  llm.setResponder(judgeResponder);
  hub = await startFakeHub({ tokens: [HUB_TOKEN] });
  worker = spawnTestWorker({
    RUNNER_PROGRAM_DIR: path.resolve("tests/support/fake-runner"),
    TRAIN_POLL_MS: "200",
    TRAIN_STALL_CHECK_S: "2",
    HF_ENDPOINT: hub.url,
    ALLOW_LOCAL_RUNNERS: "true",
  });
  shipped = await finishedRun();
  // "This server" is the instance administrator's, running a Python the administrator allowed.
  Object.assign(process.env, { ALLOW_LOCAL_RUNNERS: "true", ADMIN_EMAILS: shipped.team.members.editor.email, LOCAL_RUNNER_PYTHONS: "python3" });
  resetEnvCache();
}, 60_000);

afterAll(async () => {
  for (const name of ["ALLOW_LOCAL_RUNNERS", "ADMIN_EMAILS", "LOCAL_RUNNER_PYTHONS"]) delete process.env[name];
  resetEnvCache();
  if (worker) await stopWorker(worker, "SIGKILL");
  await llm.stop();
  await hub.stop();
  await stopSender();
});

describe("evaluate", () => {
  it("refuses to ship a run nobody evaluated", async () => {
    await expect(startBundleExport(shipped.ctx, shipped.runId)).rejects.toThrow(/Evaluate this run first/);
  });

  it("evaluates on the runner (re-uploading the adapter), scores base vs tuned and grades with the judge", async () => {
    const job = await startEvaluation(shipped.ctx, { runId: shipped.runId, numPrompts: 20, judgeProviderId: shipped.judgeId });
    await waitForJob(job.id, ["success", "failed"]).then((j) => expect(j.errorMessage).toBeNull());
    const samples = await db.evalSample.findMany({ where: { runId: shipped.runId }, orderBy: { position: "asc" } });
    expect(samples).toHaveLength(3);
    expect(samples.map((s) => s.reference)).toEqual(["Step 4 takes 4 days.", "Step 5 takes 5 days.", "Step 6 takes 6 days."]);
    expect(samples.every((s) => s.judgeScore === 4 && s.judgeReason === "Close to the reference.")).toBe(true);
    const evaluation = ((await db.run.findUniqueOrThrow({ where: { id: shipped.runId } })).metrics as { evaluation: Record<string, number | null> }).evaluation;
    expect(evaluation).toMatchObject({ num_samples: 3, judge_score: 4 });
    expect(evaluation.rouge_l_tuned!).toBeGreaterThan(evaluation.rouge_l_base!);
    // The worker marks the job done, then refreshes the project's status: a loaded machine can read in between.
    await waitFor(
      "the project to read completed",
      async () => (await db.project.findUniqueOrThrow({ where: { id: shipped.team.project.id } })).status === "completed",
      15_000,
    );
  }, 90_000);
});

describe("test sets on the runner", () => {
  it("the run's base and tuned models answer a test set within an evaluation, scored like any model's; the Export gate and the bundle carry the result", async () => {
    const testSet = await db.testSet.create({ data: { projectId: shipped.team.project.id, name: "Handbook check" } });
    await db.testQuestion.createMany({
      data: [
        { testSetId: testSet.id, naturalKey: "q1", type: "true_false", question: "Step 4 takes 4 days.", answer: "true" },
        { testSetId: testSet.id, naturalKey: "q2", type: "short_answer", question: "How long is step 5?", answer: "Five days", accepted: ["5 days"] },
        {
          testSetId: testSet.id,
          naturalKey: "q3",
          type: "multiple_choice",
          question: "Which step takes 6 days?",
          options: ["Step 2", "Step 6"],
          answer: "Step 6",
        },
      ],
    });
    const job = await answerTestSet(shipped.ctx, testSet.id, { kind: "run", runId: shipped.runId });
    await waitForJob(job.id, ["success", "failed"]).then((j) => expect(j.errorMessage).toBeNull());
    // The eval split's samples are as before; the questions came after them (indexes 3–5).
    expect(await db.evalSample.count({ where: { runId: shipped.runId } })).toBe(3);
    const answers = await db.testAnswer.findMany({ where: { testSetId: testSet.id }, include: { question: true } });
    expect(answers).toHaveLength(6);
    expect(new Set(answers.map((a) => a.model))).toEqual(new Set([`base:${shipped.runId}`, `tuned:${shipped.runId}`]));
    // The stand-in's tuned model repeats the reference at even indexes (the short answer, index 4).
    const tunedShort = answers.find((a) => a.model === `tuned:${shipped.runId}` && a.question.type === "short_answer")!;
    expect(tunedShort).toMatchObject({ answer: "Five days", score: 1 });
    expect(answers.every((a) => a.score === 0 || a.score === 1)).toBe(true);
    const [result] = await runTestSetResults(shipped.team.project.id, shipped.runId);
    expect(result.name).toBe("Handbook check");
    expect(result.tuned.n).toBe(3);
    expect(result.base?.n).toBe(3);
    expect(result.summary).toContain('"Handbook check"');
  }, 90_000);
});

describe("ship", () => {
  it("builds the bundle: exactly the expected files, a model card whose YAML parses, a Modelfile that names the adapter", async () => {
    const row = await startBundleExport(shipped.ctx, shipped.runId);
    const exportRow = await waitFor("the bundle", async () => {
      const x = await db.export.findUniqueOrThrow({ where: { id: row.id }, include: { file: true } });
      return x.status === "success" || x.status === "failed" ? x : null;
    });
    expect(exportRow.status).toBe("success");
    const zip = await readToBuffer(await getStorage().get(exportRow.file!.storagePath), 50_000_000);
    expect(createHash("sha256").update(zip).digest("hex")).toBe(exportRow.file!.sha256);
    const entries = await listZip(zip, { hash: true });
    expect(entries.map((e) => e.path).sort()).toEqual(
      [
        "Modelfile",
        "OLLAMA.md",
        "README.md",
        "adapter/adapter_config.json",
        "adapter/adapter_model.safetensors",
        "adapter/tokenizer_config.json",
        "dataset/README.md",
        "dataset/eval.jsonl",
        "dataset/train.jsonl",
        "eval/report.json",
        "eval/test-sets.json",
        "logs/events.jsonl",
        "manifest.json",
        "metrics/curves.csv",
        "metrics/loss-curve.svg",
        "metrics/metrics.json",
        "training/config.json",
        "training/preset.json",
      ].sort(),
    );
    expect(entries.find((e) => e.path === "adapter/adapter_model.safetensors")!.sha256).toBe(createHash("sha256").update(shipped.adapterBytes).digest("hex"));
    // The dataset folder carries its card: the Hub's front matter naming its two files, and where the examples came from.
    const datasetCard = (await readZipEntry(zip, "dataset/README.md")).toString();
    expect(YAML.parse(datasetCard.split("---\n")[1]).configs[0].data_files).toEqual([
      { split: "train", path: "train.jsonl" },
      { split: "eval", path: "eval.jsonl" },
    ]);
    expect(datasetCard).toContain("as the model was trained on it");

    const readme = (await readZipEntry(zip, "README.md")).toString("utf8");
    const front = YAML.parse(readme.split("---")[1]) as Record<string, unknown>;
    expect(front).toMatchObject({ base_model: "Qwen/Qwen2.5-0.5B-Instruct", library_name: "peft", license: "apache-2.0" });
    const modelfile = (await readZipEntry(zip, "Modelfile")).toString("utf8");
    expect(modelfile).toMatch(/^FROM \S+/m);
    expect(modelfile).toMatch(/^ADAPTER \.\/adapter$/m);
    expect(modelfile).toMatch(/<\|im_start\|>/);
    const manifest = JSON.parse((await readZipEntry(zip, "manifest.json")).toString("utf8"));
    expect(manifest).toMatchObject({
      dataset_version: { content_hash: "c".repeat(64), version: 1 },
      base_model: { revision: "7ae557604adf67be50417f59c2c2f167def9a775" },
      seed: 7,
      packages: { torch: "2.15.0", peft: "0.21.2" },
    });
    const report = JSON.parse((await readZipEntry(zip, "eval/report.json")).toString("utf8"));
    expect(report.samples).toHaveLength(3);
    expect((await readZipEntry(zip, "metrics/loss-curve.svg")).toString("utf8")).toMatch(/^<svg/);
  }, 60_000);

  it("pushes the adapter and model card to the Hub, and the dataset to its own repo", async () => {
    await db.workspaceSecret.create({ data: { workspaceId: shipped.team.workspace.id, name: "HF_TOKEN", valueEncrypted: seal(HUB_TOKEN), hint: "••••6789" } });
    const row = await startHubPush(shipped.ctx, shipped.runId, { repo: "fake-user/handbook-qa", private: true, includeDataset: true });
    const done = await waitFor("the push", async () => {
      const x = await db.export.findUniqueOrThrow({ where: { id: row.id } });
      return x.status === "success" || x.status === "failed" ? x : null;
    });
    expect(done.status).toBe("success");
    expect(done.url).toContain("fake-user/handbook-qa");
    const model = hub.commits.find((c) => c.repo === "fake-user/handbook-qa")!;
    expect(model.files.map((f) => f.path).sort()).toEqual([
      "Modelfile",
      "README.md",
      "adapter_config.json",
      "adapter_model.safetensors",
      "finetuneflow-manifest.json",
      "tokenizer_config.json",
    ]);
    // One README: our model card (PEFT's template stays out), pointing at the pushed dataset.
    const card = model.files.find((f) => f.path === "README.md")!;
    expect(model.files.filter((f) => f.path.toLowerCase().endsWith("readme.md"))).toHaveLength(1);
    expect(card.size).toBeGreaterThan(1000);
    expect(model.files.find((f) => f.path === "adapter_model.safetensors")!.sha256).toBe(createHash("sha256").update(shipped.adapterBytes).digest("hex"));
    expect(hub.repos.get("model:fake-user/handbook-qa")?.private).toBe(true);
    const dataset = hub.commits.find((c) => c.repo === "fake-user/handbook-qa-dataset")!;
    expect(dataset.files.map((f) => f.path).sort()).toEqual(["README.md", "eval.jsonl", "train.jsonl"]);
  }, 60_000);

  it("a refused Hub token fails the push with a message that says what to do", async () => {
    await db.workspaceSecret.update({
      where: { workspaceId_name: { workspaceId: shipped.team.workspace.id, name: "HF_TOKEN" } },
      data: { valueEncrypted: seal("hf_not_a_valid_token_here") },
    });
    const row = await startHubPush(shipped.ctx, shipped.runId, { repo: "fake-user/other" });
    const job = await waitForJob((await db.export.findUniqueOrThrow({ where: { id: row.id } })).jobId!, ["failed"]);
    expect(job.errorMessage).toMatch(/token/i);
    expect((await db.export.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("failed");
  }, 60_000);
});

/** Builds a bundle of the shipped run and returns the ZIP. */
async function bundleZip(): Promise<Buffer> {
  const row = await startBundleExport(shipped.ctx, shipped.runId);
  const exportRow = await waitFor("the bundle", async () => {
    const x = await db.export.findUniqueOrThrow({ where: { id: row.id }, include: { file: true } });
    return x.status === "success" || x.status === "failed" ? x : null;
  });
  expect(exportRow.status).toBe("success");
  return readToBuffer(await getStorage().get(exportRow.file!.storagePath), 50_000_000);
}

async function mergeAs(architecture: string) {
  const run = await db.run.findUniqueOrThrow({ where: { id: shipped.runId } });
  const parameters = run.parameters as { runner_extra: { fake: Record<string, unknown> } };
  parameters.runner_extra.fake.architecture = architecture;
  await db.run.update({ where: { id: shipped.runId }, data: { parameters: parameters as Prisma.InputJsonObject } });
  const job = await startModelMerge(shipped.ctx, shipped.runId);
  const done = await waitForJob(job.id, ["success", "failed"], 60_000);
  expect(done.errorMessage).toBeNull();
  expect(done.status).toBe("success");
  return db.file.findMany({ where: { runId: shipped.runId, filename: { startsWith: "output/merged/" } }, orderBy: { filename: "asc" } });
}

describe("merged model for Ollama", () => {
  it("merges on the run's box, brings the model back, and the bundle's Modelfile imports it (FROM ./model, no ADAPTER)", async () => {
    const files = await mergeAs("Qwen2ForCausalLM");
    expect(files.map((f) => f.filename)).toEqual([
      "output/merged/config.json",
      "output/merged/generation_config.json",
      "output/merged/model.safetensors",
      "output/merged/tokenizer_config.json",
    ]);
    for (const file of files) {
      const stored = await readToBuffer(await getStorage().get(file.storagePath), 50_000_000);
      expect(createHash("sha256").update(stored).digest("hex")).toBe(file.sha256);
    }
    const run = await db.run.findUniqueOrThrow({ where: { id: shipped.runId } });
    expect(mergedModelOf(run.metrics)).toMatchObject({ architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", weight_files: 1 });
    // The evaluation and training metrics are still there beside it.
    expect(run.metrics).toMatchObject({ train_loss: 0.41, evaluation: expect.any(Object) });

    const zip = await bundleZip();
    const paths = (await listZip(zip)).map((e) => e.path);
    const model = paths.filter((p) => p.startsWith("model/"));
    expect(model.sort()).toEqual(["model/config.json", "model/generation_config.json", "model/model.safetensors", "model/tokenizer_config.json"]);
    // The adapter still ships, for PEFT and vLLM.
    expect(paths).toContain("adapter/adapter_model.safetensors");
    const modelfile = (await readZipEntry(zip, "Modelfile")).toString("utf8");
    expect(modelfile).toMatch(/^FROM \.\/model$/m);
    expect(modelfile).not.toMatch(/^ADAPTER/m);
    // The template the run trained with (ChatML from the tokenizer), not one Ollama would guess.
    expect(modelfile).toContain("<|im_start|>");
    const howTo = (await readZipEntry(zip, "OLLAMA.md")).toString("utf8");
    expect(howTo).toContain("ollama create handbook-qa-run-1 -f Modelfile");
    expect(howTo).toContain("Qwen2ForCausalLM");
    const manifest = JSON.parse((await readZipEntry(zip, "manifest.json")).toString("utf8"));
    expect(manifest.ollama).toMatchObject({ variant: "merged", architecture: "Qwen2ForCausalLM" });
    // What `ollama create` checks before converting, on this folder (a tokenizer.json joins it on a real run).
    expect(ollamaAccepts({ line: "FROM", files: [...model, "model/tokenizer.json"], architecture: "Qwen2ForCausalLM", ollamaVersion: "0.13.0" })).toEqual({
      ok: true,
    });
  }, 120_000);

  it("merging again replaces what changed; an architecture Ollama cannot convert gets the llama.cpp route", async () => {
    const before = await db.file.findMany({ where: { runId: shipped.runId, filename: { startsWith: "output/merged/" } } });
    const after = await mergeAs("MistralForCausalLM");
    expect(after.map((f) => f.filename)).toEqual(before.map((f) => f.filename).sort());
    const row = (list: typeof before, name: string) => list.find((f) => f.filename === `output/merged/${name}`)!;
    // Same weights (same seed): kept as they were; the config names another architecture: replaced.
    expect(row(after, "model.safetensors").id).toBe(row(before, "model.safetensors").id);
    expect(row(after, "config.json").id).not.toBe(row(before, "config.json").id);
    const config = await readToBuffer(await getStorage().get(row(after, "config.json").storagePath), 1_000_000);
    expect(JSON.parse(config.toString("utf8")).architectures).toEqual(["MistralForCausalLM"]);

    const zip = await bundleZip();
    const modelfile = (await readZipEntry(zip, "Modelfile")).toString("utf8");
    expect(modelfile).toMatch(/^FROM \.\/model\.gguf$/m);
    expect((await readZipEntry(zip, "OLLAMA.md")).toString("utf8")).toContain("convert_hf_to_gguf.py model --outfile model.gguf");
  }, 120_000);

  it("another workspace cannot merge this run: it does not exist for them", async () => {
    const other = await createTeam();
    const ctx = await requireProject(other.members.editor, other.project.id, "exports.create");
    await expect(startModelMerge(ctx, shipped.runId)).rejects.toThrow(/not found/);
  });
});
