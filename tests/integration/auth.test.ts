import { describe, expect, it } from "vitest";
import { signUpAction } from "@/app/(auth)/sign-up/actions";
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

  it("throttles repeated failures for an email, even with the right password", async () => {
    const user = await createUser("throttle");
    for (let i = 0; i < 5; i++) {
      await expect(authorizeWithPassword({ email: user.email, password: `wrong ${i}` }, { "x-forwarded-for": "10.1.2.3" })).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(authorizeWithPassword({ email: user.email, password: TEST_PASSWORD }, {})).rejects.toThrow(/Too many failed attempts\. Try again in \d+ minutes?/);
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
