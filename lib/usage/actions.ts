"use server";
// Server actions for the Usage page: the instance's administrator sets a workspace's quota.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { quotaSchema, setQuota } from "./index";

export const setQuotaAction = workspaceAction("setQuota", "audit.view", z.object({ workspaceId: z.string(), quota: quotaSchema }), async (ctx, input) => {
  const quota = await setQuota(ctx, input.quota);
  revalidatePath(`/w/${ctx.workspace.slug}/usage`);
  return quota;
});
