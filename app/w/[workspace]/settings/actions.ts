"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { checkRunnerNow, confirmRunnerHostKey, createRunner, deleteRunner, probeRunnerHostKey, runnerInputSchema, updateRunner } from "@/lib/runners";
import { deleteSecret, secretInputSchema, setSecret } from "@/lib/secrets";
import { deletePreset, presetInputSchema, savePreset } from "@/lib/training/presets";
import { createProvider, deleteProvider, loadProviderRecord, providerInputSchema, setDefaultProvider, testConnection, updateProvider } from "@/lib/llm";
import { takeProbeSlot } from "@/lib/net/outbound";

const refresh = (slug: string) => revalidatePath(`/w/${slug}`, "layout");
const ids = z.object({ workspaceId: z.string(), providerId: z.uuid() });

export const createProviderAction = workspaceAction(
  "createProvider",
  "settings.manage",
  z.object({ workspaceId: z.string(), provider: providerInputSchema }),
  async (ctx, input) => {
    const view = await createProvider(ctx, input.provider);
    refresh(ctx.workspace.slug);
    return view;
  },
);

export const updateProviderAction = workspaceAction(
  "updateProvider",
  "settings.manage",
  ids.extend({ provider: providerInputSchema }),
  async (ctx, input) => {
    const view = await updateProvider(ctx, input.providerId, input.provider);
    refresh(ctx.workspace.slug);
    return view;
  },
);

export const deleteProviderAction = workspaceAction("deleteProvider", "settings.manage", ids, async (ctx, input) => {
  await deleteProvider(ctx, input.providerId);
  refresh(ctx.workspace.slug);
});

export const setDefaultProviderAction = workspaceAction("setDefaultProvider", "settings.manage", ids, async (ctx, input) => {
  await setDefaultProvider(ctx, input.providerId);
  refresh(ctx.workspace.slug);
});

/** Lists the provider's models and measures its latency. */
export const testProviderAction = workspaceAction("testProvider", "settings.manage", ids, async (ctx, input) => {
  const provider = await loadProviderRecord(ctx.workspace.id, input.providerId);
  takeProbeSlot(ctx.actor.id);
  return testConnection(provider);
});

// ── GPU runners ──
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

// ── Secrets ──
export const setSecretAction = workspaceAction("setSecret", "settings.manage", z.object({ workspaceId: z.string(), secret: secretInputSchema }), async (ctx, input) => {
  const view = await setSecret(ctx, input.secret);
  refresh(ctx.workspace.slug);
  return { id: view.id, name: view.name, hint: view.hint };
});

export const deleteSecretAction = workspaceAction("deleteSecret", "settings.manage", z.object({ workspaceId: z.string(), secretId: z.uuid() }), async (ctx, input) => {
  await deleteSecret(ctx, input.secretId);
  refresh(ctx.workspace.slug);
});

// ── Training presets ──
export const savePresetAction = workspaceAction("savePreset", "training.launch", z.object({ workspaceId: z.string(), preset: presetInputSchema }), async (ctx, input) => {
  const view = await savePreset(ctx, input.preset);
  refresh(ctx.workspace.slug);
  return view;
});

export const deletePresetAction = workspaceAction("deletePreset", "training.launch", z.object({ workspaceId: z.string(), presetId: z.uuid() }), async (ctx, input) => {
  await deletePreset(ctx, input.presetId);
  refresh(ctx.workspace.slug);
});
