import { z } from "zod";
import { projectRoute } from "@/lib/access/action";
import { completeDirectUpload } from "@/lib/sources/direct-upload";

export const dynamic = "force-dynamic";

const body = z.object({
  fileId: z.uuid(),
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) }))
    .max(10_000)
    .optional(),
});

/** The client's PUTs are done: the server checks the object, then a job types, hashes and chunks it. */
export const POST = projectRoute("completeDirectUpload", "sources.manage", async (ctx, request) => {
  const file = await completeDirectUpload(ctx, body.parse(await request.json()));
  return Response.json({ file: { id: file.id, status: file.status, filename: file.filename } });
});
