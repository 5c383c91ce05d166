"use client";

import { RotateCcw, Square } from "lucide-react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { cancelJobAction, retryJobAction } from "@/lib/jobs/actions";
import { JOB_LABELS } from "@/lib/jobs/labels";
import type { JobView } from "@/lib/jobs/queries";

export function JobActions({ projectId, job, canCancel, canRetry }: { projectId: string; job: JobView; canCancel: boolean; canRetry: boolean }) {
  const cancel = useAction(cancelJobAction);
  const retry = useAction(retryJobAction);
  const active = job.status === "queued" || job.status === "running" || job.status === "retrying";
  return (
    <div className="flex items-center justify-end gap-1">
      {canCancel && active && (
        <Button
          variant="outline"
          size="sm"
          disabled={cancel.pending || job.cancelRequested}
          onClick={() => cancel.run({ projectId, jobId: job.id })}
          aria-label={`Cancel ${JOB_LABELS[job.type]} job`}
        >
          <Square className="size-3" /> {job.cancelRequested ? "Cancelling…" : "Cancel"}
        </Button>
      )}
      {canRetry && (job.status === "failed" || job.status === "cancelled") && (
        <Button
          variant="outline"
          size="sm"
          disabled={retry.pending}
          onClick={() => retry.run({ projectId, jobId: job.id })}
          aria-label={`Retry ${JOB_LABELS[job.type]} job`}
        >
          <RotateCcw className="size-3" /> Retry
        </Button>
      )}
      <FormError message={cancel.error?.message ?? retry.error?.message} />
    </div>
  );
}
