"use client";

import { Database, ExternalLink, FileText, Globe, RefreshCw, Trash2, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { JobProgress } from "@/components/jobs/job-progress";
import { useProjectJobs, useRefreshWhenSettled } from "@/components/jobs/use-project-jobs";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { formatBytes } from "@/components/ui/format-bytes";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import type { JobView } from "@/lib/jobs/queries";
import type { SourceView } from "@/lib/sources";
import { deleteSourceAction, rechunkSourcesAction } from "@/lib/sources/actions";
import { ImportDialog } from "./import-dialog";
import { UnlockPdfForm } from "./unlock-pdf-form";

const STATUS = {
  uploading: { label: "Uploading", tone: "secondary" },
  processing: { label: "Processing", tone: "warning" },
  ready: { label: "Ready", tone: "success" },
  failed: { label: "Failed", tone: "destructive" },
} as const;

function fileIdOf(job: JobView): string | undefined {
  const payload = job.payload as { fileId?: unknown } | null;
  return typeof payload?.fileId === "string" ? payload.fileId : undefined;
}

type Props = { projectId: string; base: string; sources: SourceView[]; jobs: JobView[]; canManage: boolean; canImport: boolean };

export function SourceList({ projectId, base, sources, jobs: initialJobs, canManage, canImport }: Props) {
  const { jobs } = useProjectJobs(projectId, initialJobs);
  const remove = useAction(deleteSourceAction);
  const rechunk = useAction(rechunkSourcesAction);

  // The newest job of each file, to show its live progress; a finished one refreshes the list.
  const latest = new Map<string, JobView>();
  for (const job of jobs) {
    const fileId = fileIdOf(job);
    if (fileId && !latest.has(fileId)) latest.set(fileId, job);
  }
  useRefreshWhenSettled(jobs, (j) => Boolean(fileIdOf(j)));

  const stale = sources.filter((s) => s.stale);
  return (
    <div className="space-y-3">
      <FormError message={remove.error?.message ?? rechunk.error?.message} />
      {canManage && stale.length > 0 && (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-warning/40 bg-warning/10 p-3 text-sm">
          <span>
            {stale.length} document{stale.length === 1 ? " was" : "s were"} chunked with other settings than the project&apos;s current ones.
          </span>
          <Button
            size="sm"
            variant="outline"
            disabled={rechunk.pending}
            onClick={() => rechunk.run({ projectId, fileIds: stale.map((s) => s.id) }, () => toast.success("Re-chunking started."))}
          >
            <RefreshCw className="size-3" /> Re-chunk with current settings
          </Button>
        </div>
      )}
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Source</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="text-right">Size</TableHead>
            <TableHead className="text-right">Chunks</TableHead>
            <TableHead className="text-right">Tokens</TableHead>
            <TableHead />
          </TableRow>
        </TableHeader>
        <TableBody>
          {sources.map((source) => {
            const job = latest.get(source.id);
            const live = job && ["queued", "running", "retrying"].includes(job.status);
            const Icon = source.kind === "dataset_upload" ? Database : source.sourceUrl ? Globe : FileText;
            return (
              <TableRow key={source.id} data-testid={`source-${source.filename}`} data-status={source.status}>
                <TableCell className="max-w-sm">
                  <div className="flex items-center gap-2">
                    <Icon className="size-4 shrink-0 text-muted-foreground" />
                    <span className="truncate font-medium" title={source.filename}>
                      {source.filename}
                    </span>
                    {source.format && (
                      <Badge variant="outline" className="uppercase">
                        {source.format.replace("_", " ")}
                      </Badge>
                    )}
                    {source.sourceUrl && (
                      <a href={source.sourceUrl} target="_blank" rel="noreferrer noopener" aria-label="Open the page">
                        <ExternalLink className="size-3 text-muted-foreground" />
                      </a>
                    )}
                  </div>
                  {source.status === "failed" && source.errorMessage && (
                    <p className="mt-1 whitespace-normal text-xs text-destructive" data-testid="source-error">
                      {source.errorMessage}
                    </p>
                  )}
                  {canManage && source.needsPassword && <UnlockPdfForm projectId={projectId} fileId={source.id} filename={source.filename} />}
                  {source.warnings.length > 0 && (
                    <ul className="mt-1 space-y-0.5 whitespace-normal text-xs text-amber-700 dark:text-amber-400" data-testid="source-warnings">
                      {source.warnings.map((warning) => (
                        <li key={warning} className="flex items-start gap-1">
                          <TriangleAlert className="mt-0.5 size-3 shrink-0" aria-hidden />
                          <span>{warning}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                  {source.importSummary && (
                    <p className="mt-1 text-xs text-muted-foreground">
                      Imported {source.importSummary.imported?.toLocaleString()} rows: {source.importSummary.valid?.toLocaleString()} valid,{" "}
                      {source.importSummary.invalid?.toLocaleString()} invalid, {source.importSummary.duplicates?.toLocaleString()} duplicates.
                    </p>
                  )}
                  {source.importDetails.length > 0 && (
                    <ul className="mt-0.5 list-inside list-disc whitespace-normal text-xs text-muted-foreground" data-testid="import-details">
                      {source.importDetails.map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
                  )}
                </TableCell>
                <TableCell className="w-56">
                  {live ? (
                    <JobProgress job={job} />
                  ) : source.kind === "dataset_upload" && source.status === "ready" && !source.importSummary ? (
                    <Badge variant="warning">Needs mapping</Badge>
                  ) : (
                    <Badge variant={STATUS[source.status].tone}>{STATUS[source.status].label}</Badge>
                  )}
                </TableCell>
                <TableCell className="text-right text-sm tabular-nums text-muted-foreground">
                  {source.sizeBytes ? formatBytes(source.sizeBytes) : "–"}
                </TableCell>
                <TableCell className="text-right tabular-nums" data-testid="chunk-count">
                  {source.kind === "raw_doc" ? source.chunkCount.toLocaleString() : "–"}
                </TableCell>
                <TableCell className="text-right text-sm tabular-nums text-muted-foreground">{source.tokenCount?.toLocaleString() ?? "–"}</TableCell>
                <TableCell>
                  <div className="flex justify-end gap-1">
                    {source.kind === "raw_doc" && source.chunkCount > 0 && (
                      <Button asChild variant="outline" size="sm">
                        <Link href={`${base}/sources/${source.id}`}>Chunks</Link>
                      </Button>
                    )}
                    {source.kind === "dataset_upload" && canImport && source.status === "ready" && (
                      <ImportDialog projectId={projectId} fileId={source.id} filename={source.filename} imported={Boolean(source.importSummary)} />
                    )}
                    {canManage && source.kind === "raw_doc" && (source.status === "ready" || source.status === "failed") && (
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={`Re-chunk ${source.filename}`}
                        disabled={rechunk.pending}
                        onClick={() => rechunk.run({ projectId, fileIds: [source.id] }, () => toast.success("Re-chunking started."))}
                      >
                        <RefreshCw className="size-4" />
                      </Button>
                    )}
                    {canManage && (
                      <ConfirmButton
                        title={`Delete ${source.filename}?`}
                        description="Its chunks and stored file are deleted. Examples generated from it keep their text but lose the link to it."
                        confirmLabel="Delete"
                        onConfirm={() => remove.run({ projectId, fileId: source.id }, () => toast.success("Source deleted."))}
                      >
                        <Button variant="ghost" size="icon" aria-label={`Delete ${source.filename}`}>
                          <Trash2 className="size-4" />
                        </Button>
                      </ConfirmButton>
                    )}
                  </div>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
