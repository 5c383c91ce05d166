// What the app shell (sidebar, top bar, workspace switcher) shows of the workspaces and projects.
import type { Role } from "@/lib/access/permissions";

export type ShellWorkspace = { id: string; slug: string; name: string; isPersonal: boolean; role: Role };
export type ShellProject = { id: string; name: string; status: string };
