"use server";
// Server actions for personal API tokens (workspace settings → API tokens).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { apiTokenSchema, createApiToken, revokeApiToken } from "@/lib/auth/api-tokens";

const refresh = (slug: string) => revalidatePath(`/w/${slug}/settings`);

/** Returns the token itself: the only time it is ever shown. */
export const createApiTokenAction = workspaceAction(
  "createApiToken",
  "workspace.view",
  apiTokenSchema.extend({ workspaceId: z.string() }),
  async (ctx, input) => {
    const created = await createApiToken(ctx, input);
    refresh(ctx.workspace.slug);
    return created;
  },
);

export const revokeApiTokenAction = workspaceAction(
  "revokeApiToken",
  "workspace.view",
  z.object({ workspaceId: z.string(), tokenId: z.uuid() }),
  async (ctx, input) => {
    await revokeApiToken(ctx, input.tokenId);
    refresh(ctx.workspace.slug);
  },
);
