import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { ROLE_LABELS } from "@/lib/access/permissions";
import { getActor } from "@/lib/auth/session";
import { findInvitationByToken, invitationStateMessage } from "@/lib/workspaces/invitations";
import { AcceptInvitation } from "./accept-invitation";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

function Message({ title, description }: { title: string; description: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardFooter>
        <Button asChild variant="outline">
          <Link href="/">Go to FineTuneFlow</Link>
        </Button>
      </CardFooter>
    </Card>
  );
}

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitationByToken(token);
  if (!invitation) return <Message title="Invitation not found" description="This invitation link is not valid. Check that you copied all of it." />;
  if (invitation.state !== "pending") return <Message title="Invitation unavailable" description={invitationStateMessage(invitation.state)} />;

  const actor = await getActor();
  const inviter = invitation.invitedBy?.name ?? invitation.invitedBy?.email ?? "Someone";
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Join {invitation.workspace.name}</CardTitle>
        <CardDescription>
          {inviter} invited {invitation.email} as {ROLE_LABELS[invitation.role].toLowerCase()}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {actor ? (
          actor.email === invitation.email ? (
            <AcceptInvitation token={token} workspaceName={invitation.workspace.name} />
          ) : (
            <p className="text-sm text-muted-foreground">
              You are signed in as <span className="font-medium text-foreground">{actor.email}</span>, but this invitation is for{" "}
              <span className="font-medium text-foreground">{invitation.email}</span>. Sign out and sign in with that email to accept it.
            </p>
          )
        ) : (
          <div className="grid gap-2">
            <Button asChild>
              <Link href={`/sign-up?invitation=${encodeURIComponent(token)}`}>Create an account and join</Link>
            </Button>
            <Button asChild variant="outline">
              <Link href={`/sign-in?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`}>I already have an account</Link>
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
