import { Sidebar } from "./sidebar";
import { TopBar } from "./top-bar";
import type { ShellProject, ShellWorkspace } from "./types";

export type { ShellProject, ShellWorkspace };

type Props = {
  user: { name: string | null; email: string };
  workspace: ShellWorkspace;
  workspaces: ShellWorkspace[];
  projects: ShellProject[];
  canManage: boolean;
  canSeeAudit: boolean;
  /** The instance's administrator gets a link to the instance administration page. */
  instanceAdmin?: boolean;
  children: React.ReactNode;
};

export function AppShell({ user, workspace, workspaces, projects, canManage, canSeeAudit, instanceAdmin = false, children }: Props) {
  return (
    <div className="flex min-h-screen">
      <Sidebar
        workspace={workspace}
        workspaces={workspaces}
        projects={projects}
        canManage={canManage}
        canSeeAudit={canSeeAudit}
        instanceAdmin={instanceAdmin}
      />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar user={user} workspace={workspace} />
        <main className="flex-1 px-4 py-6 md:px-8">{children}</main>
      </div>
    </div>
  );
}
