import { projectRoute } from "@/lib/access/action";
import { listProjectJobs } from "@/lib/jobs/queries";

export const dynamic = "force-dynamic";

/** The project's jobs as JSON: the polling fallback of the live stream. */
export const GET = projectRoute("listJobs", "project.view", async (ctx) => Response.json({ jobs: await listProjectJobs(ctx) }));
