import { publicRoute } from "@/lib/access/action";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { getActor } from "@/lib/auth/session";
import { healthReport, publicHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Anyone (a load balancer) gets the verdicts; only the instance administrator the details. */
export const GET = publicRoute("health", async () => {
  const report = await healthReport();
  const actor = await getActor().catch(() => null);
  const detailed = actor !== null && (await isInstanceAdmin(actor).catch(() => false));
  return Response.json(detailed ? report : publicHealth(report), { status: report.ok ? 200 : 503 });
});
