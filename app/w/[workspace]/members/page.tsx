import type { Metadata } from "next";
import { InvitationList } from "@/components/members/invitation-list";
import { InviteForm } from "@/components/members/invite-form";
import { LeaveWorkspace } from "@/components/members/leave-workspace";
import { MemberList } from "@/components/members/member-list";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { workspacePageContext } from "@/lib/access/page";
import { assignableRoles, can } from "@/lib/access/permissions";
import { mailConfigured } from "@/lib/mail";
import { listMembers } from "@/lib/workspaces";
import { listInvitations } from "@/lib/workspaces/invitations";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  const canInvite = can(ctx.role, "members.invite");
  const canManage = can(ctx.role, "members.manage");
  const [members, invitations] = await Promise.all([listMembers(ctx), canManage ? listInvitations(ctx) : Promise.resolve([])]);

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title="Members" description={`People in ${ctx.workspace.name} and what they can do.`} />
      {canInvite && (
        <Card>
          <CardHeader>
            <CardTitle>Invite someone</CardTitle>
            <CardDescription>
              {mailConfigured() ? "We email them a link; you can also copy it." : "Copy the link we make and send it to them. It works for 7 days."}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <InviteForm workspaceId={ctx.workspace.id} roles={assignableRoles(ctx.role)} />
          </CardContent>
        </Card>
      )}
      <Card>
        <CardHeader>
          <CardTitle>Members ({members.length})</CardTitle>
        </CardHeader>
        <CardContent>
          <MemberList
            workspaceId={ctx.workspace.id}
            currentUserId={ctx.actor.id}
            canManage={canManage}
            assignable={assignableRoles(ctx.role)}
            isOwner={ctx.role === "owner"}
            members={members.map((m) => ({
              id: m.id,
              role: m.role,
              user: { id: m.user.id, email: m.user.email, name: m.user.name },
              since: m.createdAt.toISOString(),
            }))}
          />
        </CardContent>
      </Card>
      {canManage && invitations.length > 0 && (
        <Card>
          <CardHeader>
            <CardTitle>Invitations</CardTitle>
          </CardHeader>
          <CardContent>
            <InvitationList
              workspaceId={ctx.workspace.id}
              invitations={invitations.map((i) => ({ id: i.id, email: i.email, role: i.role, state: i.state, expiresAt: i.expiresAt.toISOString() }))}
            />
          </CardContent>
        </Card>
      )}
      <LeaveWorkspace workspaceId={ctx.workspace.id} workspaceName={ctx.workspace.name} />
    </div>
  );
}
