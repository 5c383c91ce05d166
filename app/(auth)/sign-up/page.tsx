import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { safeCallbackPath } from "@/lib/auth/redirect";
import { getActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { findInvitationByToken } from "@/lib/workspaces/invitations";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create an account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  if (await getActor()) redirect(params.invitation ? `/invite/${params.invitation}` : "/");
  const invitation = params.invitation ? await findInvitationByToken(params.invitation) : null;
  const pendingInvitation = invitation?.state === "pending" ? invitation : null;
  if (!env().ALLOW_SIGNUP && !pendingInvitation) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Sign-up is closed</CardTitle>
          <CardDescription>This server only accepts new accounts by invitation. Ask a workspace admin to invite you.</CardDescription>
        </CardHeader>
      </Card>
    );
  }
  return (
    <SignUpForm
      invitation={
        pendingInvitation ? { token: params.invitation!, email: pendingInvitation.email, workspaceName: pendingInvitation.workspace.name } : undefined
      }
      callbackUrl={params.callbackUrl ? safeCallbackPath(params.callbackUrl) : undefined}
    />
  );
}
