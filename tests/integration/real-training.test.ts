// The production runner (worker/runner) fine-tunes for real — torch, transformers and peft on the
// CPU, from the venv of tests/support/runner-venv.ts — through the product's own path: a worker
// process, a loopback OpenSSH box and "This server" (a local runner). The base model is a
// folder on the box, as on one that cannot reach the Hub: a 2-layer random Llama with a tokenizer
// trained offline (tests/support/tiny_model.py); nothing is downloaded. It trains, comes back
// intact, evaluates, exports, is cancelled and resumes; a Python check script
// (tests/support/check_adapter.py) loads the adapters with peft.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProjectContext, requireProject, requireWorkspace } from "@/lib/access/guard";
import { refreshModelInfo } from "@/lib/base-models/project";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { startBundleExport, startModelMerge } from "@/lib/exports";
import { ollamaAccepts } from "@/lib/exports/modelfile";
import { listZip, readZipEntry } from "@/lib/exports/zip";
import { stopSender } from "@/lib/jobs/boss";
import { cancelJob, retryJob } from "@/lib/jobs/control";
import { projectFieldsSchema, updateProject } from "@/lib/projects";
import { confirmRunnerHostKey, createRunner, localRunnerWorkDir, probeRunnerHostKey } from "@/lib/runners";
import { getStorage, readToBuffer } from "@/lib/storage";
import { startTraining } from "@/lib/training";
import { findJobDefinition } from "@/worker/registry";
import { createTeam, type Team } from "../support/fixtures";
import { ensureRunnerVenv } from "../support/runner-venv";
import { startSshd, type TestSshd } from "../support/sshd";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor, waitForJob } from "../support/worker-process";

const exec = promisify(execFile);
const PROGRAM_DIR = path.resolve("worker/runner");
const STEPS = 40;
/** Small enough for a few seconds on two CPU cores, large enough for the loss to fall. */
const HYPERPARAMS = {
  max_steps: STEPS,
  per_device_batch_size: 4,
  gradient_accumulation_steps: 2,
  learning_rate: 0.01,
  lr_scheduler: "cosine",
  warmup_ratio: 0,
  lora_dropout: 0,
  gradient_checkpointing: false,
  eval_steps: 10,
  save_steps: 10,
} as const;

let python: string;
/** The saved tiny model (weights and tokenizer): the project's base model, by its path. */
let modelDir: string;
let sshd: TestSshd;
let team: Team;
let ctx: ProjectContext;
let worker: WorkerProcess | undefined;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-real-training-"));

/** Run 1, trained over SSH without interruption: the reference for the resumed run. */
let reference: { runId: string; remoteDir: string };

function startWorker(): void {
  worker = spawnTestWorker({ RUNNER_PROGRAM_DIR: PROGRAM_DIR, TRAIN_POLL_MS: "200", TRAIN_STALL_CHECK_S: "5", ALLOW_LOCAL_RUNNERS: "true" });
}

/** Config keys the runner gets beside the preset's (run.parameters.runner_extra); none are needed today. */
function runnerExtra(): Prisma.InputJsonObject {
  return {};
}

/** Starts a run as the Train page does, then gives it the extra config before any worker runs. */
async function launch(runnerId: string): Promise<{ runId: string; jobId: string }> {
  // No GPU here: the run allows the CPU, as the Train step's "Allow the CPU" does.
  // The tiny dataset's eval examples are templated like its train ones (the test wants the loss to fall
  // on them), which the leakage gate refuses without a reason.
  const { runId, jobId } = await startTraining(ctx, {
    runnerId,
    presetId: "builtin:lora-quick",
    overrides: HYPERPARAMS,
    allowCpu: true,
    leakageOverride: "A templated test dataset: eval shares train's phrasing on purpose.",
  });
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  await db.run.update({ where: { id: runId }, data: { parameters: { ...(run.parameters as Prisma.JsonObject), runner_extra: runnerExtra() } } });
  return { runId, jobId };
}

async function metric(runId: string, name: string) {
  return db.runMetric.findMany({ where: { runId, name }, orderBy: { step: "asc" } });
}

function events(remoteDir: string, file = "events.jsonl"): Array<Record<string, unknown>> {
  return fs
    .readFileSync(path.join(remoteDir, file), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

async function failureReport(jobId: string): Promise<string> {
  const logs = await db.appLog.findMany({ where: { jobId }, orderBy: { id: "asc" } });
  return `${logs.map((l) => l.message).join("\n")}\n---\n${worker?.output().slice(-4000) ?? ""}`;
}

async function finish(jobId: string, timeoutMs = 180_000) {
  const job = await waitForJob(jobId, ["success", "failed", "cancelled"], timeoutMs);
  if (job.status !== "success") throw new Error(`job ${job.status}: ${job.errorMessage}\n${await failureReport(jobId)}`);
  return job;
}

/** Writes storage objects to `dir` under their names (what a user downloads). */
async function download(files: Array<{ name: string; storagePath: string }>, dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of files) fs.writeFileSync(path.join(dir, file.name), await readToBuffer(await getStorage().get(file.storagePath), 50_000_000));
  return dir;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

beforeAll(async () => {
  python = await ensureRunnerVenv();
  await exec(python, [path.resolve("tests/support/tiny_model.py"), path.join(scratch, "tiny"), "--model"]);
  modelDir = path.join(scratch, "tiny", "model");
  sshd = await startSshd();
  team = await createTeam();
  const topics = ["warranty", "invoice", "router", "battery", "refund", "firmware", "shipping", "password"];
  const verbs = ["covers", "explains", "resets", "replaces", "includes", "requires", "lists", "describes"];
  const owner = await requireProject(team.members.owner, team.project.id, "project.update");
  await updateProject(owner, projectFieldsSchema.parse({ name: "Tiny", taskType: "instruction", baseModelId: modelDir }));
  await db.datasetExample.createMany({
    data: Array.from({ length: 24 }, (_, i) => ({
      projectId: team.project.id,
      naturalKey: `tiny:${i}`,
      split: i % 6 === 0 ? ("eval" as const) : ("train" as const),
      data: { instruction: `What does the ${topics[i % 8]} guide say?`, input: "", output: `It ${verbs[(i * 3) % 8]} the ${topics[i % 8]} steps.` },
      tokenCount: 16,
    })),
  });
  ctx = await requireProject(team.members.editor, team.project.id, "training.launch");
}, 20 * 60_000);

afterAll(async () => {
  for (const name of ["ALLOW_LOCAL_RUNNERS", "ADMIN_EMAILS", "LOCAL_RUNNER_PYTHONS"]) delete process.env[name];
  resetEnvCache();
  if (worker) await stopWorker(worker, "SIGKILL");
  await sshd?.stop();
  await stopSender();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the production runner on a tiny model", () => {
  it("trains over SSH from a base model folder on the box: the loss falls, the adapter comes back with matching checksums", async () => {
    const wctx = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "settings.manage");
    const box = await createRunner(wctx, {
      name: "loopback",
      kind: "ssh",
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      workDir: path.join(sshd.workDir, "box"),
      pythonPath: python,
      privateKey: sshd.privateKey,
    });
    await confirmRunnerHostKey(wctx, box.id, (await probeRunnerHostKey(wctx, box.id)).fingerprint);
    const { runId, jobId } = await launch(box.id);
    startWorker();
    await finish(jobId);

    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { datasetVersion: true, files: true } });
    reference = { runId, remoteDir: run.remoteDir! };
    // 20 train examples here and the team fixture's one.
    expect(run.datasetVersion).toMatchObject({ numTrain: 21, numEval: 4 });
    expect(run.hardwareInfo).toMatchObject({ torch: expect.stringMatching(/^2\./), peft: expect.any(String) });
    // The runner's peak resident memory (a trainer loading torch holds well over 100 MB); no GPU here, so no GPU peak.
    expect(run.peakCpuMemoryMb).toBeGreaterThan(100);
    const losses = await metric(runId, "train_loss");
    expect(losses.map((m) => m.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    const [first, last] = [mean(losses.slice(0, 5).map((m) => m.value)), mean(losses.slice(-5).map((m) => m.value))];
    expect(last).toBeLessThan(first - 0.3);
    expect((await metric(runId, "eval_loss")).map((m) => m.step)).toEqual([10, 20, 30, 40]);
    expect(run.metrics).toMatchObject({ train_loss: expect.any(Number), eval_loss: expect.any(Number), trainable_parameters: expect.any(Number) });

    const artifacts = run.files.filter((f) => f.kind === "artifact");
    expect(artifacts.map((f) => f.filename)).toEqual(
      expect.arrayContaining(["output/adapter/adapter_config.json", "output/adapter/adapter_model.safetensors"]),
    );
    for (const file of artifacts) {
      const stored = await readToBuffer(await getStorage().get(file.storagePath), 50_000_000);
      expect(createHash("sha256").update(stored).digest("hex")).toBe(file.sha256);
      expect(stored.equals(fs.readFileSync(path.join(run.remoteDir!, file.filename)))).toBe(true);
    }
    expect(run.files.filter((f) => f.kind === "log").map((f) => f.filename)).toEqual(expect.arrayContaining(["events.jsonl", "stderr.log", "config.json"]));
    // The Hub cannot describe a folder on the box, and says so rather than asking it.
    await expect(refreshModelInfo(await requireProject(team.members.owner, team.project.id, "project.update"))).rejects.toThrow(/model folder on the GPU box/);
  }, 300_000);

  it("evaluates the real model: token-weighted eval loss, its perplexity, base and tuned answers", async () => {
    const evalJob = await waitFor("the evaluation job", () => db.job.findFirst({ where: { projectId: team.project.id, type: "eval" } }), 30_000);
    await finish(evalJob.id);
    const samples = await db.evalSample.findMany({ where: { runId: reference.runId }, orderBy: { position: "asc" } });
    expect(samples).toHaveLength(4);
    for (const sample of samples)
      expect(sample).toMatchObject({
        reference: expect.stringMatching(/^It \w+ the \w+ steps\.$/),
        baseOutput: expect.any(String),
        tunedOutput: expect.any(String),
      });
    // The base is the same model with the adapter switched off: the answers differ.
    expect(samples.some((s) => s.baseOutput !== s.tunedOutput)).toBe(true);
    const evaluation = ((await db.run.findUniqueOrThrow({ where: { id: reference.runId } })).metrics as { evaluation: Record<string, number> }).evaluation;
    expect(evaluation.num_samples).toBe(4);
    expect(evaluation.perplexity).toBeCloseTo(Math.exp(evaluation.eval_loss), 3);
    const done = events(reference.remoteDir, "eval-events.jsonl").find((e) => e.type === "done") as { metrics: { eval_loss: number } };
    // The same figure (JSON through jsonb may print its last digit differently).
    expect(done.metrics.eval_loss).toBeCloseTo(evaluation.eval_loss, 12);
    // The worker marks the job done, then refreshes the project's status: wait for the second write
    // too (on a loaded machine the test can read the project in between).
    await waitFor(
      "the project to read completed",
      async () => (await db.project.findUniqueOrThrow({ where: { id: team.project.id } })).status === "completed",
      15_000,
    );
  }, 120_000);

  it("the downloaded adapter and the bundle's load with peft and reproduce the trained model", async () => {
    const run = await db.run.findUniqueOrThrow({ where: { id: reference.runId }, include: { files: true } });
    const adapterFiles = run.files.filter((f) => f.kind === "artifact" && f.filename.startsWith("output/adapter/"));
    const downloaded = await download(
      adapterFiles.map((f) => ({ name: path.posix.basename(f.filename), storagePath: f.storagePath })),
      path.join(scratch, "downloaded"),
    );

    const bundleCtx = await requireProject(team.members.editor, team.project.id, "exports.create");
    const row = await startBundleExport(bundleCtx, reference.runId);
    const exported = await waitFor("the bundle", async () => {
      const x = await db.export.findUniqueOrThrow({ where: { id: row.id }, include: { file: true } });
      return x.status === "success" || x.status === "failed" ? x : null;
    });
    expect(exported.status).toBe("success");
    const zip = await readToBuffer(await getStorage().get(exported.file!.storagePath), 50_000_000);
    const bundled = path.join(scratch, "bundle-adapter");
    fs.mkdirSync(bundled);
    for (const entry of (await listZip(zip)).filter((e) => e.path.startsWith("adapter/"))) {
      fs.writeFileSync(path.join(bundled, path.posix.basename(entry.path)), await readZipEntry(zip, entry.path, 50_000_000));
    }

    const box = (relative: string) => path.join(reference.remoteDir, relative);
    const { stdout } = await exec(python, [
      path.resolve("tests/support/check_adapter.py"),
      "--base",
      modelDir,
      // The Trainer's checkpoint at the last step: the trained model as it was in memory.
      "--reference",
      box(`output/checkpoints/checkpoint-${STEPS}`),
      "--eval",
      box("data/eval.jsonl"),
      "--runner",
      PROGRAM_DIR,
      downloaded,
      bundled,
    ]);
    const checks = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { diff_vs_reference: number; diff_vs_merged: number; diff_disabled: number; eval_loss: number });
    expect(checks).toHaveLength(2);
    const trained = run.metrics as { eval_loss: number; evaluation: { eval_loss: number } };
    for (const check of checks) {
      expect(check.diff_vs_reference).toBeLessThan(1e-3);
      expect(check.diff_vs_merged).toBeLessThan(1e-3);
      expect(check.diff_disabled).toBeGreaterThan(1e-2);
      // The eval loss the trainer measured in memory after its last step (one eval batch of all
      // four examples, so per token) and the eval job's, from the downloaded adapter.
      expect(Math.abs(check.eval_loss - trained.eval_loss)).toBeLessThan(1e-3);
      expect(Math.abs(check.eval_loss - trained.evaluation.eval_loss)).toBeLessThan(1e-4);
    }
  }, 120_000);

  it("merges the adapter into the base on the box: the merged model alone computes what base + adapter compute, and the bundle's Modelfile imports it", async () => {
    const mergeCtx = await requireProject(team.members.editor, team.project.id, "exports.create");
    const job = await startModelMerge(mergeCtx, reference.runId);
    await finish(job.id);
    const run = await db.run.findUniqueOrThrow({ where: { id: reference.runId }, include: { files: true } });
    const merged = run.files.filter((f) => f.filename.startsWith("output/merged/"));
    const names = merged.map((f) => path.posix.basename(f.filename));
    expect(names).toEqual(expect.arrayContaining(["config.json", "model.safetensors", "tokenizer.json", "generation_config.json"]));
    const dir = await download(
      merged.map((f) => ({ name: path.posix.basename(f.filename), storagePath: f.storagePath })),
      path.join(scratch, "merged"),
    );
    const { stdout } = await exec(python, [
      path.resolve("tests/support/check_merged.py"),
      "--base",
      modelDir,
      "--adapter",
      path.join(reference.remoteDir, "output/adapter"),
      dir,
    ]);
    const check = JSON.parse(stdout.trim().split("\n").pop()!) as { diff_vs_adapter: number; diff_vs_base: number; architectures: string[] };
    expect(check.diff_vs_adapter).toBeLessThan(1e-4);
    expect(check.diff_vs_base).toBeGreaterThan(1e-2);
    expect(check.architectures).toEqual(["LlamaForCausalLM"]);
    expect(run.metrics).toMatchObject({ merged: { architectures: ["LlamaForCausalLM"], model_type: "llama", weight_files: 1 } });

    const row = await startBundleExport(mergeCtx, reference.runId);
    const exported = await waitFor("the bundle", async () => {
      const x = await db.export.findUniqueOrThrow({ where: { id: row.id }, include: { file: true } });
      return x.status === "success" || x.status === "failed" ? x : null;
    });
    expect(exported.status).toBe("success");
    const zip = await readToBuffer(await getStorage().get(exported.file!.storagePath), 50_000_000);
    const model = (await listZip(zip)).filter((e) => e.path.startsWith("model/")).map((e) => e.path);
    expect(model.map((p) => path.posix.basename(p)).sort()).toEqual([...names].sort());
    expect((await readZipEntry(zip, "Modelfile")).toString("utf8")).toMatch(/^FROM \.\/model$/m);
    expect(ollamaAccepts({ line: "FROM", files: model, architecture: check.architectures[0], ollamaVersion: "0.13.0" })).toEqual({ ok: true });
  }, 180_000);

  it("This server: cancel mid-run saves a checkpoint and stops; retry resumes at the next step on the same schedule", async () => {
    // A fresh worker picks up the new run only after it has its runner_extra.
    await stopWorker(worker!, "SIGTERM");
    // "This server" is the instance administrator's, with a Python the administrator allowed.
    Object.assign(process.env, { ALLOW_LOCAL_RUNNERS: "true", ADMIN_EMAILS: team.members.editor.email, LOCAL_RUNNER_PYTHONS: python });
    resetEnvCache();
    const here = await db.runner.create({
      data: { workspaceId: team.workspace.id, name: "This server", kind: "local", workDir: localRunnerWorkDir(team.workspace.id), pythonPath: python },
    });
    const { runId, jobId } = await launch(here.id);
    startWorker();
    // Freeze the trainer after its first step, read straight from the box, so the cancel lands
    // mid-run however fast this machine is; the SIGTERM then waits as a pending signal.
    const { remotePid, remoteDir } = await waitFor(
      "the first step",
      async () => {
        const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
        const file = run.remoteDir && path.join(run.remoteDir, "events.jsonl");
        return run.remotePid && file && fs.existsSync(file) && /"type": "metric"/.test(fs.readFileSync(file, "utf8")) ? run : null;
      },
      120_000,
      20,
    );
    process.kill(-remotePid!, "SIGSTOP");
    try {
      await cancelJob(ctx, jobId, findJobDefinition);
      await waitFor(
        "SIGTERM pending on the trainer",
        async () => {
          const pending = /^ShdPnd:\s*([0-9a-f]+)/m.exec(fs.readFileSync(`/proc/${remotePid}/status`, "utf8"))?.[1] ?? "0";
          return (BigInt(`0x${pending}`) & (1n << 14n)) !== 0n;
        },
        30_000,
        50,
      );
    } finally {
      process.kill(-remotePid!, "SIGCONT");
    }
    await waitForJob(jobId, ["cancelled"], 60_000);
    await waitFor(
      "the trainer to exit",
      async () => !fs.existsSync(`/proc/${remotePid}`) || !fs.readFileSync(`/proc/${remotePid}/cmdline`, "utf8").includes("ftf_runner"),
      10_000,
    );
    const stopped = events(remoteDir!).find((e) => e.type === "stopped") as { step: number; checkpoint: string };
    expect(stopped.step).toBeGreaterThanOrEqual(1);
    expect(stopped.step).toBeLessThan(STEPS);
    expect(stopped.checkpoint).toBe(`output/checkpoints/checkpoint-${stopped.step}`);
    expect(fs.existsSync(path.join(remoteDir!, stopped.checkpoint, "trainer_state.json"))).toBe(true);
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");

    await retryJob(ctx, jobId, findJobDefinition);
    await finish(jobId);
    const all = events(remoteDir!);
    const starts = all.filter((e) => e.type === "start");
    expect(starts.map((e) => e.resumed_from_step)).toEqual([null, stopped.step]);
    const afterResume = all.slice(all.indexOf(starts[1]));
    expect(afterResume.find((e) => e.type === "metric")).toMatchObject({ step: stopped.step + 1 });

    const resumedSteps = (rows: Array<{ step: number; value: number }>) => rows.filter((m) => m.step > stopped.step);
    const [lr, referenceLr] = [resumedSteps(await metric(runId, "learning_rate")), resumedSteps(await metric(reference.runId, "learning_rate"))];
    expect(lr.map((m) => m.step)).toEqual(referenceLr.map((m) => m.step));
    for (const [i, m] of lr.entries()) expect(m.value).toBeCloseTo(referenceLr[i].value, 9);
    const [loss, referenceLoss] = [resumedSteps(await metric(runId, "train_loss")), resumedSteps(await metric(reference.runId, "train_loss"))];
    expect(Math.abs(mean(loss.map((m) => m.value)) / mean(referenceLoss.map((m) => m.value)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(loss.at(-1)!.value / referenceLoss.at(-1)!.value - 1)).toBeLessThan(0.05);
  }, 300_000);
});
