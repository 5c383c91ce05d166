// Training's faults on real parts: a real OpenSSH server on loopback as the GPU box, real worker
// processes, and the stand-in trainer of tests/support/fake-runner (same CLI and events as the
// production runner, on a timer, so a fault lands mid-run in a second). Links are cut, workers
// SIGKILLed, trainers crashed; the venv set-up is tried against package indexes built here.
// The production runner's own training, cancel and resume: real-training.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ProjectContext, requireProject, requireWorkspace } from "@/lib/access/guard";
import type { ExampleData } from "@/lib/datasets/example";
import { contentHash } from "@/lib/datasets/hash";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { stopSender } from "@/lib/jobs/boss";
import { cancelJob } from "@/lib/jobs/control";
import { NonRetryableError } from "@/lib/jobs/definition";
import { CAUSE_MAX_CHARS } from "@/lib/jobs/error-text";
import { EVENTS_FILE, STDERR_FILE } from "@/lib/runner-program/commands";
import { ensurePython } from "@/lib/runner-program/python-env";
import { RemoteProcess } from "@/lib/runner-program/remote-process";
import { confirmRunnerHostKey, createRunner, ensureLocalRunner, forgetLocalMachineCheck, probeRunnerHostKey } from "@/lib/runners";
import { getRun, preflightTraining, readLastTraining, runMetrics, startTraining } from "@/lib/training";
import { findExactTokenCounts } from "@/lib/training/token-counts";
import { runnerConfig } from "@/lib/training/train-handler";
import { findJobDefinition } from "@/worker/registry";
import { createTeam, type Team } from "../support/fixtures";
import { recordedModelInfo } from "../support/hf-hub-server";
import { buildPackageIndex } from "../support/package-index";
import { startSshd, type TestSshd } from "../support/sshd";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor, waitForJob } from "../support/worker-process";

const FAKE_RUNNER = path.resolve("tests/support/fake-runner");
const WORKER_ENV = { RUNNER_PROGRAM_DIR: FAKE_RUNNER, TRAIN_POLL_MS: "200", TRAIN_STALL_CHECK_S: "2" };

let sshd: TestSshd;
const workers: WorkerProcess[] = [];

function startWorker(env: Record<string, string> = {}) {
  const worker = spawnTestWorker({ ...WORKER_ENV, ...env });
  workers.push(worker);
  return worker;
}

type Setup = { team: Team; ctx: ProjectContext; runnerId: string };

async function setup(options: { pythonPath?: string; packageIndexUrl?: string } = {}): Promise<Setup> {
  const team = await createTeam();
  await db.project.update({ where: { id: team.project.id }, data: { baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" } });
  await db.datasetExample.createMany({
    data: Array.from({ length: 24 }, (_, i) => ({
      projectId: team.project.id,
      naturalKey: `t:${i}`,
      split: i % 6 === 0 ? ("eval" as const) : ("train" as const),
      data: { instruction: `Question ${i}?`, input: "", output: `Answer number ${i}.` },
      tokenCount: 12,
    })),
  });
  const wctx = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "settings.manage");
  const runner = await createRunner(wctx, {
    name: "loopback",
    kind: "ssh",
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    workDir: path.join(sshd.workDir, crypto.randomUUID()),
    pythonPath: options.pythonPath ?? "python3",
    packageIndexUrl: options.packageIndexUrl,
    privateKey: sshd.privateKey,
  });
  const probe = await probeRunnerHostKey(wctx, runner.id);
  expect(probe.fingerprint).toBe(sshd.hostFingerprint);
  await confirmRunnerHostKey(wctx, runner.id, probe.fingerprint);
  const ctx = await requireProject(team.members.editor, team.project.id, "training.launch");
  return { team, ctx, runnerId: runner.id };
}

/** Starts a run; `fake` tunes the stand-in trainer (steps, step_ms, crash_at_step …). */
async function launch(s: Setup, fake: Record<string, unknown> | null = {}) {
  const { runId, jobId } = await startTraining(s.ctx, { runnerId: s.runnerId, presetId: "builtin:lora-quick" });
  // The production runner refuses unknown config keys, so it gets none.
  if (fake)
    await db.run.update({
      where: { id: runId },
      data: { parameters: { runner_extra: { fake: { steps: 20, step_ms: 150, eval_every: 5, save_every: 5, ...fake } } } },
    });
  return { runId, jobId };
}

async function waitForStep(runId: string, step: number) {
  await waitFor(`step ${step}`, async () => (await db.runMetric.count({ where: { runId, name: "train_loss", step: { gte: step } } })) > 0, 60_000, 100);
}

async function remoteEvents(runId: string): Promise<Array<Record<string, unknown>>> {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  const text = fs.readFileSync(path.join(run.remoteDir!, "events.jsonl"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);

afterEach(async () => {
  for (const worker of workers.splice(0)) await stopWorker(worker, "SIGKILL");
});

afterAll(async () => {
  await sshd?.stop();
  await stopSender();
});

describe("training over SSH", () => {
  it("re-attaches when the SSH link drops mid-run, without starting a second trainer", async () => {
    const s = await setup();
    const { runId, jobId } = await launch(s, { steps: 30 });
    startWorker();
    await waitForStep(runId, 4);
    await sshd.dropConnections();
    // Re-connecting, then the rest of the run: minutes on a loaded machine.
    await waitForJob(jobId, ["success"], 150_000);
    expect(await db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ peakGpuMemoryMb: 6144, peakCpuMemoryMb: 2048 });
    // The Train step starts from this launch next time.
    const project = await db.project.findUniqueOrThrow({ where: { id: s.ctx.projectId } });
    expect(readLastTraining(project.config)).toEqual({ runnerId: s.runnerId, presetId: "builtin:lora-quick", method: "lora", overrides: {} });
    const events = await remoteEvents(runId);
    expect(events.filter((e) => e.type === "start")).toHaveLength(1);
    const steps = (await db.runMetric.findMany({ where: { runId, name: "train_loss" }, orderBy: { step: "asc" } })).map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const logs = await db.appLog.findMany({ where: { jobId }, select: { message: true } });
    expect(logs.map((l) => l.message).join("\n")).toMatch(/Re-connected|re-connecting/);
  }, 240_000);

  it("survives a SIGKILLed worker: the next worker re-attaches by the stored offset and finishes", async () => {
    const s = await setup();
    const { runId, jobId } = await launch(s, { steps: 30 });
    const first = startWorker();
    await waitForStep(runId, 4);
    await stopWorker(first, "SIGKILL");
    const offsetAtKill = (await db.run.findUniqueOrThrow({ where: { id: runId } })).eventsOffset;
    expect(offsetAtKill).toBeGreaterThan(0n);
    startWorker();
    await waitForJob(jobId, ["success"], 90_000);
    const events = await remoteEvents(runId);
    expect(events.filter((e) => e.type === "start")).toHaveLength(1);
    const steps = (await db.runMetric.findMany({ where: { runId, name: "train_loss" }, orderBy: { step: "asc" } })).map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const logs = (await db.appLog.findMany({ where: { jobId }, select: { message: true } })).map((l) => l.message).join("\n");
    expect(logs).toMatch(/Re-attached/);
  }, 150_000);

  it("sets up a Python venv on the box once, from the runner's requirements, and reuses it", async () => {
    const s = await setup({ pythonPath: "" });
    startWorker();
    const first = await launch(s, { steps: 3 });
    await waitForJob(first.jobId, ["success"], 120_000);
    const runner = await db.runner.findUniqueOrThrow({ where: { id: s.runnerId } });
    const venv = path.join(runner.workDir, "venv");
    expect(fs.existsSync(path.join(venv, "bin", "python"))).toBe(true);
    const marker = fs.readdirSync(venv).find((f) => f.startsWith(".requirements-"));
    expect(marker).toBeDefined();
    const markedAt = fs.statSync(path.join(venv, marker!)).mtimeMs;
    expect((await db.run.findUniqueOrThrow({ where: { id: first.runId } })).status).toBe("success");

    const second = await launch(s, { steps: 3 });
    await waitForJob(second.jobId, ["success"], 120_000);
    expect(fs.statSync(path.join(venv, marker!)).mtimeMs).toBe(markedAt);
  }, 240_000);

  it("a trainer that crashes fails the run with a one-line cause and its stderr tail behind it; the project does not fail", async () => {
    const s = await setup();
    const { runId, jobId } = await launch(s, { crash_at_step: 3 });
    startWorker();
    const job = await waitForJob(jobId, ["failed"]);
    expect(job.errorMessage).toBe("The process on loopback stopped without finishing: RuntimeError: CUDA error: an illegal memory access was encountered");
    expect(job.errorDetail).toMatch(/^Last lines of its stderr:\nTraceback \(most recent call last\):/);
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "failed", errorMessage: job.errorMessage, errorDetail: job.errorDetail });
    // The failure stays with the run: the project reads what it holds (the fixture's finished run).
    // (The worker refreshes the project's status just after it marks the job failed: wait for it.)
    const project = await waitFor(
      "the project's status",
      async () => {
        const row = await db.project.findUniqueOrThrow({ where: { id: s.team.project.id } });
        return row.status === "training" ? null : row;
      },
      30_000,
    );
    expect(project).toMatchObject({ status: "completed", errorMessage: null });
    expect((await getRun(s.ctx, runId)).errorDetail).toContain("hf_trainer.py");
  }, 90_000);

  it("the production runner on a box without PyTorch says what is missing", async () => {
    const s = await setup();
    const { runId, jobId } = await launch(s, null);
    startWorker({ RUNNER_PROGRAM_DIR: path.resolve("worker/runner") });
    const job = await waitForJob(jobId, ["failed"]);
    expect(job.errorMessage).toMatch(/torch/i);
    expect(job.errorMessage).not.toContain("\n");
    expect(job.errorMessage!.length).toBeLessThanOrEqual(CAUSE_MAX_CHARS);
    expect(`${job.errorMessage}\n${job.errorDetail}`).toMatch(/requirements\.txt/);
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("failed");
  }, 90_000);

  it("offers runners on the server itself only where the administrator allowed them", async () => {
    const team = await createTeam();
    const wctx = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "settings.manage");
    await expect(createRunner(wctx, { name: "here", kind: "local" })).rejects.toThrow(/ALLOW_LOCAL_RUNNERS=true/);
    process.env.ALLOW_LOCAL_RUNNERS = "true";
    process.env.ADMIN_EMAILS = team.members.admin.email;
    resetEnvCache();
    try {
      expect((await createRunner(wctx, { name: "here", kind: "local" })).kind).toBe("local");
    } finally {
      delete process.env.ALLOW_LOCAL_RUNNERS;
      delete process.env.ADMIN_EMAILS;
      resetEnvCache();
    }
  });

  it('a one-machine install with a GPU gets a checked "This server" runner without asking', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-fake-gpu-"));
    fs.writeFileSync(
      path.join(bin, "nvidia-smi"),
      '#!/bin/sh\ncase "$1" in --query-gpu*) echo "NVIDIA GeForce RTX 4090, 24564, 23012, 550.54.14" ;; *) echo "| NVIDIA-SMI 550.54.14   Driver Version: 550.54.14   CUDA Version: 12.4 |" ;; esac\n',
      { mode: 0o755 },
    );
    const team = await createTeam();
    await db.runner.deleteMany({ where: { workspaceId: team.workspace.id } });
    const wctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "workspace.view");
    const savedPath = process.env.PATH;
    process.env.ALLOW_LOCAL_RUNNERS = "true";
    // The instance administrator's workspace (a tenant's never gets one: tests/integration/outbound.test.ts).
    process.env.ADMIN_EMAILS = team.members.owner.email;
    resetEnvCache();
    forgetLocalMachineCheck();
    try {
      process.env.PATH = savedPath;
      await ensureLocalRunner(wctx);
      // This machine has no GPU: nothing is added.
      expect(await db.runner.count({ where: { workspaceId: team.workspace.id } })).toBe(0);
      forgetLocalMachineCheck();
      process.env.PATH = `${bin}:${savedPath}`;
      await Promise.all([ensureLocalRunner(wctx), ensureLocalRunner(wctx)]);
      const runners = await db.runner.findMany({ where: { workspaceId: team.workspace.id } });
      expect(runners).toHaveLength(1);
      expect(runners[0]).toMatchObject({ name: "This server", kind: "local" });
      expect((runners[0].lastCheck as { gpus: Array<{ name: string; memoryFreeMb: number; cuda: string }> }).gpus[0]).toMatchObject({
        name: "NVIDIA GeForce RTX 4090",
        memoryFreeMb: 23012,
        cuda: "12.4",
      });
    } finally {
      process.env.PATH = savedPath;
      delete process.env.ALLOW_LOCAL_RUNNERS;
      delete process.env.ADMIN_EMAILS;
      resetEnvCache();
      forgetLocalMachineCheck();
    }
  });

  it("counts tokens with the base model's tokenizer: the run keeps the counts, MFU and its factors; the preflight uses them while the dataset is unchanged", async () => {
    const s = await setup();
    // Content hashes, as generation, import and review write them: they tell an unchanged dataset.
    for (const example of await db.datasetExample.findMany({ where: { projectId: s.team.project.id } })) {
      await db.datasetExample.update({ where: { id: example.id }, data: { contentHash: contentHash(example.data as ExampleData) } });
    }
    const input = { runnerId: s.runnerId, presetId: "builtin:lora-quick" };
    const before = await preflightTraining(s.ctx, input);
    expect(before).toMatchObject({ tokenSource: "estimate", exactTokens: null });

    const { runId, jobId } = await launch(s, { steps: 5 });
    startWorker();
    await waitForJob(jobId, ["success"]);
    const run = await getRun(s.ctx, runId);
    // lora-quick: max length 1024, packing on (the default); 20 train examples here and the fixture's one.
    expect(run.prepared).toMatchObject({
      max_seq_length: 1024,
      packing: true,
      train: { examples: 21, truncated: 0, dropped: 0 },
      eval: { examples: 4, sequences: 4 },
    });
    const sequences = run.prepared!.train!.sequences;
    expect(sequences).toBeLessThan(21);
    expect(run.throughput).toEqual({ flopsPerToken: 3e9, peakFlops: 165e12, gpu: "Fake GPU (test runner)" });
    expect(run.metrics.mfu).toEqual(expect.any(Number));
    const mfu = (await runMetrics(s.ctx, runId)).filter((p) => p.name === "mfu");
    expect(mfu.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(mfu.every((p) => p.value > 0 && p.value <= 1)).toBe(true);
    const logs = (await db.appLog.findMany({ where: { jobId }, select: { message: true } })).map((l) => l.message);
    expect(logs).toContain(
      `Tokenized the train split with the base model's tokenizer: 21 examples → ${sequences} packed sequence${sequences === 1 ? "" : "s"}, ` +
        `${run.prepared!.train!.tokens} tokens, 0 truncated at max length, 0 dropped.`,
    );

    const after = await preflightTraining(s.ctx, input);
    expect(after).toMatchObject({ tokenSource: "exact", exactTokens: { runId, datasetVersion: 1, baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" } });
    expect(after.totalTokens).toBe(run.prepared!.train!.tokens);
    expect(after.reasons.join("\n")).not.toMatch(/estimates \(cl100k/);
    // Packing changes how sequences are cut, not how many tokens there are.
    const packed = await preflightTraining(s.ctx, { ...input, overrides: { packing: false } });
    expect(packed).toMatchObject({ tokenSource: "exact", totalTokens: run.prepared!.train!.tokens });

    // Once an example changes, the counts describe another dataset: back to estimates.
    const example = await db.datasetExample.findFirstOrThrow({ where: { projectId: s.team.project.id, split: "train", naturalKey: "t:1" } });
    const edited = { instruction: "Question one, rephrased?", input: "", output: "Answer number 1." };
    await db.datasetExample.update({ where: { id: example.id }, data: { data: edited, contentHash: contentHash(edited) } });
    expect(await findExactTokenCounts(s.team.project.id, "Qwen/Qwen2.5-0.5B-Instruct")).toBeNull();
    expect((await preflightTraining(s.ctx, input)).tokenSource).toBe("estimate");
  }, 90_000);

  it("refuses to launch on a runner whose last check found no GPU unless the run allows the CPU, which the runner is told", async () => {
    const s = await setup();
    const check = (gpus: Array<Record<string, string | number>>) => ({
      gpus,
      python: { path: "/usr/bin/python3", version: "3.11.2" },
      diskFreeGb: 100,
      workDir: "/tmp",
      warnings: [],
    });
    await db.runner.update({ where: { id: s.runnerId }, data: { lastCheck: check([]), lastCheckedAt: new Date() } });
    const input = { runnerId: s.runnerId, presetId: "builtin:lora-quick" };
    const preflight = await preflightTraining(s.ctx, input);
    expect(preflight).toMatchObject({ runnerGpu: "none", blocker: expect.stringMatching(/^No NVIDIA GPU on loopback: its last check found none\./) });
    await expect(startTraining(s.ctx, input)).rejects.toThrow(/No NVIDIA GPU on loopback/);
    expect(await db.run.count({ where: { projectId: s.team.project.id, runnerId: s.runnerId } })).toBe(0);

    expect((await preflightTraining(s.ctx, { ...input, allowCpu: true })).blocker).toBeNull();
    const { runId } = await startTraining(s.ctx, { ...input, allowCpu: true });
    const cpuRun = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(runnerConfig(cpuRun, true)).toMatchObject({ allow_cpu: true, gradient_checkpointing: true });
    await cancelJob(s.ctx, cpuRun.jobId, findJobDefinition);

    // With a roomy GPU and a looked-up model, the preflight turns gradient checkpointing off; the user can still turn it on.
    await db.project.update({ where: { id: s.team.project.id }, data: { modelInfo: recordedModelInfo("Qwen/Qwen2.5-0.5B-Instruct") as object } });
    await db.runner.update({
      where: { id: s.runnerId },
      data: { lastCheck: check([{ name: "NVIDIA H100 80GB HBM3", memoryTotalMb: 81_559, memoryFreeMb: 80_000, driver: "550.54.15", cuda: "12.4" }]) },
    });
    const roomy = await preflightTraining(s.ctx, input);
    expect(roomy).toMatchObject({ runnerGpu: "present", blocker: null, verdict: "ok", gradientCheckpointing: false, gradientCheckpointingAuto: true });
    const gpuRun = await db.run.findUniqueOrThrow({ where: { id: (await startTraining(s.ctx, input)).runId } });
    expect(gpuRun.hyperparams).toMatchObject({ gradient_checkpointing: false });
    expect(gpuRun.parameters).toMatchObject({ preflight: { gradientCheckpointing: "auto" } });
    const config = runnerConfig(gpuRun, true);
    expect(config.gradient_checkpointing).toBe(false);
    expect(config).not.toHaveProperty("allow_cpu");
    await cancelJob(s.ctx, gpuRun.jobId, findJobDefinition);
    const forced = await preflightTraining(s.ctx, { ...input, overrides: { gradient_checkpointing: true } });
    expect(forced).toMatchObject({ gradientCheckpointing: true, gradientCheckpointingAuto: false });
  });

  it("refuses to launch when the eval split leaks from train above the project's limit, unless given a reason, which the run keeps", async () => {
    const s = await setup();
    const input = { runnerId: s.runnerId, presetId: "builtin:lora-quick" };
    expect((await preflightTraining(s.ctx, input)).leakage).toMatchObject({ leaked: 0, over: false });
    // Three eval examples that repeat train examples nearly word for word.
    const passage = (i: number) => `The warranty on model ${i} covers parts and labour for two full years from the date of delivery to the customer.`;
    await db.datasetExample.createMany({
      data: [0, 1, 2].flatMap((i) => [
        {
          projectId: s.team.project.id,
          naturalKey: `leak-train:${i}`,
          split: "train" as const,
          data: { instruction: `What does the warranty on model ${i} cover?`, input: "", output: passage(i) },
          tokenCount: 30,
        },
        {
          projectId: s.team.project.id,
          naturalKey: `leak-eval:${i}`,
          split: "eval" as const,
          data: { instruction: `Model ${i}: what is covered?`, input: "", output: passage(i) },
          tokenCount: 30,
        },
      ]),
    });
    const preflight = await preflightTraining(s.ctx, input);
    expect(preflight.leakage).toMatchObject({ eval: 7, leaked: 3, over: true, limit: 0.1 });
    await expect(startTraining(s.ctx, input)).rejects.toThrow(
      /^3 of 7 eval examples \(43 %\) are mostly in the train split, above the project's limit of 10 %/,
    );
    await expect(startTraining(s.ctx, { ...input, leakageOverride: "ok" })).rejects.toThrow(/eval examples/);
    expect(await db.run.count({ where: { projectId: s.team.project.id, runnerId: s.runnerId } })).toBe(0);

    const { runId } = await startTraining(s.ctx, { ...input, leakageOverride: "Eval checks phrasing, not recall." });
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.parameters).toMatchObject({ leakage: { eval: 7, leaked: 3, limit: 0.1, override: "Eval checks phrasing, not recall." } });
    await cancelJob(s.ctx, run.jobId, findJobDefinition);
    // A higher limit in the project's settings lets it through without a reason.
    await db.project.update({ where: { id: s.team.project.id }, data: { config: { max_eval_leakage: 0.5 } } });
    expect((await preflightTraining(s.ctx, input)).leakage.over).toBe(false);
  });

  it("refuses to launch on a runner whose host key nobody confirmed", async () => {
    const s = await setup();
    await db.runner.update({ where: { id: s.runnerId }, data: { hostKeyFingerprint: null } });
    await expect(startTraining(s.ctx, { runnerId: s.runnerId, presetId: "builtin:lora-quick" })).rejects.toThrow(/Confirm the host key/);
    expect(await db.run.count({ where: { projectId: s.team.project.id, runnerId: s.runnerId } })).toBe(0);
  });
});

describe("setting up Python on the box", () => {
  let index: string;
  const sentence = "The runner's Python packages could not be installed on loopback: ftf-probe 3.0 is not in this box's package index; available: 1.0, 2.0.";

  beforeAll(async () => {
    index = await buildPackageIndex(fs.mkdtempSync(path.join(os.tmpdir(), "ftf-index-")), [
      { name: "ftf-probe", version: "1.0" },
      { name: "ftf-probe", version: "2.0" },
    ]);
  });

  /** The stand-in trainer with requirement files of the test's choosing, for RUNNER_PROGRAM_DIR. */
  function programWith(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-program-"));
    fs.cpSync(path.join(FAKE_RUNNER, "ftf_runner"), path.join(dir, "ftf_runner"), { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }

  it("installs from the runner's package index: the tested versions, or the ranges where the index lacks them", async () => {
    const s = await setup({ pythonPath: "", packageIndexUrl: index });
    startWorker({ RUNNER_PROGRAM_DIR: programWith({ "requirements.txt": "ftf-probe>=1,<3\n", "constraints.txt": "ftf-probe==1.5\n" }) });
    const { jobId } = await launch(s, { steps: 3 });
    await waitForJob(jobId, ["success"], 120_000);
    const { workDir } = await db.runner.findUniqueOrThrow({ where: { id: s.runnerId } });
    const sitePackages = path.join(workDir, "venv", "lib", fs.readdirSync(path.join(workDir, "venv", "lib"))[0], "site-packages");
    expect(fs.readFileSync(path.join(sitePackages, "ftf_probe", "__init__.py"), "utf8")).toContain('"2.0"');
  }, 120_000);

  it("a failed install fails the run with the blocker in one sentence, pip's whole log as the detail", async () => {
    const s = await setup({ pythonPath: "", packageIndexUrl: index });
    const program = programWith({ "requirements.txt": "ftf-probe==3.0\n" });
    startWorker({ RUNNER_PROGRAM_DIR: program });
    const { runId, jobId } = await launch(s, { steps: 3 });
    expect((await waitForJob(jobId, ["failed"], 120_000)).errorMessage).toBe(sentence);
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).errorMessage).toBe(sentence);

    // The same set-up, called here: the error carries pip's output for the run page's log toggle.
    const runner = await db.runner.findUniqueOrThrow({ where: { id: s.runnerId } });
    const remote = new RemoteProcess({ signal: new AbortController().signal, log: () => {} }, runner, "", { events: EVENTS_FILE, stderr: STDERR_FILE }, 0);
    process.env.RUNNER_PROGRAM_DIR = program;
    resetEnvCache();
    try {
      await remote.connect();
      const error = await ensurePython(remote, runner, runner.workDir, async () => {}, { qlora: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonRetryableError);
      expect((error as NonRetryableError).message).toBe(sentence);
      expect((error as NonRetryableError).detail).toMatch(new RegExp(`Looking in indexes: ${index}`));
      expect((error as NonRetryableError).detail).toMatch(/No matching distribution found for ftf-probe==3\.0/);
    } finally {
      await remote.conn?.close();
      delete process.env.RUNNER_PROGRAM_DIR;
      resetEnvCache();
    }
  }, 120_000);
});
