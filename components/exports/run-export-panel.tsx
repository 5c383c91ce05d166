"use client";

import { Combine, Download, ExternalLink, FileArchive, UploadCloud } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { JobProgress } from "@/components/jobs/job-progress";
import { useProjectJobs, useRefreshWhenSettled } from "@/components/jobs/use-project-jobs";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { formatBytes } from "@/components/ui/format-bytes";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { startBundleExportAction, startHubPushAction, startModelMergeAction } from "@/lib/exports/actions";
import type { JobView } from "@/lib/jobs/queries";

/** `gate`: the evaluation's tuned-vs-base verdict, shown before shipping (lib/exports/eval-gate). */
type Gate = { better: boolean; summary: string };
/** `testGates`: the same verdict on each of the team's test sets the run answered, with the arena's votes. */
/** `merged`: the run's merged model (job model_merge), and the Ollama route the bundle takes with it. */
type Merged = { architecture: string | null; variant: "merged" | "merged-gguf"; weightsBytes: number };
type RunOption = {
  id: string;
  name: string;
  evaluated: boolean;
  gate?: Gate;
  testGates?: Gate[];
  merged?: Merged | null;
  /** About how large the merged weights will be (the base's parameters at 16 bits), when known. */
  mergeEstimateBytes?: number | null;
};
export type RunExportItem = {
  id: string;
  format: string;
  status: string;
  url: string | null;
  sizeBytes: number | null;
  filename: string | null;
  jobId: string | null;
  runName: string;
  createdAt: string;
  error: string | null;
};

type Props = {
  projectId: string;
  runs: RunOption[];
  exports: RunExportItem[];
  jobs: JobView[];
  canCreate: boolean;
  hasToken: boolean;
  settingsHref: string;
  evaluateHref: string;
};

/** Bundle download and Hub push of an evaluated run, with the exports made so far. */
export function RunExportPanel({ projectId, runs, exports, jobs, canCreate, hasToken, settingsHref, evaluateHref }: Props) {
  const router = useRouter();
  const evaluated = runs.filter((r) => r.evaluated);
  const [runId, setRunId] = useState(evaluated[0]?.id ?? "");
  const [repo, setRepo] = useState("");
  const [isPrivate, setPrivate] = useState(true);
  const [withDataset, setWithDataset] = useState(false);
  const bundle = useAction(startBundleExportAction);
  const push = useAction(startHubPushAction);
  const merge = useAction(startModelMergeAction);
  const { jobs: live } = useProjectJobs(projectId, jobs);
  useRefreshWhenSettled(live, (j) => j.type === "export" || j.type === "model_merge");
  const selected = evaluated.find((r) => r.id === runId);
  const mergeJob = live.find((j) => j.type === "model_merge" && (j.payload as { runId?: string } | null)?.runId === runId);
  const merging = mergeJob && ["queued", "running", "retrying"].includes(mergeJob.status);

  return (
    <div className="space-y-6">
      {evaluated.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          No evaluated run yet. Every bundle ships with its evaluation:{" "}
          <a className="underline" href={evaluateHref}>
            evaluate a finished run
          </a>{" "}
          first.
        </p>
      ) : (
        <div className="space-y-4">
          <Field label="Run" htmlFor="x-run">
            <NativeSelect id="x-run" value={runId} onChange={(e) => setRunId(e.target.value)}>
              {evaluated.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
          {(() => {
            const run = evaluated.find((r) => r.id === runId);
            const gates = [
              ...(run?.gate ? [{ ...run.gate, testId: "eval-gate" }] : []),
              ...(run?.testGates ?? []).map((g) => ({ ...g, testId: "test-set-gate" })),
            ];
            return gates.map((gate) => (
              <p
                key={gate.summary}
                className={`rounded-md border p-3 text-sm ${gate.better ? "text-muted-foreground" : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"}`}
                data-testid={gate.testId}
              >
                {gate.summary}
              </p>
            ));
          })()}
          <div className="grid gap-4 lg:grid-cols-2">
            <div className="space-y-2 rounded-md border p-4">
              <div className="flex items-center gap-2 font-medium">
                <FileArchive className="size-4" /> Bundle (ZIP)
              </div>
              <p className="text-sm text-muted-foreground">
                Adapter and tokenizer, training config and preset, the dataset version, metrics with a loss-curve image, the eval report, a model card, an
                Ollama Modelfile and a reproducibility manifest.
              </p>
              <div className="space-y-2 rounded-md bg-muted/50 p-3 text-sm" data-testid="ollama-route">
                {selected?.merged ? (
                  <p>
                    <span className="font-medium">Merged model ready</span> ({selected.merged.architecture ?? "unknown architecture"},{" "}
                    {formatBytes(selected.merged.weightsBytes)}).{" "}
                    {selected.merged.variant === "merged"
                      ? "The bundle adds it as model/ and its Modelfile imports it with ollama create."
                      : "Ollama cannot convert this architecture itself: the bundle's how-to converts model/ to GGUF with llama.cpp first."}
                  </p>
                ) : (
                  <p className="text-muted-foreground">
                    Without a merged model the Modelfile puts the adapter on the base model, which ollama create accepts only for Llama and Gemma 2 bases, and
                    not at all from Ollama 0.12.11. Merging folds the adapter into the base weights on the run's GPU box
                    {selected?.mergeEstimateBytes ? ` and stores about ${formatBytes(selected.mergeEstimateBytes)} (the base model's size)` : ""}.
                  </p>
                )}
                {merging && mergeJob && <JobProgress job={mergeJob} />}
                {mergeJob?.status === "failed" && mergeJob.errorMessage && <p className="text-xs text-destructive">{mergeJob.errorMessage}</p>}
                <FormError message={merge.error?.message} />
                {canCreate && !merging && (
                  <Button
                    variant="outline"
                    size="sm"
                    disabled={merge.pending || !runId}
                    onClick={() =>
                      merge.run({ projectId, runId }, () => {
                        toast.success("Merging the adapter into the base model.");
                        router.refresh();
                      })
                    }
                    data-testid="merge-model"
                  >
                    <Combine className="size-4" /> {merge.pending ? "Starting…" : selected?.merged ? "Merge again" : "Merge into the base model"}
                  </Button>
                )}
              </div>
              <FormError message={bundle.error?.message} />
              {canCreate && (
                <Button
                  disabled={bundle.pending || !runId}
                  onClick={() =>
                    bundle.run({ projectId, runId }, () => {
                      toast.success("Building the bundle.");
                      router.refresh();
                    })
                  }
                  data-testid="build-bundle"
                >
                  <FileArchive className="size-4" /> {bundle.pending ? "Starting…" : "Build bundle"}
                </Button>
              )}
            </div>
            <form
              className="space-y-3 rounded-md border p-4"
              onSubmit={(event) => {
                event.preventDefault();
                void push.run({ projectId, runId, hub: { repo, private: isPrivate, includeDataset: withDataset } }, () => {
                  toast.success("Pushing to the Hub.");
                  router.refresh();
                });
              }}
            >
              <div className="flex items-center gap-2 font-medium">
                <UploadCloud className="size-4" /> Push to the Hugging Face Hub
              </div>
              {!hasToken && (
                <p className="text-sm text-amber-600">
                  Needs a write token: add <code>HF_TOKEN</code> in{" "}
                  <a className="underline" href={settingsHref}>
                    workspace settings → Secrets
                  </a>
                  .
                </p>
              )}
              <Field
                label="Repository"
                htmlFor="x-repo"
                error={push.fieldErrors["hub.repo"]}
                hint="namespace/name: your user or an organization your token can write to."
              >
                <Input id="x-repo" value={repo} placeholder="your-user/handbook-qa-lora" onChange={(e) => setRepo(e.target.value)} className="font-mono" />
              </Field>
              <div className="flex flex-wrap gap-6 text-sm">
                <div className="flex items-center gap-2">
                  <Switch id="x-private" checked={isPrivate} onCheckedChange={setPrivate} /> <label htmlFor="x-private">Private</label>
                </div>
                <div className="flex items-center gap-2">
                  <Switch id="x-with-dataset" checked={withDataset} onCheckedChange={setWithDataset} />{" "}
                  <label htmlFor="x-with-dataset">
                    Also push the dataset (to <code>{repo || "…"}-dataset</code>)
                  </label>
                </div>
              </div>
              <FormError message={push.error && !push.error.fieldErrors ? push.error.message : undefined} />
              {canCreate && (
                <Button type="submit" variant="outline" disabled={push.pending || !runId || !repo}>
                  <UploadCloud className="size-4" /> {push.pending ? "Starting…" : "Push"}
                </Button>
              )}
            </form>
          </div>
        </div>
      )}
      {exports.length > 0 && (
        <Table data-testid="run-exports">
          <TableHeader>
            <TableRow>
              <TableHead>Export</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Size</TableHead>
              <TableHead />
            </TableRow>
          </TableHeader>
          <TableBody>
            {exports.map((x) => {
              const job = live.find((j) => j.id === x.jobId);
              const active = job && ["queued", "running", "retrying"].includes(job.status);
              return (
                <TableRow key={x.id} data-testid={`export-${x.format}`}>
                  <TableCell>
                    <div className="font-medium">
                      {x.format === "hub" ? "Hub push" : "Bundle"} · {x.runName}
                    </div>
                    <div className="text-xs text-muted-foreground">{new Date(x.createdAt).toLocaleString()}</div>
                  </TableCell>
                  <TableCell className="w-64">
                    {active && job ? (
                      <JobProgress job={job} />
                    ) : (
                      <Badge variant={x.status === "success" ? "secondary" : x.status === "failed" ? "destructive" : "outline"}>{x.status}</Badge>
                    )}
                    {x.status === "failed" && (job?.errorMessage ?? x.error) && (
                      <div className="mt-1 text-xs text-destructive">{job?.errorMessage ?? x.error}</div>
                    )}
                  </TableCell>
                  <TableCell className="tabular-nums">{x.sizeBytes ? formatBytes(x.sizeBytes) : "–"}</TableCell>
                  <TableCell className="text-right">
                    {x.status === "success" && x.format === "bundle" && (
                      <a
                        className="inline-flex items-center gap-1 text-sm underline"
                        href={`/api/projects/${projectId}/exports/${x.id}/download`}
                        data-testid="download-bundle"
                      >
                        <Download className="size-3" /> Download
                      </a>
                    )}
                    {x.status === "success" && x.url && (
                      <a className="inline-flex items-center gap-1 text-sm underline" href={x.url} target="_blank" rel="noreferrer">
                        <ExternalLink className="size-3" /> Open on the Hub
                      </a>
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
