import { workspaceRoute } from "@/lib/access/action";
import { listProjects } from "@/lib/projects";

export const dynamic = "force-dynamic";

/** The workspace's projects: task, base model, status, documents and usable train examples. */
export const GET = workspaceRoute("listProjects", "project.view", async (ctx) => Response.json({ projects: await listProjects(ctx) }));
