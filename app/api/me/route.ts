import { userRoute } from "@/lib/access/action";
import { lowerRole } from "@/lib/access/permissions";
import { db } from "@/lib/db/client";

export const dynamic = "force-dynamic";

/** Who calls, and the workspaces the call can reach (an API token: its own workspace, at its role). */
export const GET = userRoute("me", async (actor) => {
  const memberships = await db.membership.findMany({
    where: { userId: actor.id, ...(actor.limit ? { workspaceId: actor.limit.workspaceId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { role: true, workspace: { select: { id: true, slug: true, name: true } } },
  });
  return Response.json({
    user: { id: actor.id, email: actor.email, name: actor.name },
    token: actor.limit ? { id: actor.limit.tokenId, role: actor.limit.role } : null,
    workspaces: memberships.map((m) => ({ ...m.workspace, role: actor.limit ? lowerRole(m.role, actor.limit.role) : m.role })),
  });
});
