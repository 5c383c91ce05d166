import { projectRoute } from "@/lib/access/action";
import { getRun, runMetrics } from "@/lib/training";

export const dynamic = "force-dynamic";

/** A run's curve points after `?after=<step>` and its current state, for the live charts. */
export const GET = projectRoute("runMetrics", "project.view", async (ctx, request, params) => {
  const after = Number.parseInt(new URL(request.url).searchParams.get("after") ?? "-1", 10);
  const runId = String(params.runId);
  const run = await getRun(ctx, runId);
  const points = await runMetrics(ctx, runId, Number.isFinite(after) ? after : -1);
  return Response.json({ run, points }, { headers: { "cache-control": "private, no-store" } });
});
