// Accounts: sign-up (with its personal workspace), OAuth users, profile lookups.
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { db, type Tx } from "@/lib/db/client";
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
export async function upsertOAuthUser(profile: {
  email: string;
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
    const user =
      (await tx.user.findUnique({ where: { email } })) ??
      (await createUserWithWorkspace(tx, { email, name: profile.name, passwordHash: null, image: profile.image, emailVerified: new Date() })).user;
    await tx.account.create({
      data: { userId: user.id, type: profile.type, provider: profile.provider, providerAccountId: profile.providerAccountId },
    });
    return user;
  });
}
