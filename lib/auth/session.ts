// Who is calling: read from the next-auth session on the server, for every page, action and
// route (the proxy only redirects early; it is not the check).
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { unauthorized } from "@/lib/errors";
import { authOptions } from "./options";

export const getActor = cache(async (): Promise<Actor | null> => {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, isActive: true } });
  if (!user || !user.isActive) return null;
  return { id: user.id, email: user.email, name: user.name };
});

/** For actions and routes: the caller, or an `unauthorized` error. */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw unauthorized();
  return actor;
}

/** For pages: the caller, or a redirect to sign-in that comes back here. */
export async function requirePageActor(returnTo: string): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  return actor;
}
