import { redirect } from "next/navigation";
import { requirePageActor } from "@/lib/auth/session";
import { listWorkspacesForUser } from "@/lib/workspaces";

export const dynamic = "force-dynamic";

export default async function Home() {
  const actor = await requirePageActor("/");
  const workspaces = await listWorkspacesForUser(actor.id);
  const personal = workspaces.find((w) => w.isPersonal) ?? workspaces[0];
  redirect(personal ? `/w/${personal.slug}` : "/workspaces/new");
}
