"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { datasetExportSchema, startDatasetExport } from "@/lib/exports";
import { deleteExamples, reviewFilterSchema, setReviewStatus, updateExample } from "@/lib/datasets/review";
import { estimateGeneration, generationConfigSchema, saveGenerationSettings, startGeneration, startPreview } from "@/lib/generation";
import { generationSettingsSchema } from "@/lib/generation/settings";

const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}/dataset`, "layout");
const base = z.object({ projectId: z.string() });
const target = z.union([z.object({ ids: z.array(z.uuid()).min(1).max(1000) }), z.object({ filter: reviewFilterSchema })]);

export const saveGenerationSettingsAction = projectAction(
  "saveGenerationSettings",
  "dataset.edit",
  base.extend({ settings: generationSettingsSchema.partial(), config: generationConfigSchema.partial().optional() }),
  async (ctx, input) => {
    const settings = await saveGenerationSettings(ctx, input.settings, input.config);
    refresh(ctx.workspace.slug, ctx.projectId);
    return settings;
  },
);

export const estimateGenerationAction = projectAction("estimateGeneration", "project.view", base, async (ctx) => estimateGeneration(ctx));

export const startPreviewAction = projectAction("startPreview", "jobs.run", base, async (ctx) => {
  const job = await startPreview(ctx);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { jobId: job.id };
});

export const startGenerationAction = projectAction("startGeneration", "jobs.run", base, async (ctx) => {
  const job = await startGeneration(ctx);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { jobId: job.id };
});

export const updateExampleAction = projectAction(
  "updateExample",
  "dataset.edit",
  base.extend({ exampleId: z.uuid(), data: z.record(z.string(), z.string()) }),
  async (ctx, input) => updateExample(ctx, input.exampleId, input.data),
);

export const reviewExamplesAction = projectAction(
  "reviewExamples",
  "dataset.edit",
  base.extend({ target, status: z.enum(["pending", "approved", "rejected"]) }),
  async (ctx, input) => {
    const count = await setReviewStatus(ctx, input.target, input.status);
    refresh(ctx.workspace.slug, ctx.projectId);
    return { count };
  },
);

export const deleteExamplesAction = projectAction("deleteExamples", "dataset.edit", base.extend({ target }), async (ctx, input) => {
  const count = await deleteExamples(ctx, input.target);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { count };
});

export const startDatasetExportAction = projectAction("startDatasetExport", "exports.create", base.merge(datasetExportSchema), async (ctx, input) => {
  const row = await startDatasetExport(ctx, input);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { exportId: row.id };
});
