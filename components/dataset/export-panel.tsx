"use client";

import { Download, FileArchive } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { JobProgress } from "@/components/jobs/job-progress";
import { useProjectJobs, useRefreshWhenSettled } from "@/components/jobs/use-project-jobs";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { formatBytes } from "@/components/ui/format-bytes";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { startDatasetExportAction } from "@/lib/datasets/actions";
import type { ExportFormatInfo } from "@/lib/exports/dataset/formats";
import type { JobView } from "@/lib/jobs/queries";

export type ExportItem = {
  id: string;
  format: string;
  status: string;
  sizeBytes: number | null;
  metadata: Record<string, unknown>;
  filename: string | null;
  jobId: string | null;
  createdBy: string | null;
  createdAt: string;
};

type Props = { projectId: string; formats: readonly ExportFormatInfo[]; exports: ExportItem[]; jobs: JobView[]; canCreate: boolean };

const SELECTIONS = {
  valid: "Valid examples, without rejected ones and duplicates",
  approved: "Approved examples only",
  all: "Everything, invalid ones included",
} as const;

export function ExportPanel({ projectId, formats, exports, jobs, canCreate }: Props) {
  const router = useRouter();
  const [format, setFormat] = useState(formats.find((f) => f.id === "alpaca")?.id ?? formats[0].id);
  const start = useAction(startDatasetExportAction);
  const { jobs: live } = useProjectJobs(projectId, jobs);
  const byId = new Map(live.map((j) => [j.id, j]));
  useRefreshWhenSettled(live, (j) => j.type === "export");
  const info = formats.find((f) => f.id === format)!;

  return (
    <div className="space-y-6">
      {canCreate && (
        <form
          className="space-y-4"
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            await start.run(
              {
                projectId,
                format,
                selection: String(data.get("selection")) as keyof typeof SELECTIONS,
                systemPrompt: info.systemPrompt ? String(data.get("systemPrompt") ?? "") || undefined : undefined,
                reasoning: data.get("reasoning") === "on",
              },
              () => {
                toast.success("Export started.");
                router.refresh();
              },
            );
          }}
        >
          <FormError message={start.error?.message} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Format" htmlFor="export-format" hint={info.description}>
              <NativeSelect id="export-format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
                {formats.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.label}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field label="Examples" htmlFor="export-selection">
              <NativeSelect id="export-selection" name="selection" defaultValue="valid">
                {Object.entries(SELECTIONS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </NativeSelect>
            </Field>
          </div>
          {info.systemPrompt && (
            <Field label="System prompt (optional)" htmlFor="export-system">
              <Textarea id="export-system" name="systemPrompt" rows={2} placeholder="You are a helpful support assistant for Acme." />
            </Field>
          )}
          <label className="flex items-center gap-2 text-sm" htmlFor="export-reasoning">
            <input id="export-reasoning" name="reasoning" type="checkbox" className="size-4 accent-primary" />
            Include the model's reasoning, where generation asked for it, in a &lt;think&gt; block before the answer
          </label>
          <Button type="submit" disabled={start.pending}>
            <FileArchive className="size-4" /> {start.pending ? "Starting…" : "Export train and eval files"}
          </Button>
        </form>
      )}
      {exports.length > 0 && (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Export</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Examples</TableHead>
              <TableHead className="text-right">Size</TableHead>
              <TableHead />
            </TableRow>
          </TableHeader>
          <TableBody>
            {exports.map((e) => {
              const job = e.jobId ? byId.get(e.jobId) : undefined;
              const counts = e.metadata.counts as { train?: number; eval?: number } | undefined;
              return (
                <TableRow key={e.id} data-testid={`export-${e.format}`} data-status={e.status}>
                  <TableCell>
                    <div className="font-medium">{formats.find((f) => f.id === e.format)?.label ?? e.format}</div>
                    <div className="text-xs text-muted-foreground">
                      {new Date(e.createdAt).toLocaleString()} {e.createdBy ? `· ${e.createdBy}` : ""} ·{" "}
                      {SELECTIONS[(e.metadata.selection as keyof typeof SELECTIONS) ?? "valid"]}
                    </div>
                  </TableCell>
                  <TableCell className="w-56">
                    {job && ["queued", "running", "retrying"].includes(job.status) ? (
                      <JobProgress job={job} />
                    ) : (
                      <Badge variant={e.status === "success" ? "success" : e.status === "failed" ? "destructive" : "secondary"}>{e.status}</Badge>
                    )}
                  </TableCell>
                  <TableCell className="text-right text-sm tabular-nums">{counts ? `${counts.train ?? 0} train · ${counts.eval ?? 0} eval` : "–"}</TableCell>
                  <TableCell className="text-right text-sm tabular-nums">{e.sizeBytes ? formatBytes(e.sizeBytes) : "–"}</TableCell>
                  <TableCell>
                    {e.status === "success" && (
                      <Button asChild size="sm" variant="outline">
                        <a href={`/api/projects/${projectId}/exports/${e.id}/download`} download>
                          <Download className="size-3" /> Download
                        </a>
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
