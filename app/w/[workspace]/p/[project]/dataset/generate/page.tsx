import type { Metadata } from "next";
import { GenerationSettingsForm } from "@/components/dataset/generation-settings-form";
import { PreviewCards } from "@/components/dataset/preview-cards";
import { RunPanel } from "@/components/dataset/run-panel";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { estimateGeneration, generationBlocker, listPreviewExamples } from "@/lib/generation";
import { builtinPrompt } from "@/lib/generation/prompts";
import { readGenerationSettings } from "@/lib/generation/settings";
import { listProjectJobs } from "@/lib/jobs/queries";
import { ensureDefaultProvider, listProviders } from "@/lib/llm";
import { readProjectConfig } from "@/lib/projects/config";

export const metadata: Metadata = { title: "Generate" };

export default async function GeneratePage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  // A workspace without providers gets Ollama on this machine, the default of a self-hosted install.
  await ensureDefaultProvider(ctx);
  const [providers, estimate, preview, jobs, blocker] = await Promise.all([
    listProviders(ctx),
    estimateGeneration(ctx),
    listPreviewExamples(ctx),
    listProjectJobs(ctx, 50),
    generationBlocker(ctx),
  ]);
  const config = readProjectConfig(ctx.project.config);
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Generation settings</CardTitle>
          <CardDescription>Which LLM writes the examples, how many, and with which prompt.</CardDescription>
        </CardHeader>
        <CardContent>
          <GenerationSettingsForm
            projectId={ctx.projectId}
            taskType={ctx.project.taskType}
            settings={readGenerationSettings(ctx.project.config)}
            config={config}
            providers={providers.map((p) => ({ id: p.id, name: p.name, kind: p.kind, defaultModel: p.defaultModel, isDefault: p.isDefault }))}
            builtinPrompt={builtinPrompt(ctx.project.taskType)}
            canEdit={can(ctx.role, "dataset.edit")}
            settingsHref={`/w/${workspace}/settings`}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Run</CardTitle>
          <CardDescription>Preview 10 examples first; adjust the prompt or settings until they look right, then generate the dataset.</CardDescription>
        </CardHeader>
        <CardContent>
          <RunPanel
            projectId={ctx.projectId}
            estimate={estimate}
            jobs={jobs}
            canRun={can(ctx.role, "jobs.run")}
            canCancel={can(ctx.role, "jobs.cancel")}
            blocker={blocker}
          />
        </CardContent>
      </Card>
      {preview.length > 0 && (
        <Card>
          <CardHeader>
            <CardTitle>Preview</CardTitle>
            <CardDescription>{preview.length} examples from chunks spread across the sources. They are not part of the dataset.</CardDescription>
          </CardHeader>
          <CardContent>
            <PreviewCards examples={preview} />
          </CardContent>
        </Card>
      )}
    </div>
  );
}
