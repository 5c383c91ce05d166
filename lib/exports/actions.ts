"use server";
// Server actions for the Export step (bundles, Hub pushes).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { hubPushSchema, startBundleExport, startHubPush, startModelMerge } from "@/lib/exports";

const base = z.object({ projectId: z.string(), runId: z.uuid() });

const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}/export`);

export const startBundleExportAction = projectAction("startBundleExport", "exports.create", base, async (ctx, input) => {
  const row = await startBundleExport(ctx, input.runId);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { exportId: row.id };
});

export const startModelMergeAction = projectAction("startModelMerge", "exports.create", base, async (ctx, input) => {
  const job = await startModelMerge(ctx, input.runId);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { jobId: job.id };
});

export const startHubPushAction = projectAction("startHubPush", "exports.create", base.extend({ hub: hubPushSchema }), async (ctx, input) => {
  const row = await startHubPush(ctx, input.runId, input.hub);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { exportId: row.id };
});
