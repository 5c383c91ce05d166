// The Evaluate step's reads: a run's samples, the judge's cost before it runs, and the
// comparison of several runs. Every query carries the caller's project and workspace.
import type { ProjectContext } from "@/lib/access/guard";
import { isUuid } from "@/lib/access/guard";
import { exampleDataSchema, promptOf, responseOf } from "@/lib/datasets/example";
import { diffVersions, type VersionDiff } from "@/lib/datasets/versions";
import { db } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import { estimateJudgeCost, type JudgeCostEstimate } from "@/lib/evaluation/judge";
import { loadProviderRecord } from "@/lib/llm";
import { getRun, type RunSummary } from "@/lib/training";

export { startEvaluation } from "./queue";

export type SampleRow = {
  position: number;
  prompt: string;
  reference: string;
  baseOutput: string | null;
  tunedOutput: string | null;
  baseRougeL: number | null;
  tunedRougeL: number | null;
  exactMatch: { base: number | null; tuned: number | null };
  judgeScore: number | null;
  judgeReason: string | null;
};

type Scores = { base?: { rouge_l?: number; exact_match?: number } | null; tuned?: { rouge_l?: number; exact_match?: number } | null };

export async function listSamples(ctx: ProjectContext, runId: string): Promise<SampleRow[]> {
  await getRun(ctx, runId);
  const rows = await db.evalSample.findMany({ where: { runId }, orderBy: { position: "asc" } });
  return rows.map((s) => {
    const scores = (s.scores ?? {}) as Scores;
    return {
      position: s.position,
      prompt: s.prompt,
      reference: s.reference,
      baseOutput: s.baseOutput,
      tunedOutput: s.tunedOutput,
      baseRougeL: scores.base?.rouge_l ?? null,
      tunedRougeL: scores.tuned?.rouge_l ?? null,
      exactMatch: { base: scores.base?.exact_match ?? null, tuned: scores.tuned?.exact_match ?? null },
      judgeScore: s.judgeScore,
      judgeReason: s.judgeReason,
    };
  });
}

/** What grading the run's current samples (or `numPrompts` of them) would cost with this provider. */
export async function estimateJudge(ctx: ProjectContext, runId: string, providerId: string, numPrompts = 20): Promise<JudgeCostEstimate> {
  await getRun(ctx, runId);
  const provider = await loadProviderRecord(ctx.workspace.id, providerId);
  const samples = await db.evalSample.findMany({
    where: { runId },
    orderBy: { position: "asc" },
    take: numPrompts,
    include: { sourceChunk: { select: { content: true } } },
  });
  let inputs = samples.map((s) => ({ prompt: s.prompt, reference: s.reference, answer: s.tunedOutput ?? "", sourceChunk: s.sourceChunk?.content }));
  if (inputs.length === 0) {
    // Not evaluated yet: estimate from the eval examples, with the reference standing in for the answer.
    const examples = await db.datasetExample.findMany({
      where: { projectId: ctx.projectId, split: "eval", isValid: true },
      take: numPrompts,
      include: { sourceChunk: { select: { content: true } } },
    });
    inputs = examples.flatMap((e) => {
      const data = exampleDataSchema.safeParse(e.data);
      if (!data.success) return [];
      const answer = responseOf(data.data);
      return [{ prompt: promptOf(data.data), reference: answer, answer, sourceChunk: e.sourceChunk?.content }];
    });
  }
  return estimateJudgeCost({ provider, samples: inputs });
}

export type Comparison = {
  runs: Array<RunSummary & { datasetVersionId: string | null; evaluation: Record<string, unknown> | null }>;
  curves: Record<string, Array<{ step: number; name: string; value: number }>>;
  /** Keys whose value differs between the runs. */
  differing: string[];
  /** Each run's dataset version against the first run's. */
  versionDiffs: Array<VersionDiff | null>;
};

export async function compareRuns(ctx: ProjectContext, runIds: string[]): Promise<Comparison> {
  const ids = [...new Set(runIds)].filter(isUuid);
  if (ids.length < 2 || ids.length > 5) throw invalidInput("Choose 2 to 5 runs to compare.");
  const rows = await db.run.findMany({
    where: { id: { in: ids }, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    select: { id: true, datasetVersionId: true, metrics: true },
  });
  if (rows.length !== ids.length) throw notFound("Run");
  const runs = await Promise.all(
    ids.map(async (id) => {
      const row = rows.find((r) => r.id === id)!;
      return {
        ...(await getRun(ctx, id)),
        datasetVersionId: row.datasetVersionId,
        evaluation: ((row.metrics as Record<string, unknown> | null)?.evaluation as Record<string, unknown> | undefined) ?? null,
      };
    }),
  );
  const points = await db.runMetric.findMany({
    where: { runId: { in: ids }, name: { in: ["train_loss", "eval_loss"] } },
    orderBy: { step: "asc" },
    select: { runId: true, step: true, name: true, value: true },
  });
  const curves = Object.fromEntries(ids.map((id) => [id, points.filter((p) => p.runId === id).map(({ step, name, value }) => ({ step, name, value }))]));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.hyperparams)))].sort();
  const differing = keys.filter((k) => new Set(runs.map((r) => JSON.stringify((r.hyperparams as Record<string, unknown>)[k]))).size > 1);
  const first = runs[0].datasetVersionId;
  const versionDiffs = await Promise.all(runs.map((r) => (first && r.datasetVersionId ? diffVersions(first, r.datasetVersionId) : Promise.resolve(null))));
  return { runs, curves, differing, versionDiffs };
}
