import type { Metadata } from "next";
import Link from "next/link";
import { StepChart } from "@/components/charts/line-chart";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormError } from "@/components/ui/form";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { projectPageContext } from "@/lib/access/page";
import { isAppError } from "@/lib/errors";
import { type Comparison, compareRuns } from "@/lib/evaluation";

export const metadata: Metadata = { title: "Compare runs" };

const fixed = (v: unknown, digits = 3) => (typeof v === "number" ? v.toFixed(digits) : "–");

const METRICS: Array<{ label: string; value: (r: Comparison["runs"][number]) => string }> = [
  { label: "Train loss (run mean)", value: (r) => fixed(r.metrics.train_loss) },
  { label: "Eval loss", value: (r) => fixed(r.evaluation?.eval_loss ?? r.metrics.eval_loss) },
  { label: "Perplexity", value: (r) => fixed(r.evaluation?.perplexity ?? r.metrics.perplexity, 2) },
  { label: "ROUGE-L tuned", value: (r) => fixed(r.evaluation?.rouge_l_tuned) },
  { label: "ROUGE-L base", value: (r) => fixed(r.evaluation?.rouge_l_base) },
  { label: "Judge score", value: (r) => fixed(r.evaluation?.judge_score, 2) },
  { label: "Tokens / s", value: (r) => (typeof r.metrics.tokens_per_second === "number" ? Math.round(r.metrics.tokens_per_second).toLocaleString() : "–") },
  { label: "Duration (s)", value: (r) => (r.durationSeconds !== null ? String(r.durationSeconds) : "–") },
];

/** A table with a column per run, rows given by the caller. */
function RunColumns({ runs, testId, children }: { runs: Comparison["runs"]; testId: string; children: React.ReactNode }) {
  return (
    <Table data-testid={testId}>
      <TableHeader>
        <TableRow>
          <TableHead />
          {runs.map((r) => (
            <TableHead key={r.id}>{r.name}</TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>{children}</TableBody>
    </Table>
  );
}

export default async function ComparePage({
  params,
  searchParams,
}: {
  params: Promise<{ workspace: string; project: string }>;
  searchParams: Promise<{ runs?: string }>;
}) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const back = `/w/${workspace}/p/${project}/evaluate`;
  let comparison: Comparison;
  try {
    comparison = await compareRuns(ctx, ((await searchParams).runs ?? "").split(","));
  } catch (error) {
    if (!isAppError(error)) throw error;
    return (
      <div className="space-y-3">
        <FormError message={error.message} />
        <Link href={back} className="text-sm underline">
          ← Back to Evaluate
        </Link>
      </div>
    );
  }
  const { runs, curves, differing, versionDiffs } = comparison;
  const lossSeries = (name: string) =>
    runs.map((r, i) => ({
      key: `${r.id}-${name}`,
      label: `${r.name} ${name.replace("_", " ")}`,
      dashed: name === "eval_loss",
      color: i,
      points: curves[r.id].filter((p) => p.name === name),
    }));
  return (
    <div className="space-y-6">
      <Link href={back} className="text-sm text-muted-foreground hover:underline">
        ← Evaluate
      </Link>
      <Card>
        <CardHeader>
          <CardTitle>Loss curves</CardTitle>
          <CardDescription>Train loss of {runs.map((r) => r.name).join(", ")}, overlaid by step; eval loss dashed.</CardDescription>
        </CardHeader>
        <CardContent>
          <StepChart height={320} series={[...lossSeries("train_loss"), ...lossSeries("eval_loss")]} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Metrics</CardTitle>
        </CardHeader>
        <CardContent>
          <RunColumns runs={runs} testId="compare-metrics">
            {METRICS.map((m) => (
              <TableRow key={m.label}>
                <TableCell className="text-muted-foreground">{m.label}</TableCell>
                {runs.map((r) => (
                  <TableCell key={r.id} className="tabular-nums">
                    {m.value(r)}
                  </TableCell>
                ))}
              </TableRow>
            ))}
            <TableRow>
              <TableCell className="text-muted-foreground">Dataset version</TableCell>
              {runs.map((r, i) => (
                <TableCell key={r.id} data-testid="compare-version">
                  {r.datasetVersion ? `v${r.datasetVersion}` : "–"}
                  {i > 0 && versionDiffs[i] && (
                    <div className="text-xs text-muted-foreground">
                      vs {runs[0].name}: +{versionDiffs[i]!.added} / −{versionDiffs[i]!.removed} examples
                    </div>
                  )}
                </TableCell>
              ))}
            </TableRow>
          </RunColumns>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Hyperparameters</CardTitle>
          <CardDescription>{differing.length ? `${differing.length} differ; highlighted.` : "All the same."}</CardDescription>
        </CardHeader>
        <CardContent>
          <RunColumns runs={runs} testId="compare-hyperparams">
            {[...new Set(runs.flatMap((r) => Object.keys(r.hyperparams)))].sort().map((key) => (
              <TableRow key={key} className={differing.includes(key) ? "bg-amber-500/10 font-medium" : ""} data-differs={differing.includes(key)}>
                <TableCell className="font-mono text-xs">{key}</TableCell>
                {runs.map((r) => (
                  <TableCell key={r.id} className="font-mono text-xs">
                    {JSON.stringify((r.hyperparams as Record<string, unknown>)[key])}
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </RunColumns>
        </CardContent>
      </Card>
    </div>
  );
}
