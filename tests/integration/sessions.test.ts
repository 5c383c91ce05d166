// Issue 13, finding 9: a session ends when its user signs out (even where its cookie was copied),
// and changing the password or "sign out everywhere" ends every other session.
import { encode } from "next-auth/jwt";
import { beforeEach, describe, expect, it } from "vitest";
import { changePasswordAction, signOutEverywhereAction } from "@/lib/auth/actions";
import { authOptions, authorizeWithPassword, WRONG_CREDENTIALS } from "@/lib/auth/options";
import { getActor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { createUser, TEST_PASSWORD, type TestUser } from "../support/fixtures";
import { currentTestRequest, SESSION_COOKIE } from "../support/request";

/** A session as next-auth issues it at sign-in: the jwt callback's token, encoded. */
async function signIn(user: TestUser): Promise<{ cookie: string; claims: Record<string, unknown> }> {
  const jwt = authOptions().callbacks!.jwt!;
  const claims = (await jwt({
    token: { sub: user.id, email: user.email, name: user.name },
    user: { id: user.id, email: user.email },
    account: null,
    trigger: "signIn",
  } as never)) as Record<string, unknown>;
  const cookie = await encode({ token: { ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }, secret: process.env.AUTH_SECRET! });
  return { cookie, claims: { ...claims, exp: Math.floor(Date.now() / 1000) + 3600 } };
}

function useCookie(cookie: string): void {
  currentTestRequest().cookies.clear();
  currentTestRequest().cookies.set(SESSION_COOKIE, cookie);
}

async function actorWith(cookie: string) {
  useCookie(cookie);
  return getActor();
}

let user: TestUser;
beforeEach(async () => {
  user = await createUser("sessions");
});

describe("sessions end when they should", () => {
  it("signing out ends that session, also for a copy of its cookie; other sessions go on", async () => {
    const laptop = await signIn(user);
    const phone = await signIn(user);
    expect((await actorWith(laptop.cookie))?.id).toBe(user.id);
    await authOptions().events!.signOut!({ token: laptop.claims } as never);
    expect(await actorWith(laptop.cookie)).toBeNull();
    expect((await actorWith(phone.cookie))?.id).toBe(user.id);
  });

  it("changing the password ends every other session and keeps this one, under the new password only", async () => {
    const other = await signIn(user);
    const here = await signIn(user);
    useCookie(here.cookie);
    const wrong = await changePasswordAction({ current: "not my password", password: "a brand new passphrase" });
    expect(!wrong.ok && wrong.error.fieldErrors?.current).toMatch(/not your current password/);
    const common = await changePasswordAction({ current: TEST_PASSWORD, password: "password123" });
    expect(!common.ok && common.error.fieldErrors?.password).toMatch(/commonly used/);
    expect((await actorWith(other.cookie))?.id).toBe(user.id);

    useCookie(here.cookie);
    const changed = await changePasswordAction({ current: TEST_PASSWORD, password: "a brand new passphrase" });
    expect(changed.ok).toBe(true);
    const reissued = currentTestRequest().cookies.get(SESSION_COOKIE)!;
    expect(reissued).not.toBe(here.cookie);
    expect(await actorWith(other.cookie)).toBeNull();
    expect(await actorWith(here.cookie)).toBeNull();
    expect((await actorWith(reissued))?.id).toBe(user.id);
    await expect(authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, { "x-forwarded-for": "192.0.2.50" })).rejects.toThrow(WRONG_CREDENTIALS);
    expect((await authorizeWithPassword({ email: user.email, password: "a brand new passphrase" }, { "x-forwarded-for": "192.0.2.51" })).id).toBe(user.id);
    expect(await db.auditEvent.count({ where: { actorId: user.id, action: "auth.password_change" } })).toBe(1);
  });

  it("wrong current passwords are throttled like sign-in, so a stolen session cannot guess it quickly", async () => {
    const here = await signIn(user);
    currentTestRequest().headers.set("x-forwarded-for", "203.0.113.77");
    try {
      for (let i = 0; i < 5; i++) {
        useCookie(here.cookie);
        await changePasswordAction({ current: `guess ${i}`, password: "a brand new passphrase" });
      }
      useCookie(here.cookie);
      const blocked = await changePasswordAction({ current: TEST_PASSWORD, password: "a brand new passphrase" });
      expect(!blocked.ok && blocked.error.message).toMatch(/Too many wrong passwords/);
    } finally {
      currentTestRequest().headers.delete("x-forwarded-for");
    }
  });

  it("sign out everywhere ends every session, this one included", async () => {
    const a = await signIn(user);
    const b = await signIn(user);
    useCookie(a.cookie);
    expect((await signOutEverywhereAction({})).ok).toBe(true);
    expect(await actorWith(a.cookie)).toBeNull();
    expect(await actorWith(b.cookie)).toBeNull();
    expect((await actorWith((await signIn(user)).cookie))?.id).toBe(user.id);
  });
});
