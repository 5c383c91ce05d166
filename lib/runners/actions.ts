"use server";
// Server actions for runners, the GPU boxes (Settings).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { takeProbeSlot } from "@/lib/net/outbound";
import { checkRunnerNow, confirmRunnerHostKey, createRunner, deleteRunner, probeRunnerHostKey, runnerInputSchema, updateRunner } from "@/lib/runners";

const refresh = (slug: string) => revalidatePath(`/w/${slug}`, "layout");

const runnerIds = z.object({ workspaceId: z.string(), runnerId: z.uuid() });

export const createRunnerAction = workspaceAction(
  "createRunner",
  "settings.manage",
  z.object({ workspaceId: z.string(), runner: runnerInputSchema }),
  async (ctx, input) => {
    const view = await createRunner(ctx, input.runner);
    refresh(ctx.workspace.slug);
    return view;
  },
);

export const updateRunnerAction = workspaceAction("updateRunner", "settings.manage", runnerIds.extend({ runner: runnerInputSchema }), async (ctx, input) => {
  const view = await updateRunner(ctx, input.runnerId, input.runner);
  refresh(ctx.workspace.slug);
  return view;
});

export const deleteRunnerAction = workspaceAction("deleteRunner", "settings.manage", runnerIds, async (ctx, input) => {
  await deleteRunner(ctx, input.runnerId);
  refresh(ctx.workspace.slug);
});

/** Shows the box's host key fingerprint for the user to compare before trusting it. */
export const probeHostKeyAction = workspaceAction("probeHostKey", "settings.manage", runnerIds, async (ctx, input) => {
  takeProbeSlot(ctx.actor.id);
  return probeRunnerHostKey(ctx, input.runnerId);
});

export const confirmHostKeyAction = workspaceAction(
  "confirmHostKey",
  "settings.manage",
  runnerIds.extend({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "Not a SHA-256 fingerprint.") }),
  async (ctx, input) => {
    const view = await confirmRunnerHostKey(ctx, input.runnerId, input.fingerprint);
    refresh(ctx.workspace.slug);
    return view;
  },
);

/** Connects and reports GPUs, Python and disk. */
export const checkRunnerAction = workspaceAction("checkRunner", "settings.manage", runnerIds, async (ctx, input) => {
  takeProbeSlot(ctx.actor.id);
  const result = await checkRunnerNow(ctx, input.runnerId);
  refresh(ctx.workspace.slug);
  return result;
});
