// Training runs as the Train step sees them: what a run will cost (preflight), starting one
// (Run row + train job in one transaction), and reading runs and their curves back. Every
// query carries the caller's project and workspace.
import crypto from "node:crypto";
import type { FinetuneMethod, Prisma } from "@prisma/client";
import { z } from "zod";
import { isUuid, type ProjectContext } from "@/lib/access/guard";
import type { ModelInfo } from "@/lib/base-models/info";
import { type Leakage, projectLeakage } from "@/lib/datasets/leakage";
import { db } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { readProjectConfig } from "@/lib/projects/config";
import type { RunHardware } from "@/lib/runner-program/events";
import { assertMayUseLocalRunner, loadRunnerRecord, type RunnerCheck } from "@/lib/runners";
import { estimateTraining, type TrainingEstimate } from "./preflight";
import { type PreparedCounts, readPrepared } from "./prepared";
import { findPreset, type Hyperparams, hyperparamOverridesSchema, hyperparamsSchema } from "./presets";
import { type ExactTokenCounts, findExactTokenCounts } from "./token-counts";
import { trainJob } from "./train-job";

export const startTrainingSchema = z.object({
  runnerId: z.uuid({ error: "Choose a runner." }),
  presetId: z.string().min(1, "Choose a preset."),
  method: z.enum(["lora", "qlora"]).optional(),
  overrides: hyperparamOverridesSchema.default({}),
  name: z.string().trim().max(200).optional(),
  /** Launch although the preflight says it will not fit. */
  force: z.boolean().default(false),
  /** Train on the CPU where the runner has no GPU (tiny models, tests); the runner refuses otherwise. */
  allowCpu: z.boolean().default(false),
  /** Why to launch although the eval split leaks from train above the project's limit; kept on the run. */
  leakageOverride: z.string().trim().max(500).optional(),
});
export type StartTrainingInput = z.input<typeof startTrainingSchema>;

export type Preflight = TrainingEstimate & {
  /** As the run will get them: gradient checkpointing decided. */
  hyperparams: Hyperparams;
  method: FinetuneMethod;
  numTrainExamples: number;
  numEvalExamples: number;
  runnerFreeVramMb: number | null;
  /** From the runner's last check: "none" when it found no NVIDIA GPU. */
  runnerGpu: "present" | "none" | "unchecked";
  /** Why Launch is refused as things stand (one line), or null. */
  blocker: string | null;
  baseModelId: string | null;
  modelInfoMissing: boolean;
  /** The runner's exact counts for this dataset and base model, once a run has measured them. */
  exactTokens: ExactTokenCounts | null;
  /** Eval examples whose text is mostly in train, against the project's limit. */
  leakage: Leakage & { limit: number; over: boolean };
};

async function loadProject(ctx: ProjectContext) {
  return db.project.findFirstOrThrow({
    where: { id: ctx.projectId, workspaceId: ctx.workspace.id },
    select: { id: true, baseModelId: true, modelInfo: true, name: true, config: true },
  });
}

/** Valid (not rejected, not duplicate) examples per split with their token totals — what a version would freeze. */
async function datasetTotals(projectId: string) {
  const rows = await db.$queryRaw<{ split: string; n: bigint; tokens: bigint | null }[]>`
    SELECT split::text AS split, count(*) AS n, sum(token_count) AS tokens
    FROM dataset_examples
    WHERE project_id = ${projectId}::uuid AND is_valid AND review_status <> 'rejected' AND NOT is_duplicate AND split IN ('train', 'eval')
    GROUP BY split`;
  const of = (split: string) => rows.find((r) => r.split === split);
  return {
    train: Number(of("train")?.n ?? 0),
    eval: Number(of("eval")?.n ?? 0),
    trainTokens: Number(of("train")?.tokens ?? 0),
  };
}

/** Tokens per second measured by earlier finished runs on this runner (newest five). */
async function measuredThroughput(runnerId: string, baseModelId: string | null): Promise<number | undefined> {
  const runs = await db.run.findMany({
    where: { runnerId, status: "success", ...(baseModelId ? { baseModelId } : {}) },
    orderBy: { finishedAt: "desc" },
    take: 5,
    select: { metrics: true },
  });
  const rates = runs.map((r) => (r.metrics as Record<string, unknown> | null)?.tokens_per_second).filter((v): v is number => typeof v === "number" && v > 0);
  return rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : undefined;
}

function freeVramMb(check: RunnerCheck | null): number | null {
  if (!check || check.gpus.length === 0) return null;
  // One process trains on one GPU: the roomiest one counts.
  return Math.max(...check.gpus.map((g) => g.memoryFreeMb));
}

function gpuState(check: RunnerCheck | null): Preflight["runnerGpu"] {
  return !check ? "unchecked" : check.gpus.length > 0 ? "present" : "none";
}

/** The exact figures replace the estimates; sequences only where the runner built them with these settings. */
function tokenFigures(exact: ExactTokenCounts | null, totals: Awaited<ReturnType<typeof datasetTotals>>, hyperparams: Hyperparams) {
  if (!exact?.train) return { numTrainExamples: totals.train, totalTrainTokens: totals.trainTokens, tokenSource: "estimate" as const };
  const sameShape = exact.max_seq_length === hyperparams.max_seq_length && exact.packing === hyperparams.packing;
  return {
    numTrainExamples: exact.train.examples - exact.train.dropped,
    totalTrainTokens: exact.train.tokens,
    trainSequences: sameShape ? exact.train.sequences : null,
    tokenSource: "exact" as const,
  };
}

export async function preflightTraining(ctx: ProjectContext, input: StartTrainingInput): Promise<Preflight> {
  const fields = startTrainingSchema.parse(input);
  const project = await loadProject(ctx);
  const runner = await loadRunnerRecord(ctx.workspace.id, fields.runnerId);
  const preset = await findPreset(ctx.workspace.id, fields.presetId);
  const hyperparams = hyperparamsSchema.parse({ ...preset.config, ...fields.overrides });
  const method = fields.method ?? preset.method;
  const totals = await datasetTotals(project.id);
  const check = runner.lastCheck as RunnerCheck | null;
  const free = freeVramMb(check);
  const runnerGpu = gpuState(check);
  const modelInfo = (project.modelInfo as ModelInfo | null) ?? null;
  const exactTokens = await findExactTokenCounts(project.id, project.baseModelId);
  const limit = readProjectConfig(project.config).max_eval_leakage;
  const leakage = await projectLeakage(project.id);
  const estimate = estimateTraining({
    modelInfo,
    method,
    lora_r: hyperparams.lora_r,
    target_modules: hyperparams.target_modules,
    max_seq_length: hyperparams.max_seq_length,
    per_device_batch_size: hyperparams.per_device_batch_size,
    gradient_accumulation_steps: hyperparams.gradient_accumulation_steps,
    num_epochs: hyperparams.num_epochs,
    max_steps: hyperparams.max_steps,
    packing: hyperparams.packing,
    gradient_checkpointing: hyperparams.gradient_checkpointing,
    ...tokenFigures(exactTokens, totals, hyperparams),
    runnerFreeVramMb: free ?? undefined,
    runnerHasGpu: runnerGpu === "unchecked" ? null : runnerGpu === "present",
    measuredTokensPerSecond: await measuredThroughput(runner.id, project.baseModelId),
  });
  const noGpu = `No NVIDIA GPU on ${runner.name}: its last check found none. Choose a runner with a GPU, or allow the CPU for a tiny model or a test.`;
  return {
    ...estimate,
    hyperparams: { ...hyperparams, gradient_checkpointing: estimate.gradientCheckpointing },
    method,
    numTrainExamples: totals.train,
    numEvalExamples: totals.eval,
    runnerFreeVramMb: free,
    runnerGpu,
    blocker: runnerGpu === "none" && !fields.allowCpu ? noGpu : null,
    baseModelId: project.baseModelId,
    modelInfoMissing: !modelInfo,
    exactTokens,
    leakage: { ...leakage, limit, over: leakage.share > limit },
  };
}

/** The refusal for a leaky eval split, in words. */
export function leakageMessage(leakage: Preflight["leakage"]): string {
  const pct = (n: number) => `${Math.round(n * 100)} %`;
  return `${leakage.leaked} of ${leakage.eval} eval examples (${pct(leakage.share)}) are mostly in the train split, above the project's limit of ${pct(leakage.limit)}: the eval loss would measure memory. Re-split stratified by source file, remove the near-copies, or give a reason to launch anyway.`;
}

/** Creates the Run and its train job together; refuses what cannot work, with the reason. */
export async function startTraining(ctx: ProjectContext, input: StartTrainingInput): Promise<{ runId: string; jobId: string }> {
  const fields = startTrainingSchema.parse(input);
  // The runner first: another workspace's id is not found, whatever else is wrong.
  const runner = await loadRunnerRecord(ctx.workspace.id, fields.runnerId);
  const project = await loadProject(ctx);
  if (!project.baseModelId) throw invalidInput("Set the project's base model first (project settings), e.g. Qwen/Qwen2.5-0.5B-Instruct.");
  if (runner.kind === "ssh" && !runner.hostKeyFingerprint) {
    throw invalidInput(`Confirm the host key of runner "${runner.name}" in workspace settings first.`, { runnerId: "Its host key is not confirmed yet." });
  }
  if (runner.kind === "local") await assertMayUseLocalRunner(ctx, runner.pythonPath);
  const preflight = await preflightTraining(ctx, fields);
  if (preflight.numTrainExamples === 0) throw invalidInput("There are no valid train examples yet. Generate or import some, then review them.");
  if (preflight.blocker) throw invalidInput(preflight.blocker, { allowCpu: "This runner has no GPU." });
  if (preflight.verdict === "too_big" && !fields.force) {
    throw invalidInput(`This run will not fit on ${runner.name}. ${preflight.reasons.join(" ")}`);
  }
  const override = fields.leakageOverride?.trim();
  if (preflight.leakage.over && (!override || override.length < 10)) {
    throw invalidInput(leakageMessage(preflight.leakage), { leakageOverride: "Say why (at least 10 characters) to launch anyway." });
  }
  const preset = await findPreset(ctx.workspace.id, fields.presetId);
  const count = await db.run.count({ where: { projectId: project.id } });
  const runId = crypto.randomUUID();
  return db.$transaction(async (tx) => {
    const job = await enqueueJob(ctx, trainJob, { runId }, { tx });
    await tx.run.create({
      data: {
        id: runId,
        projectId: project.id,
        jobId: job.id,
        name: fields.name || `run-${count + 1}`,
        method: preflight.method,
        status: "queued",
        hyperparams: preflight.hyperparams,
        baseModelId: project.baseModelId,
        runnerId: runner.id,
        presetId: preset.builtIn ? null : preset.id,
        createdById: ctx.actor.id,
        parameters: {
          base_model: project.baseModelId,
          method: preflight.method,
          preset: { id: preset.id, name: preset.name },
          runner: { id: runner.id, name: runner.name },
          hyperparams: preflight.hyperparams,
          ...(fields.allowCpu ? { allow_cpu: true } : {}),
          leakage: {
            eval: preflight.leakage.eval,
            leaked: preflight.leakage.leaked,
            share: preflight.leakage.share,
            limit: preflight.leakage.limit,
            ...(preflight.leakage.over ? { override } : {}),
          },
          preflight: {
            totalGb: preflight.totalGb,
            steps: preflight.steps,
            durationSeconds: preflight.durationSeconds,
            verdict: preflight.verdict,
            gradientCheckpointing: preflight.gradientCheckpointingAuto ? "auto" : "user",
            tokenSource: preflight.tokenSource,
          },
        } as Prisma.InputJsonValue,
      },
    });
    // The Train step opens with this launch's choices next time (seed 001: the last-used configuration).
    const last: LastTraining = { runnerId: runner.id, presetId: preset.id, method: preflight.method, overrides: fields.overrides };
    await tx.$executeRaw`UPDATE projects SET config = jsonb_set(config, '{last_training}', ${JSON.stringify(last)}::jsonb) WHERE id = ${project.id}::uuid`;
    return { runId, jobId: job.id };
  });
}

/** What the last launch in a project chose, to start the Train form from. */
export type LastTraining = { runnerId: string; presetId: string; method: FinetuneMethod; overrides: Record<string, unknown> };

export function readLastTraining(config: unknown): LastTraining | null {
  const last = (config as { last_training?: Partial<LastTraining> } | null)?.last_training;
  if (!last || typeof last.runnerId !== "string" || typeof last.presetId !== "string") return null;
  return {
    runnerId: last.runnerId,
    presetId: last.presetId,
    method: last.method === "qlora" ? "qlora" : "lora",
    overrides: last.overrides && typeof last.overrides === "object" ? last.overrides : {},
  };
}

export type RunSummary = {
  id: string;
  name: string;
  method: FinetuneMethod;
  status: string;
  jobId: string;
  baseModelId: string | null;
  runnerName: string | null;
  datasetVersion: number | null;
  hyperparams: Hyperparams;
  metrics: Record<string, unknown>;
  progress: { step?: number; totalSteps?: number; loss?: number; evalLoss?: number };
  /** The one-line cause of a failure, and the log behind it. */
  errorMessage: string | null;
  errorDetail: string | null;
  /** Exact token counts from the runner's prepare step. */
  prepared: PreparedCounts | null;
  /** The MFU formula's inputs as the runner reported them (FLOPs per token; the GPU's peak bf16 FLOP/s, null when unknown). */
  throughput: { flopsPerToken: number | null; peakFlops: number | null; gpu: string | null };
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  peakGpuMemoryMb: number | null;
  /** Peak resident memory of the runner process (seed 003's peak_cpu_memory). */
  peakCpuMemoryMb: number | null;
  description: string | null;
  tags: string[];
  presetName: string | null;
  /** Who launched it (null: a deleted account, or the system). */
  createdBy: string | null;
  /** The runner's hardware as it reported at the start: Python and library versions, GPUs. */
  hardware: {
    python: string | null;
    torch: string | null;
    transformers: string | null;
    peft: string | null;
    gpus: Array<{ name: string; memoryMb: number | null }>;
  };
  createdAt: string;
};

const summarySelect = {
  id: true,
  name: true,
  method: true,
  status: true,
  jobId: true,
  baseModelId: true,
  hyperparams: true,
  metrics: true,
  result: true,
  errorMessage: true,
  errorDetail: true,
  prepared: true,
  hardwareInfo: true,
  startedAt: true,
  finishedAt: true,
  durationSeconds: true,
  peakGpuMemoryMb: true,
  peakCpuMemoryMb: true,
  description: true,
  tags: true,
  createdAt: true,
  preset: { select: { name: true } },
  parameters: true,
  createdBy: { select: { name: true, email: true } },
  runner: { select: { name: true } },
  datasetVersion: { select: { version: true } },
} satisfies Prisma.RunSelect;

function throughputOf(hardware: unknown): RunSummary["throughput"] {
  const h = (hardware ?? {}) as RunHardware & { gpus?: Array<{ name?: unknown }> };
  const positive = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null);
  const gpu = Array.isArray(h.gpus) && typeof h.gpus[0]?.name === "string" ? h.gpus[0].name : null;
  return { flopsPerToken: positive(h.flops_per_token), peakFlops: positive(h.peak_flops), gpu };
}

function hardwareOf(info: unknown): RunSummary["hardware"] {
  const h = (info ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" && v ? v : null);
  const gpus = Array.isArray(h.gpus)
    ? (h.gpus as Array<Record<string, unknown>>).map((g) => ({
        name: text(g.name) ?? "GPU",
        memoryMb: typeof g.memory_total_mb === "number" ? g.memory_total_mb : null,
      }))
    : [];
  return { python: text(h.python), torch: text(h.torch), transformers: text(h.transformers), peft: text(h.peft), gpus };
}

function toSummary(row: Prisma.RunGetPayload<{ select: typeof summarySelect }>): RunSummary {
  const parsed = hyperparamsSchema.safeParse(row.hyperparams);
  return {
    id: row.id,
    name: row.name,
    method: row.method,
    status: row.status,
    jobId: row.jobId,
    baseModelId: row.baseModelId,
    runnerName: row.runner?.name ?? null,
    datasetVersion: row.datasetVersion?.version ?? null,
    hyperparams: parsed.success ? parsed.data : hyperparamsSchema.parse({}),
    metrics: (row.metrics as Record<string, unknown> | null) ?? {},
    progress: (row.result as RunSummary["progress"] | null) ?? {},
    errorMessage: row.errorMessage,
    errorDetail: row.errorDetail,
    prepared: readPrepared(row.prepared),
    throughput: throughputOf(row.hardwareInfo),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationSeconds: row.durationSeconds,
    peakGpuMemoryMb: row.peakGpuMemoryMb,
    peakCpuMemoryMb: row.peakCpuMemoryMb,
    description: row.description,
    tags: row.tags,
    presetName: row.preset?.name ?? ((row.parameters as { preset?: { name?: unknown } } | null)?.preset?.name as string | undefined) ?? null,
    createdBy: row.createdBy ? row.createdBy.name || row.createdBy.email : null,
    hardware: hardwareOf(row.hardwareInfo),
    createdAt: row.createdAt.toISOString(),
  };
}

export const runFilterSchema = z.object({
  status: z.enum(["queued", "running", "success", "failed", "retrying", "cancelled"]).optional(),
  baseModel: z.string().trim().max(255).optional(),
  /** A saved preset's id, or a built-in one's ("builtin:lora-quick"). */
  presetId: z.string().trim().max(100).optional(),
  tag: z.string().trim().max(40).optional(),
  /** Started on or after / before this day (YYYY-MM-DD, the server's calendar). */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});
export type RunFilter = z.infer<typeof runFilterSchema>;

export async function listRuns(ctx: ProjectContext, filter: RunFilter = {}): Promise<RunSummary[]> {
  const created = {
    ...(filter.from ? { gte: new Date(`${filter.from}T00:00:00`) } : {}),
    ...(filter.to ? { lt: new Date(new Date(`${filter.to}T00:00:00`).getTime() + 86_400_000) } : {}),
  };
  const rows = await db.run.findMany({
    where: {
      projectId: ctx.projectId,
      project: { workspaceId: ctx.workspace.id },
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.baseModel ? { baseModelId: filter.baseModel } : {}),
      ...(filter.presetId
        ? { OR: [...(isUuid(filter.presetId) ? [{ presetId: filter.presetId }] : []), { parameters: { path: ["preset", "id"], equals: filter.presetId } }] }
        : {}),
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      ...(filter.from || filter.to ? { createdAt: created } : {}),
    },
    orderBy: { createdAt: "desc" },
    select: summarySelect,
  });
  return rows.map(toSummary);
}

export async function getRun(ctx: ProjectContext, runId: string): Promise<RunSummary> {
  const row = isUuid(runId)
    ? await db.run.findFirst({ where: { id: runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } }, select: summarySelect })
    : null;
  if (!row) throw notFound("Run");
  return toSummary(row);
}

export type MetricPoint = { step: number; name: string; value: number };

/** A run's curves, optionally only the points after `afterStep` (live charts fetch increments). */
export async function runMetrics(ctx: ProjectContext, runId: string, afterStep = -1): Promise<MetricPoint[]> {
  await getRun(ctx, runId);
  const rows = await db.runMetric.findMany({
    where: {
      runId,
      step: { gt: afterStep },
      name: { in: ["train_loss", "eval_loss", "learning_rate", "tokens_per_second", "mfu", "gpu_memory_mb", "perplexity"] },
    },
    orderBy: [{ step: "asc" }, { name: "asc" }],
    select: { step: true, name: true, value: true },
  });
  return rows;
}

export type RunFile = { id: string; filename: string; kind: string; sizeBytes: number; sha256: string | null };

export async function runFiles(ctx: ProjectContext, runId: string): Promise<RunFile[]> {
  await getRun(ctx, runId);
  const rows = await db.file.findMany({ where: { runId, projectId: ctx.projectId }, orderBy: [{ kind: "asc" }, { filename: "asc" }] });
  return rows.map((f) => ({ id: f.id, filename: f.filename, kind: f.kind, sizeBytes: Number(f.sizeBytes), sha256: f.sha256 }));
}
