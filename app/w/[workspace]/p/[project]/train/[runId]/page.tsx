import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RunView } from "@/components/training/run-view";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { isAppError } from "@/lib/errors";
import { listProjectJobs } from "@/lib/jobs/queries";
import { getRun, runFiles, runMetrics } from "@/lib/training";

export const metadata: Metadata = { title: "Run" };

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
        <CardContent>
          <RunView
            projectId={ctx.projectId}
            run={run}
            points={points}
            files={files}
            job={jobs.find((j) => j.id === run.jobId) ?? null}
            canCancel={can(ctx.role, "jobs.cancel")}
            canRetry={can(ctx.role, "jobs.run")}
          />
        </CardContent>
      </Card>
    </div>
  );
}
