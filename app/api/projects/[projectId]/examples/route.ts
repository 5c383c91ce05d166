import { projectRoute } from "@/lib/access/action";
import { cursorSchema, listExamples, reviewFilterSchema } from "@/lib/datasets/review";

export const dynamic = "force-dynamic";

const flag = (v: string | null) => (v === "true" ? true : v === "false" ? false : undefined);

/** One page of examples for the review table (keyset: ?after=<createdAt>,<id>). */
export const GET = projectRoute("listExamples", "project.view", async (ctx, request) => {
  const params = new URL(request.url).searchParams;
  const filter = reviewFilterSchema.parse({
    split: params.get("split") || undefined,
    valid: flag(params.get("valid")),
    review: params.get("review") || undefined,
    duplicate: flag(params.get("duplicate")),
    nearDup: flag(params.get("near")),
    grounding: params.get("grounding") || undefined,
    sourceFileId: params.get("source") || undefined,
    q: params.get("q") || undefined,
    tag: params.get("tag") || undefined,
    rating: params.get("rating") || undefined,
    score: params.get("score") || undefined,
    sort: params.get("sort") || undefined,
  });
  const after = params.get("after");
  const [createdAt, id, key] = after?.split(",") ?? [];
  const cursor = after ? cursorSchema.parse({ createdAt, id, ...(key !== undefined && key !== "" ? { key: Number(key) } : {}) }) : undefined;
  return Response.json(await listExamples(ctx, filter, cursor));
});
