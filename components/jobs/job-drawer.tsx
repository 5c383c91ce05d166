"use client";

import { useEffect, useState } from "react";
import { cn } from "@/components/ui/cn";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { JOB_LABELS } from "@/lib/jobs/labels";
import type { JobLogLine, JobView } from "@/lib/jobs/queries";
import { Failure } from "./failure";
import { elapsedSeconds, formatDuration } from "./format";
import { JobActions } from "./job-actions";
import { JobProgress } from "./job-progress";
import { JobStatusBadge } from "./job-status";

const LEVEL_COLOR: Record<string, string> = { error: "text-destructive", warn: "text-warning", info: "text-foreground", debug: "text-muted-foreground" };

type Props = { projectId: string; job: JobView | null; onClose(): void; canCancel: boolean; canRetry: boolean };

/** A job's details and its log lines, refreshed whenever the job changes. */
export function JobDrawer({ projectId, job, onClose, canCancel, canRetry }: Props) {
  const [logs, setLogs] = useState<JobLogLine[]>([]);
  const [errorDetail, setErrorDetail] = useState<string | null>(null);
  const jobId = job?.id;
  const version = job?.updatedAt;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` (the job's updatedAt) is the trigger to reload its logs
  useEffect(() => {
    if (!jobId) return;
    let cancelled = false;
    fetch(`/api/projects/${projectId}/jobs/${jobId}`, { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { logs: JobLogLine[]; errorDetail: string | null } | null) => {
        if (!cancelled && body) {
          setLogs(body.logs);
          setErrorDetail(body.errorDetail);
        }
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [projectId, jobId, version]);

  const duration = job ? elapsedSeconds(job.startedAt, job.finishedAt) : null;
  return (
    <Sheet open={Boolean(job)} onOpenChange={(open) => !open && onClose()}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-xl">
        {job && (
          <>
            <SheetHeader>
              <SheetTitle className="flex items-center gap-2">
                {JOB_LABELS[job.type]} <JobStatusBadge status={job.status} />
              </SheetTitle>
              <SheetDescription>
                Created {new Date(job.createdAt).toLocaleString()}
                {duration !== null && ` · ran ${formatDuration(duration)}`} · attempt {job.attempts}
              </SheetDescription>
            </SheetHeader>
            <div className="space-y-4 px-4 pb-6">
              <JobProgress job={job} />
              {job.errorMessage && <Failure message={job.errorMessage} detail={errorDetail} />}
              <JobActions projectId={projectId} job={job} canCancel={canCancel} canRetry={canRetry} />
              {job.resultSummary !== null && typeof job.resultSummary === "object" && Object.keys(job.resultSummary as object).length > 0 && (
                <div>
                  <h3 className="mb-1 text-sm font-medium">Result</h3>
                  <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
                    {Object.entries(job.resultSummary as Record<string, unknown>).map(([k, v]) => (
                      <div key={k} className="contents">
                        <dt className="text-muted-foreground">{k.replace(/_/g, " ")}</dt>
                        <dd className="truncate font-mono text-xs">{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                      </div>
                    ))}
                  </dl>
                </div>
              )}
              <div>
                <h3 className="mb-1 text-sm font-medium">Log</h3>
                <div className="max-h-96 overflow-y-auto rounded-md border bg-muted/30 p-2 font-mono text-xs" data-testid="job-log">
                  {logs.length === 0 ? (
                    <div className="text-muted-foreground">No log lines yet.</div>
                  ) : (
                    logs.map((line) => (
                      <div key={line.id} className={cn("whitespace-pre-wrap", LEVEL_COLOR[line.level])}>
                        <span className="text-muted-foreground">{new Date(line.timestamp).toLocaleTimeString()} </span>
                        {line.message}
                      </div>
                    ))
                  )}
                </div>
              </div>
            </div>
          </>
        )}
      </SheetContent>
    </Sheet>
  );
}
