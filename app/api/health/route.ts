import { publicRoute } from "@/lib/access/action";
import { healthReport } from "@/lib/health";

export const dynamic = "force-dynamic";

export const GET = publicRoute("health", async () => {
  const report = await healthReport();
  return Response.json(report, { status: report.ok ? 200 : 503 });
});
