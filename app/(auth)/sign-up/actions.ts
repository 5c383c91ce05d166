"use server";

import { publicAction } from "@/lib/access/action";
import { signUp, signUpSchema } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { forbidden } from "@/lib/errors";
import { requestIp } from "@/lib/http/request";

export const signUpAction = publicAction("signUp", signUpSchema, async (input) => {
  if (!env().ALLOW_SIGNUP && !input.invitationToken) throw forbidden("Sign-up is closed on this server. Ask an admin for an invitation.");
  const { workspace, joined } = await signUp(input, await requestIp());
  return { workspaceSlug: (joined ?? workspace).slug };
});
