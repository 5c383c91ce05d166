"use server";

import { z } from "zod";
import { userAction } from "@/lib/access/action";
import { changePassword, changePasswordSchema, reissueSession, signOutEverywhere } from "@/lib/auth/account";

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
