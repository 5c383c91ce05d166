import { projectRoute } from "@/lib/access/action";
import { listSources } from "@/lib/sources";

export const dynamic = "force-dynamic";

/** The project's sources with their extraction status and chunk counts (upload: POST …/files). */
export const GET = projectRoute("listSources", "project.view", async (ctx) => Response.json({ sources: await listSources(ctx) }));
