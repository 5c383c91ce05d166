import { publicRoute } from "@/lib/access/action";
import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/** The REST API's OpenAPI 3.1 document. */
export const GET = publicRoute("openapi", async (request) => Response.json(openApiDocument(env().APP_URL ?? new URL(request.url).origin)));
