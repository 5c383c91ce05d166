// Ending sessions before their token expires. Session tokens are stateless JWTs, so a token
// carries a session id (`sid`) and the user's session version (`sv`) from when it was issued:
// signing out records the sid as revoked until the token would have expired; changing the
// password or "sign out everywhere" raises the user's version, which ends every older token.
import crypto from "node:crypto";
import { db } from "@/lib/db/client";

export function newSessionId(): string {
  return crypto.randomBytes(18).toString("base64url");
}

type Claims = Record<string, unknown> | null | undefined;

/** Whether a decoded token still stands for its user's live session. */
export async function sessionIsLive(claims: Claims, user: { sessionVersion: number }): Promise<boolean> {
  // Tokens issued before revocation existed carry neither claim: they count as version 0.
  const version = typeof claims?.sv === "number" ? claims.sv : 0;
  if (version !== user.sessionVersion) return false;
  if (typeof claims?.sid !== "string") return true;
  return (await db.revokedSession.findUnique({ where: { id: claims.sid }, select: { id: true } })) === null;
}

/** Sign-out: this token's session ends now, wherever its cookie has been copied. */
export async function revokeSession(claims: Claims): Promise<void> {
  if (typeof claims?.sid !== "string" || typeof claims.uid !== "string") return;
  const expires = typeof claims.exp === "number" ? new Date(claims.exp * 1000) : new Date(Date.now() + 30 * 24 * 3600 * 1000);
  await db.revokedSession.upsert({ where: { id: claims.sid }, create: { id: claims.sid, userId: claims.uid, expiresAt: expires }, update: {} });
  // Entries past their token's expiry protect nothing any more.
  await db.revokedSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}

/** Ends every session of a user (password change, "sign out everywhere"). */
export async function endAllSessions(userId: string): Promise<number> {
  const user = await db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } }, select: { sessionVersion: true } });
  return user.sessionVersion;
}
