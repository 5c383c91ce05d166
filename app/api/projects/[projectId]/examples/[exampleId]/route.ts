import { projectRoute } from "@/lib/access/action";
import { getExampleWithSource } from "@/lib/datasets/review";

export const dynamic = "force-dynamic";

/** An example with the chunk it was made from, for the review drawer. */
export const GET = projectRoute("getExample", "project.view", async (ctx, _request, params) =>
  Response.json(await getExampleWithSource(ctx, String(params.exampleId))),
);
