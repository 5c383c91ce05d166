// Throttling of repeated sign-in failures, per email and per address, kept in the database
// so it holds across web instances.
import { db } from "@/lib/db/client";

const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 30;

/** Minutes to wait before the next try, or 0 when a try is allowed now. */
export async function signInWaitMinutes(email: string, ip: string | null): Promise<number> {
  const since = new Date(Date.now() - WINDOW_MS);
  const checks: Array<Promise<Date | null>> = [oldestFailureIfOver({ email }, since, MAX_FAILURES_PER_EMAIL)];
  if (ip) checks.push(oldestFailureIfOver({ ip }, since, MAX_FAILURES_PER_IP));
  const oldest = (await Promise.all(checks)).filter((d): d is Date => d !== null);
  if (oldest.length === 0) return 0;
  const until = Math.max(...oldest.map((d) => d.getTime() + WINDOW_MS));
  return Math.max(1, Math.ceil((until - Date.now()) / 60000));
}

async function oldestFailureIfOver(where: { email?: string; ip?: string }, since: Date, limit: number): Promise<Date | null> {
  const failures = await db.loginAttempt.findMany({
    where: { ...where, success: false, createdAt: { gte: since } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { createdAt: true },
  });
  return failures.length >= limit ? failures[failures.length - 1].createdAt : null;
}

export async function recordSignInAttempt(email: string, ip: string | null, success: boolean): Promise<void> {
  await db.loginAttempt.create({ data: { email, ip, success } });
  if (success) {
    // A success clears the email's failure streak.
    await db.loginAttempt.deleteMany({ where: { email, success: false } });
  }
}
