"use server";

import { z } from "zod";
import { userAction } from "@/lib/access/action";
import { acceptInvitation } from "@/lib/workspaces/invitations";

export const acceptInvitationAction = userAction("acceptInvitation", z.object({ token: z.string().min(1).max(200) }), async (actor, input) => {
  const workspace = await acceptInvitation(actor, input.token);
  return { workspaceSlug: workspace.slug };
});
