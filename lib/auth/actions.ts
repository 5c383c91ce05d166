"use server";
import { z } from "zod";
// Server actions for signing up and the Account page.
import { publicAction, userAction } from "@/lib/access/action";
import { changePassword, changePasswordSchema, reissueSession, signOutEverywhere } from "@/lib/auth/account";
import { signUp, signUpSchema } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { forbidden } from "@/lib/errors";
import { requestIp } from "@/lib/http/request";

export const signUpAction = publicAction("signUp", signUpSchema, async (input) => {
  if (!env().ALLOW_SIGNUP && !input.invitationToken) throw forbidden("Sign-up is closed on this server. Ask an admin for an invitation.");
  const { workspace, joined } = await signUp(input, await requestIp());
  return { workspaceSlug: (joined ?? workspace).slug };
});

export const changePasswordAction = userAction("changePassword", changePasswordSchema, async (actor, input) => {
  const version = await changePassword(actor, input);
  // Every other device is signed out; this one gets a fresh session under the new version.
  await reissueSession(actor, version);
  return { changed: true };
});

export const signOutEverywhereAction = userAction("signOutEverywhere", z.object({}), async (actor) => {
  await signOutEverywhere(actor);
  return { signedOut: true };
});
