import { projectRoute } from "@/lib/access/action";
import { getJobWithLogs } from "@/lib/jobs/queries";

export const dynamic = "force-dynamic";

/** One job with its log lines, for the detail drawer. */
export const GET = projectRoute("getJob", "project.view", async (ctx, _request, params) => Response.json(await getJobWithLogs(ctx, String(params.jobId))));
