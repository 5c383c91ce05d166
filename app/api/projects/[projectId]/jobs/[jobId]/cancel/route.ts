import { projectRoute } from "@/lib/access/action";
import { cancelJob } from "@/lib/jobs/control";
import { findJobDefinition } from "@/worker/registry";

export const dynamic = "force-dynamic";

/** Asks a queued or running job to stop (as the Cancel button does); 409 when it has finished. */
export const POST = projectRoute("cancelJob", "jobs.cancel", async (ctx, _request, params) => {
  await cancelJob(ctx, String(params.jobId), findJobDefinition);
  return Response.json({ ok: true });
});
