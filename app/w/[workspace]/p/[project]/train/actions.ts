"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { refreshModelInfo } from "@/lib/models/project";
import { preflightTraining, startTraining, startTrainingSchema } from "@/lib/training";

const base = z.object({ projectId: z.string() });
const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}`, "layout");

/** Looks the base model up on the Hugging Face Hub and keeps its model_info on the project. */
export const resolveModelInfoAction = projectAction("resolveModelInfo", "project.update", base, async (ctx) => {
  const info = await refreshModelInfo(ctx);
  refresh(ctx.workspace.slug, ctx.projectId);
  return info;
});

export const preflightAction = projectAction("preflightTraining", "project.view", base.extend({ run: startTrainingSchema }), async (ctx, input) => preflightTraining(ctx, input.run));

export const startTrainingAction = projectAction("startTraining", "training.launch", base.extend({ run: startTrainingSchema }), async (ctx, input) => {
  const started = await startTraining(ctx, input.run);
  refresh(ctx.workspace.slug, ctx.projectId);
  return started;
});
