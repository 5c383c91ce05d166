import type { Metadata } from "next";
import { RunExportPanel } from "@/components/exports/run-export-panel";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { runTestSetResults } from "@/lib/evaluation/test-sets";
import { listExports } from "@/lib/exports";
import { evaluationOf } from "@/lib/exports/bundle";
import { evalGate } from "@/lib/exports/eval-gate";
import { mergedModelOf, mergedSizeEstimate } from "@/lib/exports/merged-model";
import { ollamaVariant } from "@/lib/exports/modelfile";
import { listProjectJobs } from "@/lib/jobs/queries";
import { listSecrets } from "@/lib/secrets";
import { listRuns } from "@/lib/training";

export const metadata: Metadata = { title: "Export" };

export default async function ExportPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const [runs, exports, jobs, secrets] = await Promise.all([listRuns(ctx), listExports(ctx), listProjectJobs(ctx, 100), listSecrets(ctx)]);
  const finished = runs.filter((r) => r.status === "success");
  // The team's own test sets: each run's tuned-vs-base result beside the eval split's.
  const testResults = new Map(await Promise.all(finished.map(async (r) => [r.id, await runTestSetResults(ctx.projectId, r.id)] as const)));
  const nameOf = new Map(runs.map((r) => [r.id, r.name]));
  const modelInfo = ctx.project.modelInfo as { model_id?: string; num_parameters?: number; torch_dtype?: string | null } | null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Ship a run</CardTitle>
        <CardDescription>Download everything a run made as one bundle you can load in Ollama, or push its adapter to the Hugging Face Hub.</CardDescription>
      </CardHeader>
      <CardContent>
        <RunExportPanel
          projectId={ctx.projectId}
          runs={finished.map((r) => {
            const evaluation = evaluationOf(r.metrics);
            const merged = mergedModelOf(r.metrics);
            const architecture = merged?.architectures[0] ?? null;
            return {
              id: r.id,
              name: r.name,
              evaluated: Boolean(evaluation),
              ...(evaluation ? { gate: evalGate(evaluation) } : {}),
              testGates: (testResults.get(r.id) ?? []).map((t) => ({ better: t.better !== false, summary: t.summary })),
              mergeEstimateBytes: mergedSizeEstimate(modelInfo, r.baseModelId),
              merged: merged
                ? { architecture, variant: ollamaVariant({ architecture }) as "merged" | "merged-gguf", weightsBytes: merged.weights_bytes }
                : null,
            };
          })}
          exports={exports
            .filter((x) => x.format === "bundle" || x.format === "hub")
            .map((x) => ({
              id: x.id,
              format: x.format,
              status: x.status,
              url: x.url,
              sizeBytes: x.sizeBytes,
              filename: x.filename,
              jobId: x.jobId,
              runName: (x.runId && nameOf.get(x.runId)) || "run",
              createdAt: x.createdAt,
              error: typeof x.metadata.error === "string" ? x.metadata.error : null,
            }))}
          jobs={jobs.filter((j) => j.type === "export" || j.type === "model_merge")}
          canCreate={can(ctx.role, "exports.create")}
          hasToken={secrets.some((s) => s.name === "HF_TOKEN")}
          settingsHref={`/w/${workspace}/settings`}
          evaluateHref={`/w/${workspace}/p/${project}/evaluate`}
        />
      </CardContent>
    </Card>
  );
}
