// A user's own account: change the password, end every session. Both end the sessions on other
// devices (lib/auth/revocation.ts); the caller's own session is issued again so they stay here
// after a password change.
import { cookies } from "next/headers";
import { encode } from "next-auth/jwt";
import { z } from "zod";
import type { Actor } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { invalidInput } from "@/lib/errors";
import { requestIp } from "@/lib/http/request";
import { hashPassword, passwordProblem, verifyPassword } from "./password";
import { endAllSessions, newSessionId } from "./revocation";
import { authSecret } from "./secret";
import { COOKIE_NAMES } from "./session";
import { describeWait, recordSignInAttempt, signInThrottle } from "./throttle";

export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

export const changePasswordSchema = z.object({
  current: z.string().max(200).default(""),
  password: z.string().max(200),
});

/** Sets a new password after checking the current one (throttled like sign-in); returns the new session version. */
export async function changePassword(actor: Actor, input: z.infer<typeof changePasswordSchema>): Promise<number> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { email: true, passwordHash: true } });
  // Someone holding a stolen session must not be able to guess the password here faster than at sign-in.
  const ip = await requestIp().catch(() => null);
  if (user.passwordHash) {
    const throttle = await signInThrottle(user.email, ip);
    if (throttle.waitSeconds > 0) throw invalidInput(`Too many wrong passwords. Try again in ${describeWait(throttle.waitSeconds)}.`);
    const ok = await verifyPassword(input.current, user.passwordHash);
    if (!ok) {
      await recordSignInAttempt(user.email, ip, false);
      throw invalidInput("Please correct the highlighted fields.", { current: "This is not your current password." });
    }
  }
  const problem = passwordProblem(input.password, user.email);
  if (problem) throw invalidInput("Please correct the highlighted fields.", { password: problem });
  const passwordHash = await hashPassword(input.password);
  await db.user.update({ where: { id: actor.id }, data: { passwordHash } });
  const version = await endAllSessions(actor.id);
  await recordAudit({ actorId: actor.id, action: "auth.password_change", ip });
  return version;
}

export async function signOutEverywhere(actor: Actor): Promise<void> {
  await endAllSessions(actor.id);
  await recordAudit({ actorId: actor.id, action: "auth.sign_out_everywhere", ip: await requestIp().catch(() => null) });
}

/** Replaces the caller's session cookie with a fresh token under the given session version. */
export async function reissueSession(actor: Actor, sessionVersion: number): Promise<void> {
  const jar = await cookies();
  const [secure, plain] = COOKIE_NAMES;
  const name = jar.getAll().some((c) => c.name.startsWith(secure)) ? secure : plain;
  for (const cookie of jar.getAll()) if (cookie.name.startsWith(`${name}.`)) jar.delete(cookie.name);
  const token = await encode({
    secret: authSecret(),
    maxAge: SESSION_MAX_AGE_S,
    token: { uid: actor.id, sub: actor.id, email: actor.email, name: actor.name, sid: newSessionId(), sv: sessionVersion },
  });
  jar.set(name, token, { httpOnly: true, sameSite: "lax", path: "/", secure: name.startsWith("__Secure-"), maxAge: SESSION_MAX_AGE_S });
}
