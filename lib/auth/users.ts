// Accounts: sign-up (with its personal workspace), OAuth users, profile lookups.
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { db, type Tx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { conflict, invalidInput } from "@/lib/errors";
import { acceptInvitation, findInvitationByToken, invitationStateMessage } from "@/lib/workspaces/invitations";
import { uniqueSlug } from "@/lib/workspaces/slug";
import { emailSchema } from "./email";
import { hashPassword, passwordProblem } from "./password";

export { emailSchema };

export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200),
  email: emailSchema,
  password: z.string().min(1, "Choose a password."),
  invitationToken: z.string().optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

function personalWorkspaceName(name: string | null, email: string): string {
  const who = name?.trim() || email.split("@")[0];
  return `${who}'s workspace`;
}

/** Creates the user with a personal workspace they own. */
export async function createUserWithWorkspace(
  tx: Tx,
  data: { email: string; name: string | null; passwordHash: string | null; image?: string | null; emailVerified?: Date | null },
) {
  const user = await tx.user.create({ data });
  const workspaceName = personalWorkspaceName(data.name, data.email);
  const workspace = await tx.workspace.create({
    data: {
      name: workspaceName,
      slug: await uniqueSlug(tx, workspaceName),
      isPersonal: true,
      createdById: user.id,
      memberships: { create: { userId: user.id, role: "owner" } },
    },
  });
  await recordAudit({ workspaceId: workspace.id, actorId: user.id, action: "workspace.create", targetType: "workspace", targetId: workspace.id }, tx);
  return { user, workspace };
}

/** Creates an account (and joins the workspace of an invitation, when one is given). */
export async function signUp(input: SignUpInput, ip: string | null = null) {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw invalidInput("Choose a stronger password.", { password: problem });
  if (input.invitationToken) {
    const invitation = await findInvitationByToken(input.invitationToken);
    if (!invitation) throw invalidInput("This invitation link is not valid.");
    if (invitation.state !== "pending") throw invalidInput(invitationStateMessage(invitation.state));
    if (invitation.email !== input.email) {
      throw invalidInput("Use the email address the invitation was sent to.", { email: `This invitation is for ${invitation.email}.` });
    }
  }
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) {
    throw conflict("An account with this email already exists.", { email: "An account with this email already exists. Sign in instead." });
  }
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const created = await createUserWithWorkspace(tx, { email: input.email, name: input.name, passwordHash });
      await recordAudit({ workspaceId: created.workspace.id, actorId: created.user.id, action: "auth.sign_up", ip }, tx);
      const joined = input.invitationToken
        ? await acceptInvitation({ id: created.user.id, email: created.user.email, name: created.user.name }, input.invitationToken, tx)
        : null;
      return { ...created, joined };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw conflict("An account with this email already exists.", { email: "An account with this email already exists. Sign in instead." });
    }
    throw error;
  }
}

/** Finds or creates the user behind an OAuth sign-in and links the provider account. */
/** Why an OAuth sign-in is refused: sign-up closed without an invitation, or an unverified email. */
export class OAuthSignInRefused extends Error {
  constructor(readonly reason: "SignupClosed" | "EmailUnverified") {
    super(reason);
    this.name = "OAuthSignInRefused";
  }
}

/**
 * Whether the provider vouches for the email. Google and OIDC say so in `email_verified`; next-auth's
 * GitHub provider may hand over an address GitHub never verified, so it never counts as verified.
 */
export function oauthEmailVerified(provider: string, profile: Record<string, unknown> | undefined): boolean {
  if (provider === "github") return false;
  const flag = profile?.email_verified;
  return flag === true || flag === "true";
}

/**
 * The user an OAuth identity signs in as. A known identity signs in; otherwise the identity is
 * linked to the account with its email only when the provider verified that email (or anyone who
 * controls an unverified address at some provider could take the account over), and a new account
 * is made only where sign-up is open or the email has a pending invitation.
 */
export async function upsertOAuthUser(profile: {
  email: string;
  emailVerified: boolean;
  name: string | null;
  image: string | null;
  provider: string;
  providerAccountId: string;
  type: string;
}) {
  const email = emailSchema.parse(profile.email);
  return db.$transaction(async (tx) => {
    const linked = await tx.account.findUnique({
      where: { provider_providerAccountId: { provider: profile.provider, providerAccountId: profile.providerAccountId } },
      include: { user: true },
    });
    if (linked) return linked.user;
    const existing = await tx.user.findUnique({ where: { email } });
    if (existing && !profile.emailVerified) throw new OAuthSignInRefused("EmailUnverified");
    if (!existing && !env().ALLOW_SIGNUP) {
      const invited = await tx.invitation.count({
        where: { email: { equals: email, mode: "insensitive" }, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      });
      if (invited === 0) throw new OAuthSignInRefused("SignupClosed");
    }
    const user =
      existing ??
      (
        await createUserWithWorkspace(tx, {
          email,
          name: profile.name,
          passwordHash: null,
          image: profile.image,
          emailVerified: profile.emailVerified ? new Date() : null,
        })
      ).user;
    await tx.account.create({
      data: { userId: user.id, type: profile.type, provider: profile.provider, providerAccountId: profile.providerAccountId },
    });
    return user;
  });
}
