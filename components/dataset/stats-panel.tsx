import { Histogram, type HistogramBucket } from "@/components/charts/histogram";
import { PreparedSplits } from "@/components/training/prepared-splits";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { ReviewCounts, SplitStats } from "@/lib/datasets/review";
import type { ExactTokenCounts } from "@/lib/training/token-counts";

/** The exact counts a run measured on this dataset with the base model's tokenizer, or why the figures are estimates. */
function TokenSource({ exact }: { exact: ExactTokenCounts | null }) {
  if (!exact) {
    return (
      <p className="mt-3 text-xs text-muted-foreground">
        Token counts are estimates (cl100k tokenizer); a training run counts them exactly with the base model&apos;s tokenizer.
      </p>
    );
  }
  return (
    <div className="mt-3 space-y-0.5 text-xs" data-testid="exact-token-counts">
      <p className="text-muted-foreground">
        Exact with {exact.baseModelId}&apos;s tokenizer ({exact.runName}, dataset version {exact.datasetVersion}, max length{" "}
        {exact.max_seq_length.toLocaleString()}); the table&apos;s figures are cl100k estimates.
      </p>
      <PreparedSplits counts={exact} className="space-y-0.5" />
    </div>
  );
}

/** The seed's stats per split, review progress, and the token-length histogram. */
export function StatsPanel({
  stats,
  counts,
  histogram,
  maxSeqLength,
  exact,
  trainShare,
  actions,
}: {
  stats: SplitStats[];
  counts: ReviewCounts;
  histogram: HistogramBucket[];
  maxSeqLength: number;
  exact: ExactTokenCounts | null;
  /** The project's configured train share. */
  trainShare: number;
  /** Controls beside the title (the re-split dialog, for editors). */
  actions?: React.ReactNode;
}) {
  const shown = stats.filter((s) => s.split !== "preview");
  const train = shown.find((s) => s.split === "train")?.usable ?? 0;
  const evalCount = shown.find((s) => s.split === "eval")?.usable ?? 0;
  const actual = train + evalCount > 0 ? train / (train + evalCount) : null;
  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_1fr]">
      <Card>
        <CardHeader>
          <div className="flex items-start justify-between gap-2">
            <CardTitle>Splits</CardTitle>
            {actions}
          </div>
          {actual !== null && (
            <p className="text-sm" data-testid="split-share">
              Usable: train {train.toLocaleString()} · eval {evalCount.toLocaleString()},{" "}
              <span className="font-medium">{(actual * 100).toFixed(1)} % train</span>
              <span className="text-muted-foreground"> (target {Math.round(trainShare * 100)} %)</span>
            </p>
          )}
          <CardDescription>
            {counts.approved.toLocaleString()} approved · {counts.rejected.toLocaleString()} rejected · {counts.pending.toLocaleString()} to review ·{" "}
            {counts.duplicates.toLocaleString()} duplicates · {counts.nearDuplicates.toLocaleString()} near-duplicates
          </CardDescription>
        </CardHeader>
        <CardContent>
          <table className="w-full text-sm" data-testid="split-stats">
            <thead className="text-left text-xs uppercase tracking-wide text-muted-foreground">
              <tr>
                <th className="pb-2">Split</th>
                <th className="pb-2 text-right">Total</th>
                <th className="pb-2 text-right">Valid</th>
                <th className="pb-2 text-right">Invalid</th>
                <th className="pb-2 text-right" title="Valid, not rejected, not a duplicate: what training takes">
                  Usable
                </th>
                <th className="pb-2 text-right">≈ Avg tokens</th>
                <th className="pb-2 text-right">Min / max</th>
              </tr>
            </thead>
            <tbody className="tabular-nums">
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={7} className="py-3 text-muted-foreground">
                    No examples yet.
                  </td>
                </tr>
              ) : (
                shown.map((s) => (
                  <tr key={s.split} className="border-t" data-split={s.split}>
                    <td className="py-2 font-medium capitalize">{s.split}</td>
                    <td className="py-2 text-right">{s.total.toLocaleString()}</td>
                    <td className="py-2 text-right">{s.valid.toLocaleString()}</td>
                    <td className="py-2 text-right">{s.invalid.toLocaleString()}</td>
                    <td className="py-2 text-right font-medium">{s.usable.toLocaleString()}</td>
                    <td className="py-2 text-right">{s.avgTokens}</td>
                    <td className="py-2 text-right">
                      {s.minTokens} / {s.maxTokens}
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <TokenSource exact={exact} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Token length</CardTitle>
          <CardDescription>Valid train and eval examples (cl100k estimates); the limit is {maxSeqLength.toLocaleString()} tokens.</CardDescription>
        </CardHeader>
        <CardContent>
          <Histogram buckets={histogram} label="examples" />
        </CardContent>
      </Card>
    </div>
  );
}
