// Importing a dataset from the Hugging Face Hub by id: list its data files (with the workspace's
// HF token for private and gated ones), then download the chosen file into the project as a
// dataset upload (job hub_dataset_download), which the column-mapping preview and import read.
import crypto from "node:crypto";
import path from "node:path";
import { assertPermission, type ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { invalidInput } from "@/lib/errors";
import { checkDatasetRef, formatOfPath, type HubDatasetListing, type HubDatasetRef, listHubDatasetFiles } from "@/lib/hub/datasets";
import { hubEndpoint } from "@/lib/hub/models";
import { mimeTypeOf } from "@/lib/ingest/detect";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { HF_TOKEN, readSecret } from "@/lib/secrets";
import { fileKey } from "@/lib/storage/keys";
import { assertWithinQuota } from "@/lib/usage";
import { hubDatasetDownloadJob } from "./hub-import-job";

export async function browseHubDataset(ctx: ProjectContext, datasetId: string, revision?: string): Promise<HubDatasetListing> {
  assertPermission(ctx.role, "sources.manage");
  const token = (await readSecret(ctx.workspace.id, HF_TOKEN)) ?? undefined;
  return listHubDatasetFiles(datasetId, revision, { token });
}

/** The address shown for the file and used to recognise it when imported again. */
export function hubFileUrl(ref: HubDatasetRef): string {
  return `${hubEndpoint()}/datasets/${ref.datasetId}/blob/${encodeURIComponent(ref.revision)}/${ref.path}`;
}

export async function importHubDatasetFile(ctx: ProjectContext, input: HubDatasetRef) {
  assertPermission(ctx.role, "sources.manage");
  const { datasetId, revision } = checkDatasetRef(input.datasetId, input.revision);
  const filePath = input.path.replace(/^\/+/, "");
  const format = formatOfPath(filePath);
  if (!format || filePath.includes("..")) throw invalidInput("Choose a JSONL, JSON, CSV or Parquet file of the dataset.");
  await assertWithinQuota(ctx, "storage");
  const ref = { datasetId, revision, path: filePath };
  const sourceUrl = hubFileUrl(ref);
  const existing = await db.file.findFirst({ where: { projectId: ctx.projectId, sourceUrl, status: { not: "failed" } } });
  if (existing) throw invalidInput(`${filePath} of ${datasetId} is already in this project.`);
  const id = crypto.randomUUID();
  return db.$transaction(async (tx) => {
    const file = await tx.file.create({
      data: {
        id,
        projectId: ctx.projectId,
        kind: "dataset_upload",
        status: "processing",
        filename: path.posix.basename(filePath).slice(0, 255),
        sourceUrl,
        mimeType: mimeTypeOf(format),
        storagePath: fileKey(ctx.workspace.id, ctx.projectId, id),
        createdById: ctx.actor.id,
        metadata: { format, hub: ref },
      },
    });
    await enqueueJob(ctx, hubDatasetDownloadJob, { fileId: id }, { tx });
    return file;
  });
}
