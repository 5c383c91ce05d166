import type { Metadata } from "next";
import { ModelInfoCard } from "@/components/training/model-info-card";
import { RunList } from "@/components/training/run-list";
import { TrainForm } from "@/components/training/train-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import type { ModelInfo } from "@/lib/base-models/info";
import { localRunnersAllowed } from "@/lib/env";
import { listProjectJobs } from "@/lib/jobs/queries";
import { ensureLocalRunner, listRunners } from "@/lib/runners";
import { listRuns } from "@/lib/training";
import { listPresets } from "@/lib/training/presets";

export const metadata: Metadata = { title: "Train" };

export default async function TrainPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  await ensureLocalRunner(ctx);
  const [runners, presets, runs, jobs] = await Promise.all([listRunners(ctx), listPresets(ctx), listRuns(ctx), listProjectJobs(ctx, 100)]);
  const base = `/w/${workspace}/p/${project}`;
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Base model</CardTitle>
          <CardDescription>The Hugging Face model the adapter is trained on.</CardDescription>
        </CardHeader>
        <CardContent>
          <ModelInfoCard
            projectId={ctx.projectId}
            baseModelId={ctx.project.baseModelId}
            info={(ctx.project.modelInfo as ModelInfo | null) ?? null}
            canRefresh={can(ctx.role, "project.update")}
            settingsHref={`${base}/settings`}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>New run</CardTitle>
          <CardDescription>Choose where to train and how; the preflight says whether it fits and how long it takes before you launch.</CardDescription>
        </CardHeader>
        <CardContent>
          <TrainForm
            workspaceId={ctx.workspace.id}
            projectId={ctx.projectId}
            runners={runners.map((r) => ({
              id: r.id,
              name: r.name,
              ready: r.kind === "local" ? localRunnersAllowed() : Boolean(r.hostKeyFingerprint),
              freeVramGb: r.lastCheck?.gpus.length ? Math.max(...r.lastCheck.gpus.map((g) => g.memoryFreeMb)) / 1024 : null,
              noGpu: r.lastCheck ? r.lastCheck.gpus.length === 0 : false,
            }))}
            presets={presets}
            canLaunch={can(ctx.role, "training.launch")}
            settingsHref={`/w/${workspace}/settings`}
            runHrefBase={`${base}/train/`}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Runs</CardTitle>
          <CardDescription>Every run keeps its dataset version, settings, curves and adapter.</CardDescription>
        </CardHeader>
        <CardContent>
          <RunList
            projectId={ctx.projectId}
            runs={runs}
            jobs={jobs.filter((j) => j.type === "train")}
            hrefFor={Object.fromEntries(runs.map((r) => [r.id, `${base}/train/${r.id}`]))}
          />
        </CardContent>
      </Card>
    </div>
  );
}
