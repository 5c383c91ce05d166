"use server";
// Server actions of the instance's administrator.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { instanceAdminAction } from "@/lib/access/action";
import { quotaSchema, setWorkspaceQuota } from "@/lib/usage";
import { setUserActive } from "./index";

export const setUserActiveAction = instanceAdminAction("setUserActive", z.object({ userId: z.uuid(), active: z.boolean() }), async (actor, input) => {
  const result = await setUserActive(actor, input.userId, input.active);
  revalidatePath("/admin");
  return result;
});

/** A workspace's quota (tokens per month, storage): set by the instance's administrator, not by the workspace. */
export const setWorkspaceQuotaAction = instanceAdminAction(
  "setWorkspaceQuota",
  z.object({ workspaceId: z.uuid(), quota: quotaSchema }),
  async (_actor, input) => {
    const quota = await setWorkspaceQuota(input.workspaceId, input.quota);
    revalidatePath("/admin");
    revalidatePath("/w/[workspace]/usage", "page");
    return quota;
  },
);
