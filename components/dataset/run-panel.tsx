"use client";

import { Eye, Play } from "lucide-react";
import { useAction } from "@/components/forms/use-action";
import { formatDuration } from "@/components/jobs/format";
import { JobList } from "@/components/jobs/job-list";
import { useProjectJobs, useRefreshWhenSettled } from "@/components/jobs/use-project-jobs";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { toast } from "@/components/ui/toast";
import type { GenerationEstimate } from "@/lib/generation";
import { startGenerationAction, startPreviewAction } from "@/lib/generation/actions";
import type { JobView } from "@/lib/jobs/queries";

type Props = {
  projectId: string;
  estimate: GenerationEstimate;
  jobs: JobView[];
  canRun: boolean;
  canCancel: boolean;
  /** Why a preview or run cannot start yet (no model chosen), shown instead of failing after the start. */
  blocker?: string;
};

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div title={hint}>
      <div className="text-xs uppercase tracking-wide text-muted-foreground">{label}</div>
      <div className="font-semibold tabular-nums">{value}</div>
    </div>
  );
}

/** The estimate before a run, the preview and generate buttons, and the live runs. */
export function RunPanel({ projectId, estimate, jobs, canRun, canCancel, blocker }: Props) {
  const preview = useAction(startPreviewAction);
  const generate = useAction(startGenerationAction);
  const { jobs: live } = useProjectJobs(projectId, jobs);
  // A preview or run that finishes brings in its examples.
  useRefreshWhenSettled(live, (j) => j.type === "dataset_preview" || j.type === "dataset_generate");

  const busy = live.some((j) => (j.type === "dataset_preview" || j.type === "dataset_generate") && ["queued", "running", "retrying"].includes(j.status));
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-4 lg:grid-cols-7" data-testid="estimate">
        <Figure label="Chunks" value={estimate.chunks.toLocaleString()} />
        <Figure label="Chunks needed" value={estimate.chunksNeeded.toLocaleString()} />
        <Figure label="Examples" value={`≈ ${estimate.examples.toLocaleString()}`} />
        <Figure label="Tokens in" value={`≈ ${estimate.tokensIn.toLocaleString()}`} />
        <Figure
          label="Tokens out"
          value={`≈ ${estimate.tokensOut.toLocaleString()}`}
          hint={estimate.measured.tokensPerExample ? "From the last preview" : "Assumes 120 tokens per example; run a preview to measure"}
        />
        <Figure
          label="Cost"
          value={estimate.costUsd === null ? "free / not priced" : `≈ $${estimate.costUsd.toFixed(2)}`}
          hint="From the provider's price table (workspace settings)"
        />
        <Figure
          label="Time"
          value={`≈ ${formatDuration(estimate.seconds)}`}
          hint={estimate.measured.secondsPerCall ? "From the last preview's response time" : "Assumes 8 s per call; run a preview to measure"}
        />
      </div>
      <FormError message={preview.error?.message ?? generate.error?.message} />
      {blocker && (
        <p className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm" data-testid="generation-blocker">
          {blocker}
        </p>
      )}
      {canRun && (
        <div className="flex flex-wrap gap-2">
          <Button
            variant="outline"
            disabled={busy || preview.pending || estimate.chunks === 0 || Boolean(blocker)}
            onClick={() => preview.run({ projectId }, () => toast.success("Preview started."))}
          >
            <Eye className="size-4" /> Preview 10 examples
          </Button>
          <Button
            disabled={busy || generate.pending || estimate.chunks === 0 || Boolean(blocker)}
            onClick={() => generate.run({ projectId }, () => toast.success("Generation started."))}
          >
            <Play className="size-4" /> Generate dataset
          </Button>
        </div>
      )}
      <JobList
        projectId={projectId}
        initial={jobs}
        canCancel={canCancel}
        canRetry={canRun}
        types={["dataset_preview", "dataset_generate"]}
        emptyText="Previews and generation runs appear here, with their progress, tokens and cost."
      />
    </div>
  );
}
