// What a finished, evaluated run ships as: its adapter with tokenizer files, the training config
// and preset, the dataset version it trained on, metrics with a loss-curve image, the eval
// report, a model card, an Ollama Modelfile and a reproducibility manifest. The same pieces
// feed the ZIP bundle and the Hub push; big files are referenced by storage key and streamed.
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import type { Prisma } from "@prisma/client";
import type { ModelInfo } from "@/lib/base-models/info";
import { versionCard } from "@/lib/datasets/card";
import { db } from "@/lib/db/client";
import { conflict, notFound } from "@/lib/errors";
import { runTestSetResults } from "@/lib/evaluation/test-sets";
import { lossChartSvg } from "@/lib/exports/loss-chart";
import { type HyperparameterValue, modelCard } from "@/lib/exports/model-card";
import {
  chatTemplateFamily,
  MERGED_FROM,
  type OllamaVariant,
  ollamaBaseFor,
  ollamaHowTo,
  ollamaMergedHowTo,
  ollamaModelfile,
  ollamaVariant,
} from "@/lib/exports/modelfile";
import type { BundleEntry } from "@/lib/exports/zip";
import { getStorage, readToBuffer } from "@/lib/storage";
import { MERGED_PREFIX, mergedModelOf } from "./merged-model";

const runInclude = {
  project: { select: { name: true, workspaceId: true, modelInfo: true, taskType: true } },
  datasetVersion: true,
  runner: { select: { name: true } },
  files: true,
  evalSamples: { orderBy: { position: "asc" } },
} satisfies Prisma.RunInclude;
export type BundleRun = Prisma.RunGetPayload<{ include: typeof runInclude }>;

export type Evaluation = {
  eval_loss: number | null;
  perplexity: number | null;
  num_samples: number;
  rouge_l_base: number;
  rouge_l_tuned: number;
  exact_match_base: number;
  exact_match_tuned: number;
  wins: number;
  ties: number;
  losses: number;
  judge_score: number | null;
  evaluated_at: string;
};

export function evaluationOf(metrics: unknown): Evaluation | null {
  return ((metrics as Record<string, unknown> | null)?.evaluation as Evaluation | undefined) ?? null;
}

/** The run with all a bundle needs; refuses a run that is not finished or not evaluated. */
export async function loadBundleRun(projectId: string, runId: string): Promise<BundleRun> {
  const run = await db.run.findFirst({ where: { id: runId, projectId }, include: runInclude });
  if (!run) throw notFound("Run");
  if (run.status !== "success") throw conflict("Only a finished run can be exported.");
  if (!evaluationOf(run.metrics)) throw conflict("Evaluate this run first (Evaluate step): a bundle always ships with its evaluation.");
  if (!run.files.some((f) => f.kind === "artifact" && f.filename.endsWith("adapter_config.json"))) throw conflict("This run has no saved adapter.");
  return run;
}

const APP_VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

function packageVersions(hardware: unknown): Record<string, string> {
  const h = (hardware ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    ["python", "torch", "transformers", "peft", "cuda", "bitsandbytes"].flatMap((k) => (typeof h[k] === "string" ? [[k, h[k] as string]] : [])),
  );
}

/**
 * The chat template the adapter was trained with, from the tokenizer saved beside it:
 * chat_template.jinja (where transformers 5 writes it), else tokenizer_config.json's
 * chat_template (a string, or named templates: "default"). null: a tokenizer without a template
 * (the runner trained in Alpaca format); undefined: no tokenizer saved, so unknown.
 */
export async function tokenizerChatTemplate(run: Pick<BundleRun, "files">): Promise<string | null | undefined> {
  const read = async (suffix: string) => {
    const file = run.files.find((f) => f.filename.endsWith(suffix));
    return file ? (await readToBuffer(await getStorage().get(file.storagePath), 5_000_000)).toString("utf8") : undefined;
  };
  const jinja = await read("adapter/chat_template.jinja").catch(() => undefined);
  if (jinja?.trim()) return jinja;
  const config = await read("adapter/tokenizer_config.json").catch(() => undefined);
  if (config === undefined) return undefined;
  try {
    const template = (JSON.parse(config) as { chat_template?: unknown }).chat_template;
    if (typeof template === "string") return template;
    if (Array.isArray(template)) {
      const named = template as { name?: unknown; template?: unknown }[];
      const chosen = named.find((t) => t.name === "default") ?? named[0];
      if (typeof chosen?.template === "string") return chosen.template;
    }
    return null;
  } catch {
    return undefined;
  }
}

/** The end-of-sequence token of the tokenizer saved with the adapter (tokenizer_config.json), or null. */
export async function tokenizerEosToken(run: Pick<BundleRun, "files">): Promise<string | null> {
  const file = run.files.find((f) => f.filename.endsWith("adapter/tokenizer_config.json"));
  if (!file) return null;
  try {
    const config = JSON.parse((await readToBuffer(await getStorage().get(file.storagePath), 5_000_000)).toString("utf8")) as { eos_token?: unknown };
    const eos = config.eos_token;
    if (typeof eos === "string") return eos;
    if (eos && typeof eos === "object" && typeof (eos as { content?: unknown }).content === "string") return (eos as { content: string }).content;
    return null;
  } catch {
    return null;
  }
}

async function curves(runId: string) {
  const rows = await db.runMetric.findMany({
    where: { runId, name: { in: ["train_loss", "eval_loss", "learning_rate"] } },
    orderBy: [{ name: "asc" }, { step: "asc" }],
    select: { name: true, step: true, value: true, epoch: true },
  });
  return rows;
}

function hyperparamsOf(run: BundleRun): Record<string, HyperparameterValue> {
  return Object.fromEntries(
    Object.entries((run.hyperparams ?? {}) as Record<string, unknown>).filter(
      ([, v]) => v === null || ["string", "number", "boolean"].includes(typeof v) || Array.isArray(v),
    ),
  ) as Record<string, HyperparameterValue>;
}

export type RunDocuments = {
  readme: string;
  modelfile: string;
  ollama: string;
  manifest: Record<string, unknown>;
  repoName?: string;
  ollamaVariant: OllamaVariant;
};

/** The merged model's files (job `model_merge`), by their path inside the merged folder; none before a merge. */
export function mergedModelFiles(run: Pick<BundleRun, "files" | "metrics">) {
  if (!mergedModelOf(run.metrics)) return [];
  return run.files
    .filter((f) => f.kind === "artifact" && f.filename.startsWith(MERGED_PREFIX))
    .map((f) => ({ path: f.filename.slice(MERGED_PREFIX.length), storageKey: f.storagePath }));
}

/**
 * Model card, Modelfile, how-to and manifest of a run. A run with a merged model gets the merged
 * Modelfile (FROM ./model, no ADAPTER) unless `adapterOnly` (a Hub push, which carries the adapter).
 */
export async function runDocuments(run: BundleRun, options: { repoName?: string; datasetRepo?: string; adapterOnly?: boolean } = {}): Promise<RunDocuments> {
  const info = (run.project.modelInfo as ModelInfo | null) ?? null;
  const evaluation = evaluationOf(run.metrics)!;
  const version = run.datasetVersion!;
  const parameters = (run.parameters ?? {}) as { preset?: { name?: string } };
  const baseModel = run.baseModelId ?? "unknown";
  const readme = modelCard({
    repoName: options.repoName,
    baseModel,
    baseModelRevision: info?.revision ?? undefined,
    license: info?.license ?? undefined,
    datasets: options.datasetRepo ? [options.datasetRepo] : undefined,
    method: run.method,
    preset: parameters.preset?.name,
    hyperparams: hyperparamsOf(run),
    metrics: {
      eval_loss: evaluation.eval_loss,
      perplexity: evaluation.perplexity,
      rouge_l: evaluation.rouge_l_tuned,
      exact_match: run.project.taskType === "qa" ? evaluation.exact_match_tuned : null,
      judge_score: evaluation.judge_score,
    },
    datasetVersion: { version: version.version, contentHash: version.contentHash, numTrain: version.numTrain, numEval: version.numEval },
    projectName: run.project.name,
    createdAt: run.finishedAt ?? run.createdAt,
  });
  const merged = !options.adapterOnly && mergedModelFiles(run).some((f) => f.path.endsWith(".safetensors")) ? mergedModelOf(run.metrics) : null;
  const architecture = merged?.architectures[0] ?? info?.architecture ?? null;
  const variant = ollamaVariant(merged ? { architecture } : null);
  const chatTemplate = chatTemplateFamily({ tokenizerChatTemplate: await tokenizerChatTemplate(run), modelType: merged?.model_type ?? info?.model_type });
  const modelName = `${run.project.name}-${run.name}`;
  const eosToken = await tokenizerEosToken(run);
  let modelfile: string;
  let ollama: string;
  if (variant === "adapter") {
    const from = ollamaBaseFor(baseModel) ?? baseModel;
    modelfile = ollamaModelfile({ baseModel, chatTemplate, eosToken });
    ollama = `# Run in Ollama\n\n${ollamaHowTo({ modelName, baseModel, from })}\n`;
  } else {
    // The template the run trained with, written out: Ollama would otherwise guess one from the tokenizer.
    modelfile = ollamaModelfile({ baseModel, ollamaBase: MERGED_FROM[variant], adapterDir: null, chatTemplate, eosToken });
    ollama = `# Run in Ollama\n\n${ollamaMergedHowTo({ modelName, variant, architecture })}\n`;
  }
  const manifest = {
    format: "finetuneflow-bundle/1",
    app_version: APP_VERSION,
    run: { id: run.id, name: run.name, method: run.method, started_at: run.startedAt, finished_at: run.finishedAt, duration_seconds: run.durationSeconds },
    base_model: { id: baseModel, revision: info?.revision ?? null, license: info?.license ?? null, num_parameters: info?.num_parameters ?? null },
    dataset_version: {
      version: version.version,
      content_hash: version.contentHash,
      num_train: version.numTrain,
      num_eval: version.numEval,
      manifest: version.manifest,
    },
    preset: parameters.preset ?? null,
    hyperparams: run.hyperparams,
    seed: (run.hyperparams as { seed?: number } | null)?.seed ?? null,
    runner: { name: run.runner?.name ?? null, hardware: run.hardwareInfo },
    packages: packageVersions(run.hardwareInfo),
    metrics: run.metrics,
    ollama: { variant, architecture, merged: merged ?? null },
  };
  return { readme, modelfile, ollama, manifest, repoName: options.repoName, ollamaVariant: variant };
}

const jsonText = (value: unknown) => ({ text: `${JSON.stringify(value, null, 2)}\n` });

/** Every entry of the ZIP bundle, in reading order. */
export async function bundleEntries(run: BundleRun): Promise<BundleEntry[]> {
  const docs = await runDocuments(run);
  const points = await curves(run.id);
  const series = (name: string) => points.filter((p) => p.name === name).map((p) => ({ step: p.step, value: p.value }));
  const version = run.datasetVersion!;
  const logFile = (name: string) => run.files.find((f) => f.kind === "log" && f.filename === name);
  const config = logFile("config.json");
  const events = logFile("events.jsonl");
  const evaluation = evaluationOf(run.metrics)!;
  const entries: BundleEntry[] = [
    { path: "README.md", source: { text: docs.readme } },
    { path: "Modelfile", source: { text: docs.modelfile } },
    { path: "OLLAMA.md", source: { text: docs.ollama } },
    { path: "manifest.json", source: jsonText(docs.manifest) },
    ...hubAdapterFiles(run).map((f) => ({ path: `adapter/${f.path}`, source: { storageKey: f.storageKey }, compress: !f.path.endsWith(".safetensors") })),
    ...(docs.ollamaVariant === "adapter"
      ? []
      : mergedModelFiles(run).map((f) => ({ path: `model/${f.path}`, source: { storageKey: f.storageKey }, compress: !f.path.endsWith(".safetensors") }))),
    ...(config ? [{ path: "training/config.json", source: { storageKey: config.storagePath } }] : []),
    {
      path: "training/preset.json",
      source: jsonText({ preset: (run.parameters as { preset?: unknown } | null)?.preset ?? null, method: run.method, hyperparams: run.hyperparams }),
    },
    { path: "dataset/README.md", source: { text: await versionCard(run.projectId, version) } },
    { path: "dataset/train.jsonl", source: { storageKey: version.trainPath! } },
    ...(version.evalPath && version.numEval > 0 ? [{ path: "dataset/eval.jsonl", source: { storageKey: version.evalPath } }] : []),
    { path: "metrics/metrics.json", source: jsonText(run.metrics) },
    {
      path: "metrics/curves.csv",
      source: { stream: async () => Readable.from(["name,step,epoch,value\n", ...points.map((p) => `${p.name},${p.step},${p.epoch ?? ""},${p.value}\n`)]) },
    },
    {
      path: "metrics/loss-curve.svg",
      source: {
        text: lossChartSvg(
          [
            { name: "train loss", points: series("train_loss") },
            { name: "eval loss", points: series("eval_loss") },
          ],
          { title: `${run.name}: loss by step` },
        ),
      },
    },
    {
      path: "eval/report.json",
      source: jsonText({
        summary: evaluation,
        samples: run.evalSamples.map((s) => ({
          prompt: s.prompt,
          reference: s.reference,
          base: s.baseOutput,
          tuned: s.tunedOutput,
          scores: s.scores,
          judge_score: s.judgeScore,
          judge_reason: s.judgeReason,
        })),
      }),
    },
    ...(events ? [{ path: "logs/events.jsonl", source: { storageKey: events.storagePath } }] : []),
  ];
  // The team's own test sets this run answered: scores per type, tuned vs base, arena votes.
  const testSets = await runTestSetResults(run.projectId, run.id);
  if (testSets.length) {
    entries.push({
      path: "eval/test-sets.json",
      source: jsonText(testSets.map(({ testSetId, name, summary, arena, report }) => ({ id: testSetId, name, summary, arena, report }))),
    });
  }
  return entries;
}

/** The adapter's files (tokenizer files included), by their path inside the adapter folder. */
/** The adapter's files for a Hub repo's root; PEFT's own README.md stays out (the model card is the repo's README). */
export function hubAdapterFiles(run: BundleRun) {
  return run.files
    .filter((f) => f.kind === "artifact" && f.filename.startsWith("output/adapter/") && f.filename !== "output/adapter/README.md")
    .map((f) => ({ path: f.filename.slice("output/adapter/".length), storageKey: f.storagePath }));
}
