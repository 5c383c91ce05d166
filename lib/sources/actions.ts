"use server";
// Server actions for the Sources step (URL sources, re-chunking, dataset imports).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { datasetMappingSchema } from "@/lib/datasets/formats/mapping";
import { browseHubDataset, importHubDatasetFile } from "@/lib/datasets/hub-import";
import { previewImport, startImport } from "@/lib/datasets/import";
import { addUrlSource, deleteSource, rechunkSources, unlockPdf, urlSchema } from "@/lib/sources";
import { editChunk, mergeWithNext, splitChunk } from "@/lib/sources/chunk-edits";
import { abortDirectUpload, completeDirectUpload, startDirectUpload } from "@/lib/sources/direct-upload";

const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}/sources`);

const importInput = z.object({ projectId: z.string(), fileId: z.uuid() });

export const addUrlSourceAction = projectAction("addUrlSource", "sources.manage", z.object({ projectId: z.string(), url: urlSchema }), async (ctx, input) => {
  const file = await addUrlSource(ctx, input.url);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { id: file.id };
});

export const deleteSourceAction = projectAction("deleteSource", "sources.manage", z.object({ projectId: z.string(), fileId: z.uuid() }), async (ctx, input) => {
  await deleteSource(ctx, input.fileId);
  refresh(ctx.workspace.slug, ctx.projectId);
});

export const rechunkSourcesAction = projectAction(
  "rechunkSources",
  "sources.manage",
  z.object({ projectId: z.string(), fileIds: z.array(z.uuid()).max(1000).optional() }),
  async (ctx, input) => {
    const jobs = await rechunkSources(ctx, input.fileIds);
    refresh(ctx.workspace.slug, ctx.projectId);
    return { jobs: jobs.length };
  },
);

export const unlockPdfAction = projectAction(
  "unlockPdf",
  "sources.manage",
  z.object({ projectId: z.string(), fileId: z.uuid(), password: z.string().min(1, "Enter the password.").max(1024) }),
  async (ctx, input) => {
    await unlockPdf(ctx, input.fileId, input.password);
    refresh(ctx.workspace.slug, ctx.projectId);
  },
);

export const previewImportAction = projectAction(
  "previewImport",
  "dataset.edit",
  importInput.extend({ mapping: datasetMappingSchema.optional() }),
  async (ctx, input) => previewImport(ctx, input.fileId, input.mapping),
);

export const startImportAction = projectAction("startImport", "dataset.edit", importInput.extend({ mapping: datasetMappingSchema }), async (ctx, input) => {
  const job = await startImport(ctx, input.fileId, input.mapping);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { jobId: job.id };
});

// `dataset` is the Hub's id ("owner/name"), not one of ours: not named *Id.
const hubDatasetInput = z.object({
  projectId: z.string(),
  dataset: z.string().trim().min(1, "Enter a dataset id, e.g. tatsu-lab/alpaca.").max(300),
  revision: z.string().trim().max(200).optional(),
});

export const browseHubDatasetAction = projectAction("browseHubDataset", "sources.manage", hubDatasetInput, async (ctx, input) =>
  browseHubDataset(ctx, input.dataset, input.revision),
);

export const importHubDatasetAction = projectAction(
  "importHubDataset",
  "sources.manage",
  hubDatasetInput.extend({ revision: z.string().trim().min(1).max(200), path: z.string().min(1).max(1000) }),
  async (ctx, input) => {
    const file = await importHubDatasetFile(ctx, { datasetId: input.dataset, revision: input.revision, path: input.path });
    refresh(ctx.workspace.slug, ctx.projectId);
    return { id: file.id };
  },
);

// Browser → bucket uploads (S3 storage; lib/sources/direct-upload).
export const startDirectUploadAction = projectAction(
  "startDirectUpload",
  "sources.manage",
  z.object({ projectId: z.string(), filename: z.string().min(1).max(1000), size: z.number().int().min(0) }),
  async (ctx, input) => startDirectUpload(ctx, input),
);

export const completeDirectUploadAction = projectAction(
  "completeDirectUpload",
  "sources.manage",
  z.object({
    projectId: z.string(),
    fileId: z.uuid(),
    parts: z
      .array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) }))
      .max(10_000)
      .optional(),
  }),
  async (ctx, input) => {
    const file = await completeDirectUpload(ctx, input);
    refresh(ctx.workspace.slug, ctx.projectId);
    return { id: file.id };
  },
);

export const abortDirectUploadAction = projectAction(
  "abortDirectUpload",
  "sources.manage",
  z.object({ projectId: z.string(), fileId: z.uuid() }),
  async (ctx, input) => abortDirectUpload(ctx, input.fileId),
);

const chunkInput = z.object({ projectId: z.string(), chunkId: z.uuid() });
const chunkView = (chunk: { id: string; chunkIndex: number; tokenCount: number }) => ({
  id: chunk.id,
  chunkIndex: chunk.chunkIndex,
  tokenCount: chunk.tokenCount,
});

/** Replaces a chunk's text; examples made from the old text keep it (lib/sources/chunk-edits). */
export const editChunkAction = projectAction(
  "editChunk",
  "sources.manage",
  chunkInput.extend({ content: z.string().max(200_000, "At most 200,000 characters.") }),
  async (ctx, input) => {
    const chunk = await editChunk(ctx, input.chunkId, input.content);
    refresh(ctx.workspace.slug, ctx.projectId);
    return chunkView(chunk);
  },
);

export const mergeChunkAction = projectAction("mergeChunk", "sources.manage", chunkInput, async (ctx, input) => {
  const chunk = await mergeWithNext(ctx, input.chunkId);
  refresh(ctx.workspace.slug, ctx.projectId);
  return chunkView(chunk);
});

export const splitChunkAction = projectAction("splitChunk", "sources.manage", chunkInput.extend({ at: z.number().int().min(1) }), async (ctx, input) => {
  const parts = await splitChunk(ctx, input.chunkId, input.at);
  refresh(ctx.workspace.slug, ctx.projectId);
  return parts.map(chunkView);
});
