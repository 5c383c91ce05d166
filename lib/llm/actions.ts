"use server";
// Server actions for LLM providers (Settings).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
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

export const updateProviderAction = workspaceAction("updateProvider", "settings.manage", ids.extend({ provider: providerInputSchema }), async (ctx, input) => {
  const view = await updateProvider(ctx, input.providerId, input.provider);
  refresh(ctx.workspace.slug);
  return view;
});

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
