import type { Metadata } from "next";
import { StepChart } from "@/components/charts/line-chart";
import { EvalForm } from "@/components/evaluation/eval-form";
import { RunPicker } from "@/components/evaluation/run-picker";
import { SampleTable } from "@/components/evaluation/sample-table";
import { JobProgress } from "@/components/jobs/job-progress";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { listSamples } from "@/lib/evaluation";
import { listProjectJobs } from "@/lib/jobs/queries";
import { listProviders } from "@/lib/llm";
import { listRuns, runMetrics } from "@/lib/training";

export const metadata: Metadata = { title: "Evaluate" };

type Evaluation = Record<string, number | null>;

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div title={hint}>
      <div className="text-xs uppercase tracking-wide text-muted-foreground">{label}</div>
      <div className="text-lg font-semibold tabular-nums">{value}</div>
    </div>
  );
}

const fixed = (v: number | null | undefined, digits = 3) => (typeof v === "number" ? v.toFixed(digits) : "–");

export default async function EvaluatePage({
  params,
  searchParams,
}: {
  params: Promise<{ workspace: string; project: string }>;
  searchParams: Promise<{ run?: string }>;
}) {
  const { workspace, project } = await params;
  const { run: wanted } = await searchParams;
  const ctx = await projectPageContext(workspace, project);
  const runs = (await listRuns(ctx)).filter((r) => r.status === "success");
  const base = `/w/${workspace}/p/${project}/evaluate`;
  if (runs.length === 0) {
    return <EmptyState title="No finished runs yet" description="Train a run in the Train step; it is evaluated as soon as it finishes." />;
  }
  const run = runs.find((r) => r.id === wanted) ?? runs[0];
  const [samples, points, providers, jobs] = await Promise.all([
    listSamples(ctx, run.id),
    runMetrics(ctx, run.id),
    listProviders(ctx),
    listProjectJobs(ctx, 100),
  ]);
  const evaluation = (run.metrics.evaluation as Evaluation | undefined) ?? null;
  const activeEval = jobs.find(
    (j) => j.type === "eval" && ["queued", "running", "retrying"].includes(j.status) && (j.payload as { runId?: string } | null)?.runId === run.id,
  );
  const series = (name: string) => points.filter((p) => p.name === name).map((p) => ({ step: p.step, value: p.value }));
  return (
    <div className="space-y-6">
      <RunPicker runs={runs.map((r) => ({ id: r.id, name: r.name, evaluated: Boolean(r.metrics.evaluation) }))} current={run.id} base={base} />
      <Card>
        <CardHeader>
          <CardTitle data-testid="eval-run-title">{run.name}</CardTitle>
          <CardDescription>
            {run.method.toUpperCase()} of <code>{run.baseModelId}</code>
            {run.datasetVersion ? ` · dataset version ${run.datasetVersion}` : ""}
            {evaluation?.evaluated_at ? ` · evaluated ${new Date(String(evaluation.evaluated_at)).toLocaleString()}` : ""}
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-6">
          {activeEval && <JobProgress job={activeEval} />}
          {evaluation ? (
            <div className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6" data-testid="eval-figures">
              <Figure label="Eval loss" value={fixed(evaluation.eval_loss)} />
              <Figure label="Perplexity" value={fixed(evaluation.perplexity, 2)} hint="exp(eval loss): lower is better" />
              <Figure
                label="ROUGE-L"
                value={`${fixed(evaluation.rouge_l_base)} → ${fixed(evaluation.rouge_l_tuned)}`}
                hint="Base → tuned, F1 against the reference"
              />
              {ctx.project.taskType === "qa" && (
                <Figure label="Exact match" value={`${fixed(evaluation.exact_match_base, 2)} → ${fixed(evaluation.exact_match_tuned, 2)}`} />
              )}
              <Figure
                label="Tuned vs base"
                value={`${evaluation.wins ?? 0} / ${evaluation.ties ?? 0} / ${evaluation.losses ?? 0}`}
                hint="Samples where the tuned answer scored better / the same / worse"
              />
              <Figure label="Judge" value={evaluation.judge_score != null ? `${fixed(evaluation.judge_score, 2)} / 5` : "–"} />
            </div>
          ) : (
            !activeEval && <p className="text-sm text-muted-foreground">This run has not been evaluated yet.</p>
          )}
          {can(ctx.role, "jobs.run") && (
            <EvalForm
              projectId={ctx.projectId}
              runId={run.id}
              busy={Boolean(activeEval)}
              providers={providers.map((p) => ({ id: p.id, name: p.name, model: p.defaultModel }))}
            />
          )}
          <section className="space-y-2">
            <h3 className="text-sm font-medium">Loss</h3>
            <StepChart
              series={[
                { key: "train_loss", label: "train loss", points: series("train_loss") },
                { key: "eval_loss", label: "eval loss", points: series("eval_loss"), dashed: true },
              ]}
            />
          </section>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Samples</CardTitle>
          <CardDescription>Eval prompts answered by the base model and the tuned one, scored against the reference.</CardDescription>
        </CardHeader>
        <CardContent>
          <SampleTable samples={samples} showExactMatch={ctx.project.taskType === "qa"} />
        </CardContent>
      </Card>
    </div>
  );
}
