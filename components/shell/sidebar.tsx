"use client";

import { FolderKanban, Gauge, LayoutGrid, Logs, ScrollText, Settings, ShieldCheck, Sparkles, Users } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { ProjectStatusDot } from "@/components/projects/project-status";
import { cn } from "@/components/ui/cn";
import type { ShellProject, ShellWorkspace } from "./types";
import { WorkspaceSwitcher } from "./workspace-switcher";

type Props = {
  workspace: ShellWorkspace;
  workspaces: ShellWorkspace[];
  projects: ShellProject[];
  canManage: boolean;
  canSeeAudit: boolean;
  instanceAdmin?: boolean;
};

function NavLink({ href, icon: Icon, children, exact }: { href: string; icon: typeof LayoutGrid; children: React.ReactNode; exact?: boolean }) {
  const pathname = usePathname();
  const active = exact ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-sidebar-foreground/80 transition-colors hover:bg-sidebar-accent hover:text-sidebar-foreground",
        active && "bg-sidebar-accent font-medium text-sidebar-foreground",
      )}
    >
      <Icon className="size-4 shrink-0" />
      <span className="truncate">{children}</span>
    </Link>
  );
}

export function Sidebar({ workspace, workspaces, projects, canSeeAudit, instanceAdmin = false }: Props) {
  const base = `/w/${workspace.slug}`;
  const pathname = usePathname();
  return (
    <aside className="hidden w-64 shrink-0 flex-col border-r border-sidebar-border bg-sidebar md:flex">
      <div className="flex h-14 items-center gap-2 border-b border-sidebar-border px-4 font-semibold">
        <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
          <Sparkles className="size-4" />
        </span>
        FineTuneFlow
      </div>
      <div className="p-3">
        <WorkspaceSwitcher current={workspace} workspaces={workspaces} />
      </div>
      <nav className="space-y-0.5 px-3" aria-label="Workspace">
        <NavLink href={base} icon={LayoutGrid} exact>
          Projects
        </NavLink>
        <NavLink href={`${base}/members`} icon={Users}>
          Members
        </NavLink>
        <NavLink href={`${base}/settings`} icon={Settings}>
          Settings
        </NavLink>
        {canSeeAudit && (
          <NavLink href={`${base}/audit`} icon={ScrollText}>
            Audit log
          </NavLink>
        )}
        {canSeeAudit && (
          <NavLink href={`${base}/logs`} icon={Logs}>
            Logs
          </NavLink>
        )}
        {canSeeAudit && (
          <NavLink href={`${base}/usage`} icon={Gauge}>
            Usage
          </NavLink>
        )}
        {instanceAdmin && (
          <NavLink href="/admin" icon={ShieldCheck}>
            Instance admin
          </NavLink>
        )}
      </nav>
      <div className="mt-6 flex min-h-0 flex-1 flex-col px-3 pb-3">
        <div className="px-2 pb-2 text-xs font-medium uppercase tracking-wide text-muted-foreground">Projects</div>
        <nav className="min-h-0 flex-1 space-y-0.5 overflow-y-auto" aria-label="Projects">
          {projects.length === 0 ? (
            <p className="px-2 text-xs text-muted-foreground">No projects yet.</p>
          ) : (
            projects.map((project) => {
              const href = `${base}/p/${project.id}`;
              const active = pathname === href || pathname.startsWith(`${href}/`);
              return (
                <Link
                  key={project.id}
                  href={href}
                  className={cn(
                    "flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-sidebar-foreground/80 hover:bg-sidebar-accent hover:text-sidebar-foreground",
                    active && "bg-sidebar-accent font-medium text-sidebar-foreground",
                  )}
                >
                  <FolderKanban className="size-4 shrink-0" />
                  <span className="min-w-0 flex-1 truncate">{project.name}</span>
                  <ProjectStatusDot status={project.status} />
                </Link>
              );
            })
          )}
        </nav>
      </div>
    </aside>
  );
}
