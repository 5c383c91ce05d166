"use client";

import { Activity } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { JOB_LABELS } from "@/lib/jobs/labels";
import type { JobView } from "@/lib/jobs/queries";
import { elapsedSeconds, formatDuration } from "./format";
import { JobActions } from "./job-actions";
import { JobDrawer } from "./job-drawer";
import { JobProgress } from "./job-progress";
import { JobStatusBadge } from "./job-status";
import { useProjectJobs, useRefreshWhenSettled } from "./use-project-jobs";

type Props = {
  projectId: string;
  initial: JobView[];
  canCancel: boolean;
  canRetry: boolean;
  /** Only these types (e.g. the Sources step shows chunking and import). */
  types?: JobView["type"][];
  emptyText?: string;
  /** Re-render the page's server data when one of these jobs settles (its results appear without a reload). */
  refreshWhenSettled?: boolean;
};

export function JobList({ projectId, initial, canCancel, canRetry, types, emptyText, refreshWhenSettled = false }: Props) {
  const { jobs: all, mode } = useProjectJobs(projectId, initial);
  const jobs = types ? all.filter((j) => types.includes(j.type)) : all;
  useRefreshWhenSettled(refreshWhenSettled ? jobs : [], () => true);
  const [openId, setOpenId] = useState<string | null>(null);
  const open = jobs.find((j) => j.id === openId) ?? null;

  if (jobs.length === 0) {
    return (
      <EmptyState
        icon={Activity}
        title="No jobs yet"
        description={emptyText ?? "Jobs appear here when you chunk sources, generate a dataset, train or export."}
      />
    );
  }
  return (
    <div className="space-y-2">
      <div className="flex justify-end text-xs text-muted-foreground" data-testid="live-mode">
        {mode === "live" ? "● Live" : mode === "polling" ? "Updating every 3 s" : "Connecting…"}
      </div>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Job</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="w-72">Progress</TableHead>
            <TableHead>Started</TableHead>
            <TableHead>Duration</TableHead>
            <TableHead title="Attempts (errors retried)">Attempts</TableHead>
            <TableHead />
          </TableRow>
        </TableHeader>
        <TableBody>
          {jobs.map((job) => {
            const duration = elapsedSeconds(job.startedAt, job.finishedAt);
            return (
              <TableRow key={job.id} data-testid={`job-${job.id}`} className="cursor-pointer" onClick={() => setOpenId(job.id)}>
                <TableCell className="font-medium">{JOB_LABELS[job.type]}</TableCell>
                <TableCell>
                  <JobStatusBadge status={job.status} />
                </TableCell>
                <TableCell>
                  <JobProgress job={job} />
                  {job.errorMessage && job.status !== "success" && <div className="mt-1 line-clamp-2 text-xs text-destructive">{job.errorMessage}</div>}
                </TableCell>
                <TableCell className="whitespace-nowrap text-sm text-muted-foreground">
                  {job.startedAt ? new Date(job.startedAt).toLocaleTimeString() : "–"}
                </TableCell>
                <TableCell className="whitespace-nowrap text-sm text-muted-foreground">{duration === null ? "–" : formatDuration(duration)}</TableCell>
                <TableCell className="text-sm tabular-nums text-muted-foreground">
                  {job.attempts}
                  {job.retryCount > 0 ? ` (${job.retryCount}/${job.maxRetries} retries)` : ""}
                </TableCell>
                <TableCell onClick={(e) => e.stopPropagation()}>
                  <JobActions projectId={projectId} job={job} canCancel={canCancel} canRetry={canRetry} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <JobDrawer projectId={projectId} job={open} onClose={() => setOpenId(null)} canCancel={canCancel} canRetry={canRetry} />
    </div>
  );
}
