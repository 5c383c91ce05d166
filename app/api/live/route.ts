import { publicRoute } from "@/lib/access/action";

export const dynamic = "force-dynamic";

/** Liveness: the web process answers. Readiness (database, migrations, a worker) is /api/health. */
export const GET = publicRoute("live", async () => Response.json({ ok: true }));
