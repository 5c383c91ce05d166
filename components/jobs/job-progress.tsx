import { Progress } from "@/components/ui/progress";
import type { JobView } from "@/lib/jobs/queries";
import { formatDuration, formatRate } from "./format";

/** What a job's items are, so "42 / 90" reads "42 / 90 chunks". */
const ITEM_UNITS: Record<string, string> = {
  dataset_generate: "chunks",
  dataset_preview: "examples",
  dataset_judge: "examples",
  dataset_merge: "examples",
  hub_dataset_download: "MB",
  test_set_generate: "chunks",
  test_set_answer: "questions",
  project_clone: "sources",
  chunking: "chunks",
  import: "rows",
  train: "steps",
  eval: "prompts",
  model_merge: "files",
  export: "items",
};

/** Progress bar with items, rate and ETA: honest numbers straight from the worker. */
export function JobProgress({ job, compact = false }: { job: JobView; compact?: boolean }) {
  const active = job.status === "running" || job.status === "retrying" || job.status === "queued";
  const pct = job.status === "success" ? 100 : (job.progressPct ?? 0);
  const facts: string[] = [];
  const unit = ITEM_UNITS[job.type] ?? "items";
  if (job.itemsTotal) facts.push(`${job.itemsDone.toLocaleString()} / ${job.itemsTotal.toLocaleString()} ${unit}`);
  if (active && job.itemsPerSecond) facts.push(`${formatRate(job.itemsPerSecond)} ${unit}`.replace(/\/(s|min) (\w+)$/, " $2/$1"));
  if (active && job.etaSeconds !== null && job.status === "running") facts.push(`ETA ${formatDuration(job.etaSeconds)}`);
  return (
    <div className="min-w-40 space-y-1" data-testid="job-progress">
      <div className="flex items-center gap-2">
        <Progress value={pct} indeterminate={job.status === "running" && job.progressPct === null} className="h-2" aria-label="Progress" />
        <span className="w-10 text-right text-xs tabular-nums text-muted-foreground" data-testid="job-pct">
          {pct}%
        </span>
      </div>
      {!compact && (facts.length > 0 || job.progressMessage) && (
        <div className="truncate text-xs text-muted-foreground">
          {facts.join(" · ")}
          {facts.length > 0 && job.progressMessage ? " · " : ""}
          {job.progressMessage}
        </div>
      )}
    </div>
  );
}
