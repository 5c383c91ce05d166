// The dataset card: a README.md with the Hugging Face dataset card's YAML front matter (licence,
// task, size, and `configs` naming the split files so the Hub's viewer and `load_dataset` read
// them) and a body that says where the examples came from: sources, generation settings and
// model, review counts, duplicates left out, train/eval leakage, ratings. Written into dataset
// exports, the bundle's dataset folder and Hub dataset pushes. No secret or address goes in.
import { stringify } from "yaml";
import { db } from "@/lib/db/client";
import { readGenerationSettings } from "@/lib/generation/settings";
import { readProjectConfig } from "@/lib/projects/config";
import { type TaskType, USABLE_EXAMPLE } from "./example";
import { type Leakage, projectLeakage } from "./leakage";

/** Above this many usable examples the card leaves leakage out (measuring it holds the dataset in memory). */
export const LEAKAGE_CARD_LIMIT = 50_000;

export type DatasetCardFacts = {
  projectName: string;
  taskType: TaskType;
  /** A Hub licence id ("cc-by-4.0"), or "" when the project has not said. */
  license: string;
  sources: Array<{ filename: string; kind: "document" | "dataset"; format: string | null; pages: number | null; chunks: number }>;
  generation: {
    provider: string | null;
    model: string | null;
    temperature: number;
    examplesPerChunk: number;
    jobs: number;
    tokensIn: number;
    tokensOut: number;
  } | null;
  review: { approved: number; rejected: number; pending: number };
  duplicates: number;
  /** Null when not measured (over LEAKAGE_CARD_LIMIT usable examples: the preflight of a run measures it). */
  leakage: Leakage | null;
  ratings: Record<string, number>;
  /** LLM-judge scores in whole-number buckets ("4" holds 4.0–4.99; "5" is 5), and how many are scored. */
  judgeScores: { scored: number; buckets: Record<string, number> };
};

export type DatasetCardFiles = {
  /** Split name → file name in the same folder, for the splits that have a file. */
  files: Partial<Record<"train" | "eval", string>>;
  counts: { train: number; eval: number };
  /** What the rows look like, in words ("Alpaca records (instruction, input, output)"). */
  format: string;
  /** Whether the Hub can load the files (JSON Lines and CSV can; XLSX cannot). */
  loadable: boolean;
  /** Lines added at the end of the body (format notes, selection). */
  notes?: string[];
};

/** The Hub's size category for a row count. */
export function sizeCategory(rows: number): string {
  if (rows < 1_000) return "n<1K";
  if (rows < 10_000) return "1K<n<10K";
  if (rows < 100_000) return "10K<n<100K";
  if (rows < 1_000_000) return "100K<n<1M";
  return "1M<n<10M";
}

export function renderDatasetCard(facts: DatasetCardFacts, files: DatasetCardFiles): string {
  const total = files.counts.train + files.counts.eval;
  const splits = (["train", "eval"] as const).filter((split) => files.files[split]);
  const front: Record<string, unknown> = {
    pretty_name: facts.projectName,
    license: facts.license || "other",
    task_categories: [facts.taskType === "qa" ? "question-answering" : "text-generation"],
    size_categories: [sizeCategory(total)],
    tags: ["finetuneflow", ...(facts.generation ? ["synthetic"] : [])],
    ...(files.loadable && splits.length
      ? { configs: [{ config_name: "default", data_files: splits.map((split) => ({ split, path: files.files[split] })) }] }
      : {}),
  };
  const generated = facts.sources.filter((s) => s.kind === "document");
  const imported = facts.sources.filter((s) => s.kind === "dataset");
  const rated = Object.entries(facts.ratings).sort(([a], [b]) => Number(b) - Number(a));
  const lines = [
    "---",
    stringify(front).trimEnd(),
    "---",
    "",
    `# ${facts.projectName}`,
    "",
    `A ${facts.taskType === "qa" ? "question-answering" : "instruction"} dataset made with FineTuneFlow: ${files.format}.`,
    "",
    "| Split | File | Examples |",
    "| --- | --- | ---: |",
    ...(["train", "eval"] as const).map((split) => `| ${split} | ${files.files[split] ?? "(none)"} | ${files.counts[split].toLocaleString("en-US")} |`),
    "",
    "## Where the examples come from",
    "",
    ...(generated.length
      ? [
          `Generated from ${generated.length} document${generated.length === 1 ? "" : "s"}:`,
          "",
          ...generated.map(
            (s) =>
              `- ${s.filename}${s.format ? ` (${s.format.toUpperCase()}` : " ("}${s.pages ? `, ${s.pages} pages` : ""}, ${s.chunks.toLocaleString("en-US")} chunks)`,
          ),
          "",
        ]
      : []),
    ...(imported.length ? [`Imported from ${imported.map((s) => s.filename).join(", ")}.`, ""] : []),
    ...(facts.generation
      ? [
          `Generation: ${facts.generation.model ?? "the provider's default model"}${facts.generation.provider ? ` on ${facts.generation.provider}` : ""}, temperature ${facts.generation.temperature}, ${facts.generation.examplesPerChunk} examples per chunk; ${facts.generation.jobs} run${facts.generation.jobs === 1 ? "" : "s"}, ${facts.generation.tokensIn.toLocaleString("en-US")} tokens in and ${facts.generation.tokensOut.toLocaleString("en-US")} out.`,
          "",
        ]
      : []),
    "## Quality",
    "",
    `- Review: ${facts.review.approved.toLocaleString("en-US")} approved, ${facts.review.rejected.toLocaleString("en-US")} rejected (left out), ${facts.review.pending.toLocaleString("en-US")} not reviewed.`,
    `- Exact duplicates left out: ${facts.duplicates.toLocaleString("en-US")}.`,
    facts.leakage
      ? `- Train/eval leakage: ${facts.leakage.leaked} of ${facts.leakage.eval} eval examples (${(facts.leakage.share * 100).toFixed(1)} %) have at least half of their 8-word runs in train.`
      : `- Train/eval leakage: not measured here for more than ${LEAKAGE_CARD_LIMIT.toLocaleString("en-US")} examples; a training run's preflight measures it.`,
    ...(rated.length ? [`- Ratings: ${rated.map(([stars, n]) => `${stars}★ ${n.toLocaleString("en-US")}`).join(", ")}.`] : []),
    ...(facts.judgeScores.scored
      ? [
          `- LLM-judge scores (${facts.judgeScores.scored.toLocaleString("en-US")} scored): ${Object.entries(facts.judgeScores.buckets)
            .sort(([a], [b]) => Number(b) - Number(a))
            .map(([bucket, n]) => `${bucket === "5" ? "5" : `${bucket}–${bucket}.9`} ${n.toLocaleString("en-US")}`)
            .join(", ")}.`,
        ]
      : []),
    ...(facts.license ? [] : ["- Licence: not stated in the project's settings; check the sources' terms before sharing."]),
    "",
    ...(files.notes ?? []),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** What the card says about a project, read from the database. */
export async function datasetCardFacts(projectId: string): Promise<DatasetCardFacts> {
  const project = await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { name: true, taskType: true, config: true, workspaceId: true } });
  const config = readProjectConfig(project.config);
  const settings = readGenerationSettings(project.config);
  const [files, review, duplicates, ratings, jobs, provider, leakage, judged] = await Promise.all([
    db.file.findMany({
      where: { projectId, kind: { in: ["raw_doc", "dataset_upload"] }, status: "ready" },
      select: { filename: true, kind: true, metadata: true, _count: { select: { chunks: true } } },
      orderBy: { createdAt: "asc" },
    }),
    db.datasetExample.groupBy({ by: ["reviewStatus"], where: { projectId, split: { in: ["train", "eval"] } }, _count: true }),
    db.datasetExample.count({ where: { projectId, split: { in: ["train", "eval"] }, isDuplicate: true } }),
    db.datasetExample.groupBy({ by: ["rating"], where: { projectId, split: { in: ["train", "eval"] }, rating: { not: null } }, _count: true }),
    db.job.findMany({ where: { projectId, type: "dataset_generate", status: "success" }, select: { resultSummary: true } }),
    settings.provider_id ? db.llmProvider.findFirst({ where: { id: settings.provider_id, workspaceId: project.workspaceId }, select: { name: true } }) : null,
    db.datasetExample
      .count({ where: { projectId, split: { in: ["train", "eval"] }, ...USABLE_EXAMPLE } })
      .then((usable) => (usable <= LEAKAGE_CARD_LIMIT ? projectLeakage(projectId) : null)),
    db.$queryRaw<Array<{ bucket: number; n: bigint }>>`
      SELECT floor(judge_score)::int AS bucket, count(*) AS n FROM dataset_examples
      WHERE project_id = ${projectId}::uuid AND split IN ('train', 'eval') AND judge_score IS NOT NULL GROUP BY 1`,
  ]);
  const count = (status: string) => review.find((r) => r.reviewStatus === status)?._count ?? 0;
  const summaries = jobs.map((j) => (j.resultSummary ?? {}) as { tokens_in?: number; tokens_out?: number; model?: string });
  return {
    projectName: project.name,
    taskType: project.taskType,
    license: config.dataset_license,
    sources: files.map((f) => {
      const meta = (f.metadata ?? {}) as { format?: string; pageCount?: number };
      return {
        filename: f.filename,
        kind: f.kind === "raw_doc" ? "document" : "dataset",
        format: meta.format ?? null,
        pages: meta.pageCount ?? null,
        chunks: f._count.chunks,
      };
    }),
    generation: jobs.length
      ? {
          provider: provider?.name ?? null,
          model: summaries.at(-1)?.model ?? settings.model ?? null,
          temperature: settings.temperature,
          examplesPerChunk: config.examples_per_chunk,
          jobs: jobs.length,
          tokensIn: summaries.reduce((n, s) => n + (s.tokens_in ?? 0), 0),
          tokensOut: summaries.reduce((n, s) => n + (s.tokens_out ?? 0), 0),
        }
      : null,
    review: { approved: count("approved"), rejected: count("rejected"), pending: count("pending") },
    duplicates,
    leakage,
    ratings: Object.fromEntries(ratings.map((r) => [String(r.rating), r._count])),
    judgeScores: {
      scored: judged.reduce((n, r) => n + Number(r.n), 0),
      buckets: Object.fromEntries(judged.map((r) => [String(r.bucket), Number(r.n)])),
    },
  };
}

/** The card of a frozen dataset version (train.jsonl and eval.jsonl in the runner's chat format), for bundles and Hub pushes. */
export async function versionCard(projectId: string, version: { version: number; numTrain: number; numEval: number }): Promise<string> {
  const facts = await datasetCardFacts(projectId);
  return renderDatasetCard(facts, {
    files: { train: "train.jsonl", ...(version.numEval > 0 ? { eval: "eval.jsonl" } : {}) },
    counts: { train: version.numTrain, eval: version.numEval },
    format: `dataset version ${version.version}, as the model was trained on it: one conversation per line ("messages": system, user and assistant turns)`,
    loadable: true,
  });
}
