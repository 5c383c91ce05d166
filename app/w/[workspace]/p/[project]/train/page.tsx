import type { Metadata } from "next";
import { ModelInfoCard } from "@/components/training/model-info-card";
import { RunFilters } from "@/components/training/run-filters";
import { RunList } from "@/components/training/run-list";
import { TrainForm } from "@/components/training/train-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import type { ModelInfo } from "@/lib/base-models/info";
import { localRunnersAllowed } from "@/lib/env";
import { listProjectJobs } from "@/lib/jobs/queries";
import { ensureLocalRunner, listRunners } from "@/lib/runners";
import { listRuns, readLastTraining, runFilterSchema } from "@/lib/training";
import { listPresets } from "@/lib/training/presets";

export const metadata: Metadata = { title: "Train" };

export default async function TrainPage({
  params,
  searchParams,
}: {
  params: Promise<{ workspace: string; project: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  await ensureLocalRunner(ctx);
  // Empty fields of the filter form mean "any"; a malformed one is ignored rather than an error page.
  const raw = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => v));
  const parsed = runFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const [runners, presets, runs, allRuns, jobs] = await Promise.all([
    listRunners(ctx),
    listPresets(ctx),
    listRuns(ctx, filter),
    listRuns(ctx),
    listProjectJobs(ctx, 100),
  ]);
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
            last={readLastTraining(ctx.project.config)}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Runs</CardTitle>
          <CardDescription>Every run keeps its dataset version, settings, curves and adapter.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          {allRuns.length > 0 && (
            <RunFilters
              filter={filter}
              baseModels={[...new Set(allRuns.flatMap((r) => (r.baseModelId ? [r.baseModelId] : [])))].sort()}
              presets={presets.map((p) => ({ id: p.id, name: p.name }))}
              tags={[...new Set(allRuns.flatMap((r) => r.tags))].sort()}
              clearHref={`${base}/train`}
            />
          )}
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
