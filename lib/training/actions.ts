"use server";
// Server actions for the Train step and saved training presets (Settings).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction, workspaceAction } from "@/lib/access/action";
import { refreshModelInfo } from "@/lib/base-models/project";
import { preflightTraining, startTraining, startTrainingSchema } from "@/lib/training";
import { deleteRun, runNotesSchema, updateRunNotes } from "@/lib/training/housekeeping";
import { deletePreset, presetInputSchema, savePreset } from "@/lib/training/presets";

const base = z.object({ projectId: z.string() });

const refresh = (slug: string, projectId: string) => revalidatePath(`/w/${slug}/p/${projectId}`, "layout");

const refreshWorkspace = (slug: string) => revalidatePath(`/w/${slug}`, "layout");

/** Looks the base model up on the Hugging Face Hub and keeps its model_info on the project. */
export const resolveModelInfoAction = projectAction("resolveModelInfo", "project.update", base, async (ctx) => {
  const info = await refreshModelInfo(ctx);
  refresh(ctx.workspace.slug, ctx.projectId);
  return info;
});

export const preflightAction = projectAction("preflightTraining", "project.view", base.extend({ run: startTrainingSchema }), async (ctx, input) =>
  preflightTraining(ctx, input.run),
);

export const startTrainingAction = projectAction("startTraining", "training.launch", base.extend({ run: startTrainingSchema }), async (ctx, input) => {
  const started = await startTraining(ctx, input.run);
  refresh(ctx.workspace.slug, ctx.projectId);
  return started;
});

export const savePresetAction = workspaceAction(
  "savePreset",
  "training.launch",
  z.object({ workspaceId: z.string(), preset: presetInputSchema }),
  async (ctx, input) => {
    const view = await savePreset(ctx, input.preset);
    refreshWorkspace(ctx.workspace.slug);
    return view;
  },
);

export const deletePresetAction = workspaceAction(
  "deletePreset",
  "training.launch",
  z.object({ workspaceId: z.string(), presetId: z.uuid() }),
  async (ctx, input) => {
    await deletePreset(ctx, input.presetId);
    refreshWorkspace(ctx.workspace.slug);
  },
);

export const updateRunNotesAction = projectAction(
  "updateRunNotes",
  "training.launch",
  base.extend({ runId: z.uuid() }).extend(runNotesSchema.shape),
  async (ctx, input) => {
    const notes = await updateRunNotes(ctx, input.runId, { description: input.description, tags: input.tags });
    refresh(ctx.workspace.slug, ctx.projectId);
    return notes;
  },
);

export const deleteRunAction = projectAction(
  "deleteRun",
  "training.launch",
  base.extend({ runId: z.uuid(), confirmName: z.string().max(200) }),
  async (ctx, input) => {
    const deleted = await deleteRun(ctx, input.runId, input.confirmName);
    refresh(ctx.workspace.slug, ctx.projectId);
    return deleted;
  },
);
