import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteRun, RunNotes } from "@/components/training/run-housekeeping";
import { RunView } from "@/components/training/run-view";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { isAppError } from "@/lib/errors";
import { listProjectJobs } from "@/lib/jobs/queries";
import { getRun, runFiles, runMetrics } from "@/lib/training";

export const metadata: Metadata = { title: "Run" };

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs uppercase tracking-wide text-muted-foreground">{label}</dt>
      <dd className="break-words">{value}</dd>
    </div>
  );
}

export default async function RunPage({ params }: { params: Promise<{ workspace: string; project: string; runId: string }> }) {
  const { workspace, project, runId } = await params;
  const ctx = await projectPageContext(workspace, project);
  const run = await getRun(ctx, runId).catch((error) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  const [points, files, jobs] = await Promise.all([runMetrics(ctx, run.id), runFiles(ctx, run.id), listProjectJobs(ctx, 200)]);
  const hp = run.hyperparams;
  return (
    <div className="space-y-6">
      <Link href={`/w/${workspace}/p/${project}/train`} className="text-sm text-muted-foreground hover:underline">
        ← All runs
      </Link>
      <Card>
        <CardHeader>
          <CardTitle data-testid="run-title">{run.name}</CardTitle>
          <CardDescription>
            {run.method.toUpperCase()} of <code>{run.baseModelId}</code> on {run.runnerName ?? "a deleted runner"}
            {run.datasetVersion ? ` · dataset version ${run.datasetVersion}` : ""} · r {hp.lora_r}, alpha {hp.lora_alpha}, lr {hp.learning_rate},{" "}
            {hp.num_epochs} epochs, batch {hp.per_device_batch_size}×{hp.gradient_accumulation_steps}, seq {hp.max_seq_length}
            {hp.packing ? ", packing" : ""}
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <RunNotes projectId={ctx.projectId} runId={run.id} description={run.description} tags={run.tags} canEdit={can(ctx.role, "training.launch")} />
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="run-facts">
            <Fact label="Started by" value={run.createdBy ?? "–"} />
            <Fact label="Preset" value={run.presetName ?? "custom"} />
            <Fact label="Peak GPU memory" value={run.peakGpuMemoryMb !== null ? `${(run.peakGpuMemoryMb / 1024).toFixed(1)} GB` : "–"} />
            <Fact label="Peak CPU memory" value={run.peakCpuMemoryMb !== null ? `${(run.peakCpuMemoryMb / 1024).toFixed(1)} GB` : "–"} />
            <Fact
              label="GPU"
              value={
                run.hardware.gpus.length
                  ? run.hardware.gpus.map((g) => `${g.name}${g.memoryMb ? ` (${Math.round(g.memoryMb / 1024)} GB)` : ""}`).join(", ")
                  : "none reported"
              }
            />
            <Fact
              label="Software"
              value={
                [
                  run.hardware.python && `Python ${run.hardware.python}`,
                  run.hardware.torch && `torch ${run.hardware.torch}`,
                  run.hardware.transformers && `transformers ${run.hardware.transformers}`,
                  run.hardware.peft && `peft ${run.hardware.peft}`,
                ]
                  .filter(Boolean)
                  .join(" · ") || "–"
              }
            />
          </dl>
          <RunView
            projectId={ctx.projectId}
            run={run}
            points={points}
            files={files}
            job={jobs.find((j) => j.id === run.jobId) ?? null}
            canCancel={can(ctx.role, "jobs.cancel")}
            canRetry={can(ctx.role, "jobs.run")}
          />
          {can(ctx.role, "training.launch") && !["queued", "running", "retrying"].includes(run.status) && (
            <DeleteRun
              projectId={ctx.projectId}
              runId={run.id}
              name={run.name}
              files={files.length}
              sizeLabel={`${(files.reduce((n, f) => n + f.sizeBytes, 0) / 1024 / 1024).toFixed(1)} MB`}
              listHref={`/w/${workspace}/p/${project}/train`}
            />
          )}
        </CardContent>
      </Card>
    </div>
  );
}
