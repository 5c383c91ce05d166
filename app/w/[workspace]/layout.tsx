import { AppShell } from "@/components/shell/app-shell";
import { workspacePageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { db } from "@/lib/db/client";
import { listWorkspacesForUser } from "@/lib/workspaces";

export default async function WorkspaceLayout({ children, params }: { children: React.ReactNode; params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  const [workspaces, projects, instanceAdmin] = await Promise.all([
    listWorkspacesForUser(ctx.actor.id),
    db.project.findMany({
      where: { workspaceId: ctx.workspace.id },
      orderBy: { updatedAt: "desc" },
      select: { id: true, name: true, status: true },
      take: 50,
    }),
    isInstanceAdmin(ctx.actor),
  ]);
  return (
    <AppShell
      user={{ name: ctx.actor.name, email: ctx.actor.email }}
      workspace={{ ...ctx.workspace, role: ctx.role }}
      workspaces={workspaces}
      projects={projects}
      canManage={can(ctx.role, "members.manage")}
      canSeeAudit={can(ctx.role, "audit.view")}
      instanceAdmin={instanceAdmin}
    >
      {children}
    </AppShell>
  );
}
