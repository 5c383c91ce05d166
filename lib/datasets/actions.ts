"use server";
// Server actions for reviewing, splitting and exporting examples.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { historySchema } from "@/lib/datasets/example";
import { startDatasetMerge } from "@/lib/datasets/merge";
import { refreshNearDuplicates } from "@/lib/datasets/near-dup-db";
import { resplitDataset, resplitSchema } from "@/lib/datasets/resplit";
import {
  countTargets,
  deleteExamples,
  keepOnePerNearDupGroup,
  MAX_TAGS,
  moveExamples,
  rateExamples,
  reviewFilterSchema,
  setReviewStatus,
  tagExamples,
  tagSchema,
  updateExample,
} from "@/lib/datasets/review";
import { conflict } from "@/lib/errors";
import { datasetExportSchema, startDatasetExport } from "@/lib/exports";

const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}/dataset`, "layout");

const base = z.object({ projectId: z.string() });
const mergeSourceSchema = z.object({ fromProjectId: z.uuid().optional(), fromVersionId: z.uuid().optional(), freeze: z.boolean().optional() });

const target = z.union([z.object({ ids: z.array(z.uuid()).min(1).max(1000) }), z.object({ filter: reviewFilterSchema })]);

export const updateExampleAction = projectAction(
  "updateExample",
  "dataset.edit",
  base.extend({ exampleId: z.uuid(), data: z.record(z.string(), z.union([z.string(), historySchema])) }),
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

export const deleteExamplesAction = projectAction(
  "deleteExamples",
  "dataset.edit",
  // A bulk delete by filter names the count the person confirmed: if more match by now, nothing is deleted.
  base.extend({ target, expectedCount: z.number().int().nonnegative().optional() }),
  async (ctx, input) => {
    if (input.expectedCount !== undefined) {
      const now = await countTargets(ctx, input.target);
      if (now !== input.expectedCount)
        throw conflict(
          `${now.toLocaleString("en-US")} examples match now, not ${input.expectedCount.toLocaleString("en-US")}; nothing was deleted. Check the filters and try again.`,
        );
    }
    const count = await deleteExamples(ctx, input.target);
    refresh(ctx.workspace.slug, ctx.projectId);
    return { count };
  },
);

/** How many examples a bulk action would touch, for its confirmation. */
export const countExamplesAction = projectAction("countExamples", "project.view", base.extend({ target }), async (ctx, input) => ({
  count: await countTargets(ctx, input.target),
}));

export const moveExamplesAction = projectAction(
  "moveExamples",
  "dataset.edit",
  base.extend({ target, split: z.enum(["train", "eval"]) }),
  async (ctx, input) => {
    const count = await moveExamples(ctx, input.target, input.split);
    refresh(ctx.workspace.slug, ctx.projectId);
    return { count };
  },
);

export const tagExamplesAction = projectAction(
  "tagExamples",
  "dataset.edit",
  base.extend({ target, add: z.array(tagSchema).max(MAX_TAGS).default([]), remove: z.array(tagSchema).max(MAX_TAGS).default([]) }),
  async (ctx, input) => {
    const count = await tagExamples(ctx, input.target, { add: input.add, remove: input.remove });
    refresh(ctx.workspace.slug, ctx.projectId);
    return { count };
  },
);

export const rateExamplesAction = projectAction(
  "rateExamples",
  "dataset.edit",
  base.extend({ target, rating: z.number().int().min(1).max(5).nullable() }),
  async (ctx, input) => ({ count: await rateExamples(ctx, input.target, input.rating) }),
);

/** Signs new examples and regroups the project's near-duplicates now (generation and imports do it when they end). */
export const findNearDuplicatesAction = projectAction("findNearDuplicates", "dataset.edit", base, async (ctx) => {
  const result = await refreshNearDuplicates(ctx.projectId);
  refresh(ctx.workspace.slug, ctx.projectId);
  return result;
});

/** Deletes every near-duplicate but the first of its group; the count the person confirmed must still hold. */
export const keepOneNearDuplicateAction = projectAction(
  "keepOneNearDuplicate",
  "dataset.edit",
  base.extend({ expectedCount: z.number().int().nonnegative() }),
  async (ctx, input) => {
    const count = await keepOnePerNearDupGroup(ctx, input.expectedCount);
    refresh(ctx.workspace.slug, ctx.projectId);
    return { count };
  },
);

export const resplitAction = projectAction("resplit", "dataset.edit", base.merge(resplitSchema), async (ctx, input) => {
  const result = await resplitDataset(ctx, input);
  refresh(ctx.workspace.slug, ctx.projectId);
  return result;
});

export const startDatasetMergeAction = projectAction("startDatasetMerge", "dataset.edit", base.merge(mergeSourceSchema), async (ctx, input) => {
  const job = await startDatasetMerge(ctx, { fromProjectId: input.fromProjectId, fromVersionId: input.fromVersionId, freeze: input.freeze ?? true });
  refresh(ctx.workspace.slug, ctx.projectId);
  return { jobId: job.id };
});

export const startDatasetExportAction = projectAction("startDatasetExport", "exports.create", base.merge(datasetExportSchema), async (ctx, input) => {
  const row = await startDatasetExport(ctx, input);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { exportId: row.id };
});
