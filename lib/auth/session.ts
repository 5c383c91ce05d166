// Who is calling: the next-auth session cookie (an encrypted JWT) read on the server for every
// page, action and route. We decode it with next-auth's own `decode`, then check the user
// still exists and is active and that the session was not ended (lib/auth/revocation.ts).

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { decode } from "next-auth/jwt";
import { cache } from "react";
import type { Actor } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { unauthorized } from "@/lib/errors";
import { sessionIsLive } from "./revocation";
import { authSecret } from "./secret";

/** next-auth's session cookie: the __Secure- name over https, the plain one over http. */
export const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"] as const;

/** The session token, joined back together when next-auth split it into chunks. */
function readToken(jar: { getAll(): Array<{ name: string; value: string }> }): string | undefined {
  const all = jar.getAll();
  for (const name of COOKIE_NAMES) {
    const whole = all.find((c) => c.name === name);
    if (whole) return whole.value;
    const chunks = all
      .filter((c) => c.name.startsWith(`${name}.`))
      .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)));
    if (chunks.length) return chunks.map((c) => c.value).join("");
  }
  return undefined;
}

export const getActor = cache(async (): Promise<Actor | null> => {
  const token = readToken(await cookies());
  if (!token) return null;
  let payload: Awaited<ReturnType<typeof decode>>;
  try {
    payload = await decode({ token, secret: authSecret() });
  } catch {
    return null;
  }
  const id = typeof payload?.uid === "string" ? payload.uid : undefined;
  if (!id) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, isActive: true, sessionVersion: true } });
  if (!user?.isActive || !(await sessionIsLive(payload, user))) return null;
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
