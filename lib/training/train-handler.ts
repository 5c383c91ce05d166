import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Prisma, Run } from "@prisma/client";
import { freezeDatasetVersion } from "@/lib/datasets/versions";
import { db } from "@/lib/db/client";
import { readGenerationSettings } from "@/lib/generation/settings";
import { type JobContext, type JobFailure, NonRetryableError } from "@/lib/jobs/definition";
import { EVENTS_FILE, runDir, STDERR_FILE, STDOUT_FILE, signalCommand } from "@/lib/runner-program/commands";
import { metricRows, type ParsedChunk, type RunnerEvent } from "@/lib/runner-program/events";
import { connectRemote, startRemote, uploadProgram } from "@/lib/runner-program/launch";
import { ensurePython } from "@/lib/runner-program/python-env";
import { RemoteProcess } from "@/lib/runner-program/remote-process";
import { fetchArtifact, fetchArtifactChecked, mimeOf } from "@/lib/runner-program/run-files";
import { openRunner } from "@/lib/runners";
import { getStorage } from "@/lib/storage";
import { runArtifactKey } from "@/lib/storage/keys";
import { describePrepared, type PreparedCounts, readPrepared } from "./prepared";
import { hyperparamsSchema } from "./presets";

export type TrainPayload = { runId: string };

/** What the job keeps on the Run row's `result` while it runs. */
type Progress = { totalSteps?: number; step?: number; loss?: number; evalLoss?: number; checkpoint?: string };

/** Applies a chunk of training events to the Run: curves, progress, hardware. */
class TrainProgress {
  progress: Progress;
  prepared: PreparedCounts | null;

  constructor(
    readonly ctx: JobContext<TrainPayload>,
    readonly run: Run,
  ) {
    this.progress = (run.result as Progress | null) ?? {};
    this.prepared = readPrepared(run.prepared);
  }

  async record(chunk: ParsedChunk, offsetAfter: number): Promise<void> {
    const metrics: Prisma.RunMetricCreateManyInput[] = [];
    const data: Prisma.RunUpdateInput = {};
    for (const event of chunk.events) {
      for (const row of metricRows(event)) metrics.push({ runId: this.run.id, ...row });
      this.apply(event, data);
    }
    await db.$transaction([
      ...(metrics.length ? [db.runMetric.createMany({ data: metrics, skipDuplicates: true })] : []),
      db.run.update({ where: { id: this.run.id }, data: { ...data, eventsOffset: BigInt(offsetAfter), result: this.progress as Prisma.InputJsonValue } }),
    ]);
    await this.report();
  }

  apply(event: RunnerEvent, data: Prisma.RunUpdateInput): void {
    switch (event.type) {
      case "start":
        this.progress.totalSteps = event.total_steps;
        if (event.hardware) data.hardwareInfo = event.hardware as Prisma.InputJsonValue;
        this.ctx.log(
          "info",
          event.resumed_from_step ? `Resumed from the checkpoint at step ${event.resumed_from_step}.` : `Training started: ${event.total_steps} steps.`,
        );
        return;
      case "log":
        this.ctx.log(event.level, event.message);
        return;
      case "prepared": {
        const { max_seq_length, packing } = hyperparamsSchema.parse(this.run.hyperparams);
        const { type: _type, time: _time, split, ...counts } = event;
        this.prepared = { ...(this.prepared ?? { max_seq_length, packing }), [split]: counts };
        data.prepared = this.prepared as Prisma.InputJsonValue;
        this.ctx.log("info", `Tokenized the ${split} split with the base model's tokenizer: ${describePrepared(counts, packing && split === "train")}.`);
        return;
      }
      case "metric":
        this.progress.step = event.step;
        if (event.loss != null) this.progress.loss = event.loss;
        return;
      case "eval":
        if (event.eval_loss == null) return;
        this.progress.evalLoss = event.eval_loss;
        this.ctx.log(
          "info",
          `Eval at step ${event.step}: loss ${event.eval_loss.toFixed(4)}${event.perplexity ? `, perplexity ${event.perplexity.toFixed(2)}` : ""}.`,
        );
        return;
      case "checkpoint":
        this.progress.checkpoint = event.path;
        this.ctx.log("info", `Checkpoint saved at step ${event.step}.`);
        return;
      case "error":
        this.ctx.log("error", `The runner reported: ${event.message}`);
        return;
      default:
        return;
    }
  }

  async report(message?: string): Promise<void> {
    const { step, totalSteps, loss } = this.progress;
    await this.ctx.progress({
      done: step ?? 0,
      total: totalSteps || undefined,
      message:
        message ??
        (step !== undefined
          ? `Step ${step}${totalSteps ? ` of ${totalSteps}` : ""}${loss !== undefined ? ` · loss ${loss.toFixed(4)}` : ""}`
          : "Waiting for the first step"),
      summary: { step: step ?? 0, totalSteps: totalSteps ?? null, loss: loss ?? null, evalLoss: this.progress.evalLoss ?? null },
    });
  }
}

/** What the runner reads as config.json (worker/runner/PROTOCOL.md: RunnerConfig). */
export function runnerConfig(run: Pick<Run, "id" | "method" | "hyperparams" | "baseModelId" | "parameters">, hasEval: boolean): Record<string, unknown> {
  const hyper = hyperparamsSchema.parse(run.hyperparams);
  const parameters = (run.parameters as Record<string, unknown> | null) ?? {};
  const extra = (parameters.runner_extra as Record<string, unknown> | undefined) ?? {};
  return {
    run_id: run.id,
    base_model: run.baseModelId,
    method: run.method,
    train_file: "data/train.jsonl",
    eval_file: hasEval ? "data/eval.jsonl" : null,
    output_dir: "output",
    ...hyper,
    // A run stores the preflight's decision; one made before there was a choice keeps memory first.
    gradient_checkpointing: hyper.gradient_checkpointing !== false,
    // Only when allowed: the runner refuses to train on the CPU otherwise.
    ...(parameters.allow_cpu === true ? { allow_cpu: true } : {}),
    ...extra,
  };
}

async function loadRun(runId: string) {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: { project: { select: { workspaceId: true, name: true, config: true } }, runner: true },
  });
  if (!run) throw new NonRetryableError("This run was deleted.");
  if (!run.runner) throw new NonRetryableError("The runner of this run was deleted. Start a new run on another runner.");
  return run;
}

/** Copies a storage object to a temp file (SFTP uploads from a path, streamed). */
async function storageToTemp(key: string, dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  await pipeline(await getStorage().get(key), fs.createWriteStream(file));
  return file;
}

/** Writes config, data and the runner program into the run directory, then starts it. */
async function launch(
  remote: RemoteProcess,
  tracker: TrainProgress,
  run: Awaited<ReturnType<typeof loadRun>>,
  versionPaths: { train: string; eval: string | null },
): Promise<number> {
  const runner = run.runner!;
  await tracker.report("Uploading the dataset and the runner program");
  const temp = await fsp.mkdtemp(path.join(os.tmpdir(), "ftf-run-"));
  try {
    const train = await storageToTemp(versionPaths.train, temp, "train.jsonl");
    await remote.withLink((conn) => conn.uploadFile(train, remote.path("data/train.jsonl")));
    if (versionPaths.eval) {
      const evalFile = await storageToTemp(versionPaths.eval, temp, "eval.jsonl");
      await remote.withLink((conn) => conn.uploadFile(evalFile, remote.path("data/eval.jsonl")));
    }
  } finally {
    await fsp.rm(temp, { recursive: true, force: true });
  }
  const config = runnerConfig(run, Boolean(versionPaths.eval));
  await remote.withLink((conn) => conn.writeFile(remote.path("config.json"), `${JSON.stringify(config, null, 2)}\n`));
  await uploadProgram(remote);
  const python = await ensurePython(remote, runner, path.posix.dirname(path.posix.dirname(remote.dir)), (m) => tracker.report(m), {
    qlora: run.method === "qlora",
  });
  await tracker.report("Starting the runner");
  const pid = await startRemote(remote, python, "train", "config.json", run.project.workspaceId);
  tracker.ctx.log("info", `Runner started on ${runner.name} (PID ${pid}) in ${remote.dir}.`);
  return pid;
}

async function collectArtifacts(
  remote: RemoteProcess,
  tracker: TrainProgress,
  run: Awaited<ReturnType<typeof loadRun>>,
  done: Extract<RunnerEvent, { type: "done" }>,
) {
  const { workspaceId } = run.project;
  const logs = [EVENTS_FILE, STDOUT_FILE, STDERR_FILE, "config.json"].map((p) => ({ path: p, kind: "log" as const }));
  const wanted = [...done.artifacts.map((a) => ({ ...a, kind: "artifact" as const })), ...logs];
  const have = new Set((await db.file.findMany({ where: { runId: run.id }, select: { filename: true } })).map((f) => f.filename));
  for (const [i, item] of wanted.entries()) {
    if (have.has(item.path)) continue;
    await tracker.report(`Downloading ${item.path} (${i + 1} of ${wanted.length})`);
    const key = runArtifactKey(workspaceId, run.projectId, run.id, item.path);
    const remotePath = remote.path(item.path);
    const expected = "sha256" in item ? { size: item.size, sha256: item.sha256 } : undefined;
    if (!expected && !(await remote.withLink((conn) => conn.stat(remotePath)))) continue;
    const got = expected ? await fetchArtifactChecked(remote, remotePath, key, expected) : await fetchArtifact(remote, remotePath, key);
    await db.file.create({
      data: {
        projectId: run.projectId,
        runId: run.id,
        kind: item.kind,
        filename: item.path,
        storagePath: key,
        sizeBytes: BigInt(got.size),
        sha256: got.sha256,
        mimeType: mimeOf(item.path),
      },
    });
  }
}

const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

export async function runTraining(ctx: JobContext<TrainPayload>): Promise<Record<string, unknown>> {
  let run = await loadRun(ctx.payload.runId);
  if (run.status === "success") return { runId: run.id, alreadyDone: true };
  const runner = run.runner!;

  if (!run.datasetVersionId) {
    await ctx.progress({ message: "Freezing the dataset version" });
    const version = await freezeDatasetVersion({
      workspaceId: run.project.workspaceId,
      projectId: run.projectId,
      actorId: run.createdById,
      reasoning: readGenerationSettings(run.project.config).train_with_reasoning,
    });
    if (version.numTrain === 0)
      throw new NonRetryableError("There are no valid train examples to train on. Generate or import examples, and approve or keep them valid in Review.");
    await db.run.update({
      where: { id: run.id },
      data: { datasetVersionId: version.id, numTrainExamples: version.numTrain, numEvalExamples: version.numEval },
    });
    ctx.log("info", `Training on dataset version ${version.version}: ${version.numTrain} train and ${version.numEval} eval examples.`);
    run = await loadRun(run.id);
  }
  const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: run.datasetVersionId! } });

  await ctx.progress({ message: `Connecting to ${runner.name}` });
  const remote = new RemoteProcess(ctx, runner, run.remoteDir ?? "", { events: EVENTS_FILE, stderr: STDERR_FILE }, Number(run.eventsOffset));
  await connectRemote(remote);
  remote.dir ||= runDir(await remote.conn.resolvePath(runner.workDir), run.id);
  const dir = remote.dir;
  const tracker = new TrainProgress(ctx, run);
  try {
    let pid = run.remotePid;
    const startedAt = run.startedAt ?? new Date();
    if (!pid) {
      if (remote.offset > 0) await remote.drain((chunk, offsetAfter) => tracker.record(chunk, offsetAfter));
      await db.run.update({ where: { id: run.id }, data: { remoteDir: dir, status: "running", startedAt, errorMessage: null, errorDetail: null } });
      pid = await launch(remote, tracker, run, { train: version.trainPath!, eval: version.numEval > 0 ? version.evalPath : null });
      await db.run.update({ where: { id: run.id }, data: { remotePid: pid } });
    } else {
      await db.run.update({ where: { id: run.id }, data: { status: "running", errorMessage: null, errorDetail: null } });
      ctx.log("info", `Re-attached to the runner on ${runner.name} (PID ${pid}) at byte ${remote.offset} of its events.`);
    }
    await tracker.report();

    const end = await remote.follow(pid, (chunk, offsetAfter) => tracker.record(chunk, offsetAfter));
    if (end.type === "error") throw new NonRetryableError(end.message, { detail: end.detail });
    if (end.type === "stopped") {
      // Retry starts the runner again, which resumes from its newest checkpoint.
      await db.run.update({ where: { id: run.id }, data: { remotePid: null } });
      if (ctx.signal.reason === "cancelled") throw ctx.signal.reason;
      throw new NonRetryableError("The runner was stopped on the box (SIGTERM). Retry to resume from its last checkpoint.");
    }

    await collectArtifacts(remote, tracker, run, end.event);
    const metrics = end.event.metrics;
    const finishedAt = new Date();
    const duration = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
    const peakGpu = num(metrics.peak_gpu_memory_mb);
    const peakCpu = num(metrics.peak_cpu_memory_mb);
    await db.run.update({
      where: { id: run.id },
      data: {
        status: "success",
        metrics: metrics as Prisma.InputJsonValue,
        result: { ...tracker.progress, metrics } as Prisma.InputJsonValue,
        finishedAt,
        durationSeconds: duration,
        executionTimeS: num(metrics.train_runtime_s) ?? duration,
        peakGpuMemoryMb: peakGpu !== undefined ? Math.round(peakGpu) : null,
        peakCpuMemoryMb: peakCpu !== undefined ? Math.round(peakCpu) : null,
        artifactsDir: runArtifactKey(run.project.workspaceId, run.projectId, run.id, "output"),
        remotePid: null,
        errorMessage: null,
        errorDetail: null,
      },
    });
    ctx.log("info", `Training finished in ${duration} s; adapter and logs saved.`);
    await afterTraining(run);
    return { runId: run.id, ...Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === "number")) };
  } finally {
    await remote.conn.close().catch(() => {});
  }
}

/** A finished run is evaluated right away (issue: eval runs automatically after training). */
async function afterTraining(run: Awaited<ReturnType<typeof loadRun>>): Promise<void> {
  const { queueEvaluation } = await import("@/lib/evaluation/queue");
  await queueEvaluation(run.projectId, run.id, run.createdById);
}

/** When the job gives up: the Run says why; a cancelled one also stops its process on the box. */
export async function settleRun(runId: string, outcome: "failed" | "cancelled", failure: JobFailure): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId }, include: { runner: true } });
  if (!run || run.status === "success") return;
  if (outcome === "cancelled" && run.remotePid && run.runner) {
    // The job was waiting (not held by a worker) while the box kept training: stop it here.
    try {
      const conn = await openRunner(run.runner);
      try {
        await conn.exec(signalCommand(run.remotePid, "TERM"));
      } finally {
        await conn.close();
      }
    } catch {
      // The box is unreachable; the run is marked cancelled all the same.
    }
  }
  await db.run.update({
    where: { id: runId },
    data: {
      status: outcome,
      errorMessage: outcome === "failed" ? failure.message : null,
      errorDetail: outcome === "failed" ? failure.detail : null,
      finishedAt: new Date(),
      remotePid: outcome === "cancelled" ? null : run.remotePid,
    },
  });
}
