"use client";

import { Download } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { StepChart } from "@/components/charts/line-chart";
import { Failure } from "@/components/jobs/failure";
import { formatDuration } from "@/components/jobs/format";
import { JobActions } from "@/components/jobs/job-actions";
import { JobProgress } from "@/components/jobs/job-progress";
import { JobStatusBadge } from "@/components/jobs/job-status";
import { useProjectJobs } from "@/components/jobs/use-project-jobs";
import { formatBytes } from "@/components/ui/format-bytes";
import type { JobView } from "@/lib/jobs/queries";
import type { MetricPoint, RunFile, RunSummary } from "@/lib/training";
import { describeMfu, formatMfu } from "@/lib/training/throughput";
import { PreparedSplits } from "./prepared-splits";

type Props = {
  projectId: string;
  run: RunSummary;
  points: MetricPoint[];
  files: RunFile[];
  job: JobView | null;
  canCancel: boolean;
  canRetry: boolean;
};

function seriesOf(points: MetricPoint[], name: string) {
  return points.filter((p) => p.name === name).map((p) => ({ step: p.step, value: p.value }));
}

function lastOf(points: MetricPoint[], name: string): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) if (points[i].name === name) return points[i].value;
  return undefined;
}

function Figure({ label, value, testId, help }: { label: string; value: string; testId?: string; help?: string }) {
  return (
    <div title={help}>
      <div className="text-xs uppercase tracking-wide text-muted-foreground">{label}</div>
      <div className="font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** What the runner's prepare step made of each split, counted with the base model's tokenizer. */
function PreparedData({ run }: { run: RunSummary }) {
  const prepared = run.prepared;
  if (!prepared) return null;
  return (
    <section className="space-y-1" data-testid="run-prepared">
      <h3 className="text-sm font-medium">Data</h3>
      <PreparedSplits counts={prepared} className="space-y-0.5 text-sm" />
      <p className="text-xs text-muted-foreground">
        Exact counts from {run.baseModelId ?? "the base model"}&apos;s own tokenizer, max length {prepared.max_seq_length.toLocaleString()}.
      </p>
    </section>
  );
}

/** Tokens/s and MFU over the steps, with the formula and its factors. */
function Throughput({ run, points }: { run: RunSummary; points: MetricPoint[] }) {
  const rate = seriesOf(points, "tokens_per_second");
  const mfu = seriesOf(points, "mfu").map((p) => ({ step: p.step, value: p.value * 100 }));
  if (rate.length === 0 && mfu.length === 0) return null;
  return (
    <section className="space-y-2" data-testid="run-throughput">
      <h3 className="text-sm font-medium">Throughput</h3>
      <div className="grid gap-4 sm:grid-cols-2">
        {rate.length > 0 && <StepChart height={160} fromZero series={[{ key: "tokens_per_second", label: "tokens/s", points: rate }]} />}
        {mfu.length > 0 && <StepChart height={160} fromZero series={[{ key: "mfu", label: "MFU (%)", points: mfu, color: 2 }]} />}
      </div>
      <p className="text-xs text-muted-foreground" data-testid="mfu-formula">
        {describeMfu(run.throughput)}
      </p>
    </section>
  );
}

/** One run, live: its progress with ETA, loss curves, GPU figures and, once done, its files. */
export function RunView({ projectId, run: initialRun, points: initialPoints, files, job: initialJob, canCancel, canRetry }: Props) {
  const router = useRouter();
  const { jobs } = useProjectJobs(projectId, initialJob ? [initialJob] : []);
  const job = jobs.find((j) => j.id === initialRun.jobId) ?? initialJob;
  const [run, setRun] = useState(initialRun);
  const [points, setPoints] = useState(initialPoints);
  const lastStep = useRef(initialPoints.reduce((max, p) => Math.max(max, p.step), -1));

  // Each change of the job (new events read from the box) brings the new curve points.
  const tick = job ? `${job.status}:${job.itemsDone}:${job.progressMessage}` : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` (the job's progress) is the trigger to fetch the new curve points
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const response = await fetch(`/api/projects/${projectId}/runs/${initialRun.id}/metrics?after=${lastStep.current}`, { cache: "no-store" });
      if (!response.ok || cancelled) return;
      const body = (await response.json()) as { run: RunSummary; points: MetricPoint[] };
      setRun(body.run);
      if (body.points.length) {
        lastStep.current = Math.max(lastStep.current, ...body.points.map((p) => p.step));
        setPoints((previous) => [...previous, ...body.points]);
      }
    })().catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [tick, projectId, initialRun.id]);

  const finished = job ? ["success", "failed", "cancelled"].includes(job.status) : true;
  const seenFinish = useRef(finished);
  useEffect(() => {
    if (finished && !seenFinish.current) router.refresh();
    seenFinish.current = finished;
  }, [finished, router]);

  const trainLoss = lastOf(points, "train_loss");
  const evalLoss = lastOf(points, "eval_loss");
  const tokensPerSecond = lastOf(points, "tokens_per_second") ?? (run.metrics.tokens_per_second as number | undefined);
  // The whole run's figure once it is done; the latest interval's while it trains.
  const mfu = (typeof run.metrics.mfu === "number" ? run.metrics.mfu : undefined) ?? lastOf(points, "mfu");
  const failure = job?.status === "success" ? null : (run.errorMessage ?? job?.errorMessage);
  const gpuMb = run.peakGpuMemoryMb ?? lastOf(points, "gpu_memory_mb");
  const learningRate = seriesOf(points, "learning_rate");
  const artifacts = files.filter((f) => f.kind === "artifact");
  const logs = files.filter((f) => f.kind === "log");

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        {job && <JobStatusBadge status={job.status} />}
        <div className="min-w-64 flex-1">{job && <JobProgress job={job} />}</div>
        {job && <JobActions projectId={projectId} job={job} canCancel={canCancel} canRetry={canRetry} />}
      </div>
      {failure && <Failure message={failure} detail={run.errorMessage ? run.errorDetail : null} />}
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-4 lg:grid-cols-7">
        <Figure
          label="Step"
          value={run.progress.step !== undefined ? `${run.progress.step}${run.progress.totalSteps ? ` / ${run.progress.totalSteps}` : ""}` : "–"}
          testId="run-step"
        />
        <Figure label="Train loss" value={trainLoss !== undefined ? trainLoss.toFixed(4) : "–"} testId="run-train-loss" />
        <Figure label="Eval loss" value={evalLoss !== undefined ? evalLoss.toFixed(4) : "–"} />
        <Figure label="Tokens / s" value={tokensPerSecond ? Math.round(tokensPerSecond).toLocaleString() : "–"} testId="run-tokens-per-second" />
        <Figure label="MFU" value={mfu !== undefined ? formatMfu(mfu) : "–"} testId="run-mfu" help={describeMfu(run.throughput)} />
        <Figure label="GPU memory" value={gpuMb ? `${(gpuMb / 1024).toFixed(1)} GB` : "–"} />
        <Figure
          label="Duration"
          value={
            run.durationSeconds !== null
              ? formatDuration(run.durationSeconds)
              : run.startedAt
                ? formatDuration((Date.now() - Date.parse(run.startedAt)) / 1000)
                : "–"
          }
        />
      </div>
      <section className="space-y-2">
        <h3 className="text-sm font-medium">Loss</h3>
        <StepChart
          series={[
            { key: "train_loss", label: "train loss", points: seriesOf(points, "train_loss") },
            { key: "eval_loss", label: "eval loss", points: seriesOf(points, "eval_loss"), dashed: true },
          ]}
        />
      </section>
      <Throughput run={run} points={points} />
      <PreparedData run={run} />
      {learningRate.length > 0 && (
        <section className="space-y-2">
          <h3 className="text-sm font-medium">Learning rate</h3>
          <StepChart height={160} series={[{ key: "learning_rate", label: "learning rate", points: learningRate }]} />
        </section>
      )}
      {finished && (artifacts.length > 0 || logs.length > 0) && (
        <section className="space-y-2" data-testid="run-files">
          <h3 className="text-sm font-medium">Files</h3>
          <ul className="divide-y rounded-md border text-sm">
            {[...artifacts, ...logs].map((f) => (
              <li key={f.id} className="flex items-center justify-between gap-2 px-3 py-2">
                <div className="min-w-0">
                  <div className="truncate font-mono text-xs">{f.filename}</div>
                  <div className="text-xs text-muted-foreground">
                    {f.kind} · {formatBytes(f.sizeBytes)}
                    {f.sha256 ? ` · sha256 ${f.sha256.slice(0, 12)}…` : ""}
                  </div>
                </div>
                <a className="inline-flex items-center gap-1 text-xs underline" href={`/api/projects/${projectId}/runs/${run.id}/files/${f.id}`}>
                  <Download className="size-3" /> Download
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
