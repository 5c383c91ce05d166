// The `model_merge` job: in the finished run's directory on its box, `python -m ftf_runner merge`
// writes output/merged/ (config, model*.safetensors, tokenizer); the files come down into storage
// as the run's artifacts. Like training and eval, the process is detached and followed by a byte
// offset kept in the job's checkpoint, so a dropped link or a restarted worker re-attaches, and a
// retry after the merge finished only downloads what is missing.
import path from "node:path";
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError } from "@/lib/jobs/definition";
import { STDERR_FILE, shellQuote } from "@/lib/runner-program/commands";
import type { RunnerEvent } from "@/lib/runner-program/events";
import { connectRemote, startRemote, uploadProgram } from "@/lib/runner-program/launch";
import { ensurePython } from "@/lib/runner-program/python-env";
import { RemoteProcess } from "@/lib/runner-program/remote-process";
import { ensureRunFiles, fetchArtifactChecked, mimeOf, runnerExtras } from "@/lib/runner-program/run-files";
import { getStorage } from "@/lib/storage";
import { runArtifactKey } from "@/lib/storage/keys";
import { hyperparamsSchema } from "@/lib/training/presets";
import { MERGED_PREFIX, type MergedModel, type MergePayload } from "./merged-model";

const EVENTS = "merge-events.jsonl";
const PID = "merge.pid";

type Checkpoint = { pid?: number; offset?: number; done?: Extract<RunnerEvent, { type: "done" }> };

async function loadRun(runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, include: { runner: true, project: { select: { workspaceId: true } } } });
  if (!run) throw new NonRetryableError("This run was deleted.");
  if (run.status !== "success") throw new NonRetryableError("Only a finished run can be merged.");
  if (!run.runner) throw new NonRetryableError("The runner this run trained on was deleted; add it again to merge on it.");
  if (!run.remoteDir) throw new NonRetryableError("This run has no directory on its runner.");
  return run;
}

/** Brings the merged files down: unchanged ones stay, changed ones are replaced, stale ones (an earlier merge's shards) go. */
async function collect(ctx: JobContext<MergePayload>, remote: RemoteProcess, run: Awaited<ReturnType<typeof loadRun>>, done: Checkpoint["done"] & {}) {
  const artifacts = done.artifacts.filter((a) => a.path.startsWith(MERGED_PREFIX) && !a.path.includes(".."));
  if (!artifacts.some((a) => a.path.endsWith(".safetensors"))) throw new NonRetryableError("The merge wrote no safetensors weights.");
  const existing = await db.file.findMany({ where: { runId: run.id, filename: { startsWith: MERGED_PREFIX } } });
  const wanted = new Map(artifacts.map((a) => [a.path, a]));
  const storage = getStorage();
  const drop = async (file: (typeof existing)[number]) => {
    await db.file.delete({ where: { id: file.id } });
    await storage.delete(file.storagePath).catch(() => {});
  };
  for (const file of existing) if (wanted.get(file.filename)?.sha256 !== file.sha256) await drop(file);
  const have = new Set(existing.filter((f) => wanted.get(f.filename)?.sha256 === f.sha256).map((f) => f.filename));
  const total = artifacts.reduce((sum, a) => sum + a.size, 0);
  let received = artifacts.filter((a) => have.has(a.path)).reduce((sum, a) => sum + a.size, 0);
  for (const [i, artifact] of artifacts.entries()) {
    if (have.has(artifact.path)) continue;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await ctx.progress({
      done: i,
      total: artifacts.length,
      pct: total ? Math.round((received / total) * 100) : undefined,
      message: `Downloading ${path.posix.basename(artifact.path)} (${i + 1} of ${artifacts.length})`,
    });
    const key = runArtifactKey(run.project.workspaceId, run.projectId, run.id, artifact.path);
    const got = await fetchArtifactChecked(remote, remote.path(artifact.path), key, artifact);
    await db.file.create({
      data: {
        projectId: run.projectId,
        runId: run.id,
        kind: "artifact",
        filename: artifact.path,
        storagePath: key,
        sizeBytes: BigInt(got.size),
        sha256: got.sha256,
        mimeType: mimeOf(artifact.path),
      },
    });
    received += artifact.size;
  }
}

export async function runModelMerge(ctx: JobContext<MergePayload>): Promise<Record<string, unknown>> {
  const run = await loadRun(ctx.payload.runId);
  let checkpoint: Checkpoint = ctx.checkpoint.get<Checkpoint>() ?? {};
  const remote = new RemoteProcess(ctx, run.runner!, run.remoteDir!, { events: EVENTS, stderr: STDERR_FILE }, checkpoint.offset ?? 0);
  await ctx.progress({ message: `Connecting to ${run.runner!.name}` });
  await connectRemote(remote);
  try {
    if (!checkpoint.done) {
      let pid = checkpoint.pid;
      if (!pid) {
        await remote.exec(`rm -f ${shellQuote(remote.path(EVENTS))} ${shellQuote(remote.path(PID))}`);
        await ensureRunFiles(remote, run.id, null, "merge");
        const config = {
          run_id: run.id,
          base_model: run.baseModelId,
          seed: hyperparamsSchema.parse(run.hyperparams).seed,
          ...runnerExtras(run.parameters),
        };
        await remote.withLink((conn) => conn.writeFile(remote.path("merge.json"), `${JSON.stringify(config, null, 2)}\n`));
        await uploadProgram(remote);
        const python = await ensurePython(remote, run.runner!, path.posix.dirname(path.posix.dirname(remote.dir)), (message) => ctx.progress({ message }), {
          qlora: false,
        });
        pid = await startRemote(remote, python, "merge", "merge.json", run.project.workspaceId, PID);
        checkpoint = { pid, offset: 0 };
        await ctx.checkpoint.save(checkpoint);
        ctx.log("info", `Merging the adapter into ${run.baseModelId} on ${run.runner!.name} (PID ${pid}).`);
      } else {
        ctx.log("info", `Re-attached to the merge on ${run.runner!.name} (PID ${pid}).`);
      }
      await ctx.progress({ message: `Merging on ${run.runner!.name}` });
      const end = await remote.follow(pid, async (chunk, offsetAfter) => {
        for (const event of chunk.events) {
          if (event.type === "log") {
            ctx.log(event.level, event.message);
            await ctx.progress({ message: event.message });
          }
        }
        checkpoint.offset = offsetAfter;
        await ctx.checkpoint.save(checkpoint);
      });
      if (end.type === "error") throw new NonRetryableError(end.message);
      if (end.type === "stopped") {
        if (ctx.signal.reason === "cancelled") throw ctx.signal.reason;
        throw new NonRetryableError("The merge was stopped on the box. Start it again from the Export step.");
      }
      checkpoint = { ...checkpoint, done: end.event };
      await ctx.checkpoint.save(checkpoint);
    }
    await collect(ctx, remote, run, checkpoint.done!);
  } finally {
    await remote.conn?.close().catch(() => {});
  }

  const metrics = checkpoint.done!.metrics as Record<string, unknown>;
  const merged: MergedModel = {
    model_type: typeof metrics.model_type === "string" ? metrics.model_type : null,
    architectures: Array.isArray(metrics.architectures) ? metrics.architectures.filter((a): a is string => typeof a === "string") : [],
    dtype: typeof metrics.dtype === "string" ? metrics.dtype : null,
    num_parameters: typeof metrics.num_parameters === "number" ? metrics.num_parameters : null,
    weights_bytes: typeof metrics.weights_bytes === "number" ? metrics.weights_bytes : 0,
    weight_files: typeof metrics.weight_files === "number" ? metrics.weight_files : 0,
    merged_at: new Date().toISOString(),
  };
  const current = (await db.run.findUniqueOrThrow({ where: { id: run.id }, select: { metrics: true } })).metrics as Record<string, unknown> | null;
  await db.run.update({ where: { id: run.id }, data: { metrics: { ...(current ?? {}), merged } as Prisma.InputJsonValue } });
  ctx.log("info", `Merged model saved: ${merged.architectures[0] ?? merged.model_type ?? "model"}, ${merged.weight_files} weight file(s).`);
  return merged;
}
