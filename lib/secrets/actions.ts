"use server";
// Server actions for workspace secrets (Settings).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { deleteSecret, secretInputSchema, setSecret } from "@/lib/secrets";

const refresh = (slug: string) => revalidatePath(`/w/${slug}`, "layout");

export const setSecretAction = workspaceAction(
  "setSecret",
  "settings.manage",
  z.object({ workspaceId: z.string(), secret: secretInputSchema }),
  async (ctx, input) => {
    const view = await setSecret(ctx, input.secret);
    refresh(ctx.workspace.slug);
    return { id: view.id, name: view.name, hint: view.hint };
  },
);

export const deleteSecretAction = workspaceAction(
  "deleteSecret",
  "settings.manage",
  z.object({ workspaceId: z.string(), secretId: z.uuid() }),
  async (ctx, input) => {
    await deleteSecret(ctx, input.secretId);
    refresh(ctx.workspace.slug);
  },
);
