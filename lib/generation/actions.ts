"use server";
// Server actions for generating a dataset (preview and full run).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { estimateGeneration, generationConfigSchema, saveGenerationSettings, startGeneration, startPreview } from "@/lib/generation";
import { estimateJudge, judgeRubricSchema, startJudge } from "@/lib/generation/judge";
import { rewriteExample, rewriteInputSchema } from "@/lib/generation/rewrite";
import { generationSettingsPatchSchema } from "@/lib/generation/settings";

const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}/dataset`, "layout");

const base = z.object({ projectId: z.string() });

export const saveGenerationSettingsAction = projectAction(
  "saveGenerationSettings",
  "dataset.edit",
  base.extend({ settings: generationSettingsPatchSchema, config: generationConfigSchema.partial().optional() }),
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

/** Asks the project's model to rewrite one example as the reviewer says; nothing is saved until they accept it. */
export const rewriteExampleAction = projectAction("rewriteExample", "dataset.edit", base.merge(rewriteInputSchema), async (ctx, input) =>
  rewriteExample(ctx, input),
);

/** What scoring the unscored examples with the LLM judge will send and cost, before it starts. */
export const estimateJudgeAction = projectAction("estimateJudge", "project.view", base, async (ctx) => estimateJudge(ctx));

/** Saves the rubric (empty or the built-in text: the built-in one) and starts scoring. */
export const startJudgeAction = projectAction("startJudge", "jobs.run", base.extend({ rubric: judgeRubricSchema.nullable() }), async (ctx, input) => {
  const job = await startJudge(ctx, input.rubric);
  refresh(ctx.workspace.slug, ctx.projectId);
  return { jobId: job.id };
});
