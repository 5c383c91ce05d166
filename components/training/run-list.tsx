"use client";

import Link from "next/link";
import { formatDuration } from "@/components/jobs/format";
import { JobProgress } from "@/components/jobs/job-progress";
import { JobStatusBadge } from "@/components/jobs/job-status";
import { useProjectJobs, useRefreshWhenSettled } from "@/components/jobs/use-project-jobs";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { JobView } from "@/lib/jobs/queries";
import type { RunSummary } from "@/lib/training";

const fmt = (v: unknown, digits = 4) => (typeof v === "number" ? v.toFixed(digits) : "–");

/** The project's runs with their live job progress. */
export function RunList({ projectId, runs, jobs, hrefFor }: { projectId: string; runs: RunSummary[]; jobs: JobView[]; hrefFor: Record<string, string> }) {
  const { jobs: live } = useProjectJobs(projectId, jobs);
  useRefreshWhenSettled(live, (j) => j.type === "train");
  if (runs.length === 0) return <p className="text-sm text-muted-foreground">No runs yet. Launch one above.</p>;
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Run</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Progress</TableHead>
          <TableHead>Train loss</TableHead>
          <TableHead>Eval loss</TableHead>
          <TableHead>Duration</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {runs.map((run) => {
          const job = live.find((j) => j.id === run.jobId);
          return (
            <TableRow key={run.id} data-testid={`run-${run.name}`}>
              <TableCell>
                <Link href={hrefFor[run.id]} className="font-medium underline-offset-2 hover:underline">
                  {run.name}
                </Link>
                <div className="text-xs text-muted-foreground">
                  {run.method.toUpperCase()} · r {run.hyperparams.lora_r} · {run.runnerName ?? "deleted runner"}
                  {run.datasetVersion ? ` · dataset v${run.datasetVersion}` : ""}
                  {run.createdBy ? ` · by ${run.createdBy}` : ""}
                </div>
                {run.tags.length > 0 && (
                  <div className="mt-1 flex flex-wrap gap-1">
                    {run.tags.map((t) => (
                      <Badge key={t} variant="outline">
                        {t}
                      </Badge>
                    ))}
                  </div>
                )}
                {run.errorMessage && job?.status !== "success" && (
                  <div className="mt-1 line-clamp-2 min-w-48 max-w-md whitespace-normal break-words text-xs text-destructive" data-testid="run-failure">
                    {run.errorMessage}
                  </div>
                )}
              </TableCell>
              <TableCell>{job ? <JobStatusBadge status={job.status} /> : run.status}</TableCell>
              <TableCell className="w-56">{job && <JobProgress job={job} compact />}</TableCell>
              <TableCell className="tabular-nums">{fmt(run.metrics.train_loss ?? run.progress.loss)}</TableCell>
              <TableCell className="tabular-nums">{fmt(run.metrics.eval_loss ?? run.progress.evalLoss)}</TableCell>
              <TableCell className="tabular-nums">{run.durationSeconds !== null ? formatDuration(run.durationSeconds) : "–"}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
