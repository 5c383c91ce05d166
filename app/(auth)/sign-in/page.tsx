import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { enabledOAuthProviders } from "@/lib/auth/options";
import { safeCallbackPath } from "@/lib/auth/redirect";
import { getActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const OAUTH_ERRORS: Record<string, string> = {
  OAuthNoEmail: "Your account at that provider has no email address we can use.",
  OAuthSignin: "Could not start signing in with that provider. Try again.",
  OAuthCallback: "Signing in with that provider failed. Try again.",
  AccessDenied: "This account is not allowed to sign in.",
  SignupClosed: "Sign-up is closed on this server. Ask an admin for an invitation to this email address.",
  EmailUnverified: "An account with this email already exists. Sign in with its password: the provider did not confirm that the address is yours.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getActor()) redirect(callbackUrl);
  return (
    <SignInForm
      callbackUrl={callbackUrl}
      providers={enabledOAuthProviders()}
      allowSignUp={env().ALLOW_SIGNUP}
      initialError={params.error ? (OAUTH_ERRORS[params.error] ?? "Signing in failed. Try again.") : undefined}
    />
  );
}
