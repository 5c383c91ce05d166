// Issue 13, finding 7: OAuth sign-in neither opens closed sign-up nor takes over an account by an
// email the provider did not verify.
import crypto from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { createUser } from "@/tests/support/fixtures";
import { OAuthSignInRefused, oauthEmailVerified, upsertOAuthUser } from "./users";

const identity = (email: string, emailVerified: boolean, provider = "oidc") => ({
  email,
  emailVerified,
  name: "Someone",
  image: null,
  provider,
  providerAccountId: crypto.randomUUID(),
  type: "oauth",
});

afterEach(() => {
  delete process.env.ALLOW_SIGNUP;
  resetEnvCache();
});

describe("upsertOAuthUser", () => {
  it("does not link an unverified email to an existing account", async () => {
    const victim = await createUser("victim");
    await expect(upsertOAuthUser(identity(victim.email, false))).rejects.toBeInstanceOf(OAuthSignInRefused);
    expect(await db.account.count({ where: { userId: victim.id } })).toBe(0);
    const linked = await upsertOAuthUser(identity(victim.email, true));
    expect(linked.id).toBe(victim.id);
  });

  it("creates no account while sign-up is closed, unless the email was invited", async () => {
    process.env.ALLOW_SIGNUP = "false";
    resetEnvCache();
    const stranger = `stranger-${crypto.randomBytes(3).toString("hex")}@example.com`;
    await expect(upsertOAuthUser(identity(stranger, true))).rejects.toMatchObject({ reason: "SignupClosed" });
    expect(await db.user.count({ where: { email: stranger } })).toBe(0);

    const inviter = await createUser("inviter");
    const workspace = await db.workspace.create({ data: { name: "W", slug: `w-${crypto.randomBytes(4).toString("hex")}`, createdById: inviter.id } });
    const invited = `invited-${crypto.randomBytes(3).toString("hex")}@example.com`;
    await db.invitation.create({
      data: { workspaceId: workspace.id, email: invited, tokenHash: crypto.randomBytes(32).toString("hex"), expiresAt: new Date(Date.now() + 86_400_000) },
    });
    expect((await upsertOAuthUser(identity(invited, true))).email).toBe(invited);
  });

  it("trusts email_verified from Google and OIDC, never GitHub's address", () => {
    expect(oauthEmailVerified("google", { email_verified: true })).toBe(true);
    expect(oauthEmailVerified("oidc", { email_verified: false })).toBe(false);
    expect(oauthEmailVerified("oidc", {})).toBe(false);
    expect(oauthEmailVerified("github", { email_verified: true })).toBe(false);
  });
});
