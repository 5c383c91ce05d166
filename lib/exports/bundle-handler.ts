// The bundle and Hub-push variants of the export job.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Export, Prisma } from "@prisma/client";
import { versionCard } from "@/lib/datasets/card";
import { db } from "@/lib/db/client";
import { writeBundleZip } from "@/lib/exports/zip";
import { type HubPushFile, pushToHub } from "@/lib/hub/push";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { HF_TOKEN, readSecret } from "@/lib/secrets";
import { getStorage } from "@/lib/storage";
import { exportKey } from "@/lib/storage/keys";
import { bundleEntries, hubAdapterFiles, loadBundleRun, runDocuments } from "./bundle";

type ExportRow = Export & { project: { workspaceId: string; name: string } };

export type HubPushOptions = { repo: string; private: boolean; includeDataset: boolean };

const safeName = (text: string) =>
  text
    .replace(/[^\w.-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60) || "model";

export async function writeRunBundle(ctx: JobContext<{ exportId: string }>, row: ExportRow): Promise<Record<string, unknown>> {
  const run = await loadBundleRun(ctx.projectId, row.runId!).catch((error: Error) => {
    throw new NonRetryableError(error.message);
  });
  const entries = await bundleEntries(run);
  const filename = `${safeName(run.project.name)}-${safeName(run.name)}-bundle.zip`;
  const key = exportKey(row.project.workspaceId, ctx.projectId, row.id, filename);
  await ctx.progress({ done: 0, total: entries.length, message: "Writing the bundle" });
  // The ZIP streams straight into storage: nothing is held whole in memory.
  const out = new PassThrough();
  const [put] = await Promise.all([getStorage().put(key, out, { contentType: "application/zip" }), writeBundleZip(entries, out)]);
  throwIfAborted(ctx.signal);
  await db.$transaction(async (tx) => {
    if (row.fileId) await tx.file.deleteMany({ where: { id: row.fileId } });
    const file = await tx.file.create({
      data: {
        projectId: ctx.projectId,
        runId: run.id,
        kind: "export",
        status: "ready",
        filename,
        mimeType: "application/zip",
        storagePath: key,
        sizeBytes: put.size,
        sha256: put.sha256,
      },
    });
    await tx.export.update({
      where: { id: row.id },
      data: {
        status: "success",
        fileId: file.id,
        sizeBytes: put.size,
        metadata: { ...((row.metadata ?? {}) as object), files: entries.map((e) => e.path) } as Prisma.InputJsonObject,
      },
    });
  });
  return { files: entries.length, bytes: put.size };
}

/** Storage objects become temp files, which the Hub client streams (fs.openAsBlob). */
async function stage(dir: string, key: string, name: string): Promise<string> {
  const file = path.join(dir, name.replace(/[\\/]/g, "_"));
  await pipeline(await getStorage().get(key), fs.createWriteStream(file));
  return file;
}

export async function pushRunToHub(ctx: JobContext<{ exportId: string }>, row: ExportRow): Promise<Record<string, unknown>> {
  const options = row.metadata as HubPushOptions;
  const run = await loadBundleRun(ctx.projectId, row.runId!).catch((error: Error) => {
    throw new NonRetryableError(error.message);
  });
  const token = await readSecret(row.project.workspaceId, HF_TOKEN);
  if (!token) throw new NonRetryableError("Add a Hugging Face write token as HF_TOKEN in workspace settings → Secrets, then retry.");
  const datasetRepo = options.includeDataset ? `${options.repo}-dataset` : undefined;
  // The Hub repo holds the adapter: its Modelfile is the adapter's, even when the run has a merged model.
  const docs = await runDocuments(run, { repoName: options.repo, datasetRepo, adapterOnly: true });
  const temp = await fsp.mkdtemp(path.join(os.tmpdir(), "ftf-hub-"));
  try {
    await ctx.progress({ pct: 0, message: "Preparing the files" });
    const files: HubPushFile[] = [];
    for (const f of hubAdapterFiles(run)) files.push({ path: f.path, content: await stage(temp, f.storageKey, f.path) });
    files.push({ path: "README.md", content: new Blob([docs.readme]) });
    files.push({ path: "Modelfile", content: new Blob([docs.modelfile]) });
    files.push({ path: "finetuneflow-manifest.json", content: new Blob([JSON.stringify(docs.manifest, null, 2)]) });
    const share = datasetRepo ? 0.8 : 1;
    const pushed = await pushToHub({
      repo: options.repo,
      repoType: "model",
      private: options.private,
      token,
      files,
      commitMessage: `Upload ${run.name} (LoRA adapter) from FineTuneFlow`,
      signal: ctx.signal,
      onProgress: (fraction) =>
        void ctx.progress({ pct: Math.round(fraction * share * 100), message: `Uploading the adapter to ${options.repo}` }).catch(() => {}),
    });
    let datasetUrl: string | undefined;
    if (datasetRepo) {
      const version = run.datasetVersion!;
      const datasetFiles: HubPushFile[] = [
        // The dataset card: licence, task, size, the split files, and where the examples came from.
        { path: "README.md", content: new Blob([await versionCard(run.projectId, version)]) },
        { path: "train.jsonl", content: await stage(temp, version.trainPath!, "train.jsonl") },
      ];
      if (version.numEval > 0 && version.evalPath) datasetFiles.push({ path: "eval.jsonl", content: await stage(temp, version.evalPath, "eval.jsonl") });
      const dataset = await pushToHub({
        repo: datasetRepo,
        repoType: "dataset",
        private: options.private,
        token,
        files: datasetFiles,
        commitMessage: `Dataset version ${version.version} of ${run.project.name}`,
        signal: ctx.signal,
        onProgress: (fraction) =>
          void ctx.progress({ pct: Math.round((0.8 + fraction * 0.2) * 100), message: `Uploading the dataset to ${datasetRepo}` }).catch(() => {}),
      });
      datasetUrl = dataset.url;
    }
    await db.export.update({
      where: { id: row.id },
      data: {
        status: "success",
        url: pushed.url,
        metadata: { ...options, commit: pushed.commitOid ?? null, datasetUrl: datasetUrl ?? null, files: files.map((f) => f.path) } as Prisma.InputJsonObject,
      },
    });
    return { url: pushed.url, files: files.length, ...(datasetUrl ? { datasetUrl } : {}) };
  } finally {
    await fsp.rm(temp, { recursive: true, force: true });
  }
}
