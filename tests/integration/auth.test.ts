import { describe, expect, it } from "vitest";
import { signUpAction } from "@/lib/auth/actions";
import { authorizeWithPassword, WRONG_CREDENTIALS } from "@/lib/auth/options";
import { db } from "@/lib/db/client";
import { createUser, TEST_PASSWORD } from "../support/fixtures";
import { actAs } from "../support/request";

describe("sign-up", () => {
  it("creates the user with a personal workspace they own", async () => {
    await actAs(null);
    const result = await signUpAction({ name: "Ada", email: "Ada@Example.com", password: "a long enough passphrase" });
    expect(result.ok).toBe(true);
    const user = await db.user.findUniqueOrThrow({ where: { email: "ada@example.com" }, include: { memberships: { include: { workspace: true } } } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.memberships).toHaveLength(1);
    expect(user.memberships[0].role).toBe("owner");
    expect(user.memberships[0].workspace.isPersonal).toBe(true);
    expect(result.ok && result.data.workspaceSlug).toBe(user.memberships[0].workspace.slug);
  });

  it("refuses a duplicate email with a message on the email field", async () => {
    const existing = await createUser("dup");
    const result = await signUpAction({ name: "Dup", email: existing.email.toUpperCase(), password: "a long enough passphrase" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.fieldErrors?.email).toMatch(/already exists/);
  });

  it("refuses weak passwords and bad emails with field-level messages", async () => {
    const weak = await signUpAction({ name: "W", email: "weak@example.com", password: "short" });
    expect(!weak.ok && weak.error.fieldErrors?.password).toMatch(/at least 10/);
    const repetitive = await signUpAction({ name: "W", email: "weak@example.com", password: "aaaaaaaaaaaa" });
    expect(!repetitive.ok && repetitive.error.fieldErrors?.password).toMatch(/different characters/);
    for (const password of ["password12", "Qwertyuiop", "iloveyou2024!", "Dragonball99"]) {
      const common = await signUpAction({ name: "W", email: "weak@example.com", password });
      expect(!common.ok && common.error.fieldErrors?.password, password).toMatch(/commonly used/);
    }
    const email = await signUpAction({ name: "W", email: "not-an-email", password: "a long enough passphrase" });
    expect(!email.ok && email.error.fieldErrors?.email).toMatch(/valid email/);
    const name = await signUpAction({ name: " ", email: "ok@example.com", password: "a long enough passphrase" });
    expect(!name.ok && name.error.fieldErrors?.name).toMatch(/name/);
    expect(await db.user.count({ where: { email: { in: ["weak@example.com", "ok@example.com"] } } })).toBe(0);
  });
});

describe("sign-in", () => {
  it("accepts the right password and records the sign-in", async () => {
    const user = await createUser("signin");
    const result = await authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, {});
    expect(result.id).toBe(user.id);
    expect(await db.auditEvent.count({ where: { actorId: user.id, action: "auth.sign_in" } })).toBe(1);
  });

  it("gives the same generic message for a wrong password and an unknown email", async () => {
    const user = await createUser("generic");
    await expect(authorizeWithPassword({ email: user.email, password: "wrong password!" }, {})).rejects.toThrow(WRONG_CREDENTIALS);
    await expect(authorizeWithPassword({ email: "nobody@example.com", password: "wrong password!" }, {})).rejects.toThrow(WRONG_CREDENTIALS);
  });

  it("backs off a guesser at one address without locking the owner out anywhere else", async () => {
    const user = await createUser("throttle");
    const attacker = { "x-forwarded-for": "203.0.113.7" };
    let refused = 0;
    for (let i = 0; i < 50; i++) {
      const error = await authorizeWithPassword({ email: user.email, password: `wrong ${i}` }, attacker).catch((e: Error) => e);
      if (error instanceof Error && /Too many failed attempts from here\. Try again in \d+ seconds?/.test(error.message)) refused++;
    }
    // Five guesses, then every try waits out the back-off without being checked.
    expect(refused).toBe(45);
    expect(await db.loginAttempt.count({ where: { email: user.email, success: false } })).toBe(5);
    await expect(authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, attacker)).rejects.toThrow(/Too many failed attempts from here/);
    // The owner, from their own address, gets in with the right password at once.
    const owner = await authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, { "x-forwarded-for": "198.51.100.20" });
    expect(owner.id).toBe(user.id);
    // ... and that success does not wipe the guesser's back-off.
    await expect(authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, attacker)).rejects.toThrow(/Too many failed attempts from here/);
  });

  it("doubles the back-off with each further failure from the same place, up to the window", async () => {
    const { backoffMs, signInThrottle } = await import("@/lib/auth/throttle");
    expect([4, 5, 6, 7, 20].map(backoffMs)).toEqual([0, 30_000, 60_000, 120_000, 15 * 60_000]);
    const user = await createUser("backoff");
    const now = Date.now();
    // Seven failures, the last 50 s ago: the back-off after seven is 120 s, so 70 s remain.
    await db.loginAttempt.createMany({
      data: Array.from({ length: 7 }, (_, i) => ({ email: user.email, ip: "192.0.2.9", success: false, createdAt: new Date(now - 50_000 - (6 - i) * 1000) })),
    });
    expect((await signInThrottle(user.email, "192.0.2.9", now)).waitSeconds).toBe(70);
    expect((await signInThrottle(user.email, "192.0.2.10", now)).waitSeconds).toBe(0);
  });

  it("stops an address spraying one password over many emails, not the same emails from elsewhere", async () => {
    const sprayer = { "x-forwarded-for": "203.0.113.99" };
    const victims = await Promise.all(Array.from({ length: 3 }, (_, i) => createUser(`spray-${i}`)));
    for (let i = 0; i < 30; i++) {
      await expect(authorizeWithPassword({ email: `sprayed-${i}@example.com`, password: "Summer2026!" }, sprayer)).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(authorizeWithPassword({ email: victims[0].email, password: TEST_PASSWORD }, sprayer)).rejects.toThrow(/Too many failed attempts from here/);
    expect((await authorizeWithPassword({ email: victims[0].email, password: TEST_PASSWORD }, { "x-forwarded-for": "198.51.100.21" })).id).toBe(victims[0].id);
  });

  it("slows, but never refuses, an email guessed at from many addresses", async () => {
    const { signInThrottle } = await import("@/lib/auth/throttle");
    const user = await createUser("botnet");
    await db.loginAttempt.createMany({ data: Array.from({ length: 25 }, (_, i) => ({ email: user.email, ip: `100.64.0.${i + 1}`, success: false })) });
    expect(await signInThrottle(user.email, "198.51.100.22")).toEqual({ waitSeconds: 0, holdMs: 2_000 });
    expect((await authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, { "x-forwarded-for": "198.51.100.22" })).id).toBe(user.id);
  });
});

describe("audit and providers", () => {
  it("a workspace's audit log shows its members' sign-ins but not strangers'", async () => {
    const { createTeam } = await import("../support/fixtures");
    const { listAuditEvents } = await import("@/lib/audit");
    const team = await createTeam();
    const stranger = await createUser("stranger");
    await authorizeWithPassword({ email: team.members.viewer.email, password: TEST_PASSWORD }, {});
    await authorizeWithPassword({ email: stranger.email, password: TEST_PASSWORD }, {});
    const events = await listAuditEvents(team.workspace.id);
    const signIns = events.filter((e) => e.action === "auth.sign_in").map((e) => e.actorId);
    expect(signIns).toContain(team.members.viewer.id);
    expect(signIns).not.toContain(stranger.id);
  });

  it("switches GitHub, Google and OIDC sign-in on when their variables are set", async () => {
    const { enabledOAuthProviders } = await import("@/lib/auth/options");
    const { resetEnvCache } = await import("@/lib/env");
    expect(enabledOAuthProviders()).toEqual([]);
    Object.assign(process.env, {
      GITHUB_CLIENT_ID: "gh",
      GITHUB_CLIENT_SECRET: "gh-secret",
      OIDC_ISSUER: "http://127.0.0.1:9/realms/acme",
      OIDC_CLIENT_ID: "ftf",
      OIDC_CLIENT_SECRET: "oidc-secret",
      OIDC_NAME: "Keycloak",
    });
    resetEnvCache();
    try {
      expect(enabledOAuthProviders()).toEqual([
        { id: "github", name: "GitHub" },
        { id: "oidc", name: "Keycloak" },
      ]);
    } finally {
      for (const k of ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"]) delete process.env[k];
      resetEnvCache();
    }
  });
});
