import { projectRoute } from "@/lib/access/action";
import { listRuns } from "@/lib/training";

export const dynamic = "force-dynamic";

/** The project's training runs, newest first, with status, metrics and evaluation. */
export const GET = projectRoute("listRuns", "project.view", async (ctx) => Response.json({ runs: await listRuns(ctx) }));
