// Throttling of repeated sign-in failures, kept in the database so it holds across web
// instances. Failures back off per email *and* address: someone guessing a password from one
// place waits longer and longer there, while the account's owner, signing in from anywhere
// else, is never refused. An address that fails across many emails (password spraying) waits
// out the window. Failures on one email from everywhere (a botnet) slow each further try down
// by a few seconds but refuse none.
import { db } from "@/lib/db/client";

const WINDOW_MS = 15 * 60 * 1000;
/** Wrong passwords for one email from one address before the back-off starts. */
const FREE_FAILURES = 5;
const FIRST_DELAY_MS = 30 * 1000;
const MAX_DELAY_MS = WINDOW_MS;
/** Wrong passwords from one address over all emails in the window. */
const MAX_FAILURES_PER_ADDRESS = 30;
/** Wrong passwords for one email from all addresses before each try is held a little. */
const SLOW_DOWN_AFTER = 20;
const SLOW_DOWN_MS = 2_000;

export type SignInThrottle = {
  /** Seconds before this email may be tried again from this address; 0 = now. */
  waitSeconds: number;
  /** How long to hold this try before checking the password (not a refusal). */
  holdMs: number;
};

/** The back-off after `failures` wrong passwords in a row from one place. */
export function backoffMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES));
}

export async function signInThrottle(email: string, ip: string | null, now = Date.now()): Promise<SignInThrottle> {
  const since = new Date(now - WINDOW_MS);
  const recent = { success: false, createdAt: { gte: since } } as const;
  const [pair, fromAddress, forEmail] = await Promise.all([
    db.loginAttempt.findMany({ where: { ...recent, email, ip }, orderBy: { createdAt: "desc" }, take: 32, select: { createdAt: true } }),
    ip
      ? db.loginAttempt.findMany({ where: { ...recent, ip }, orderBy: { createdAt: "desc" }, take: MAX_FAILURES_PER_ADDRESS, select: { createdAt: true } })
      : Promise.resolve([]),
    db.loginAttempt.count({ where: { ...recent, email } }),
  ]);
  let until = 0;
  if (pair.length >= FREE_FAILURES) until = pair[0].createdAt.getTime() + backoffMs(pair.length);
  if (fromAddress.length >= MAX_FAILURES_PER_ADDRESS) until = Math.max(until, fromAddress[fromAddress.length - 1].createdAt.getTime() + WINDOW_MS);
  return {
    waitSeconds: until > now ? Math.ceil((until - now) / 1000) : 0,
    holdMs: forEmail >= SLOW_DOWN_AFTER ? SLOW_DOWN_MS : 0,
  };
}

/** "30 seconds", "4 minutes". */
export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export async function recordSignInAttempt(email: string, ip: string | null, success: boolean): Promise<void> {
  await db.loginAttempt.create({ data: { email, ip, success } });
  // A success clears the failures from the place it came from, not the ones from elsewhere.
  if (success) await db.loginAttempt.deleteMany({ where: { email, ip, success: false } });
}
