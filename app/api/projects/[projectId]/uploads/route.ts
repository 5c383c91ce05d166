import { z } from "zod";
import { projectRoute } from "@/lib/access/action";
import { startDirectUpload } from "@/lib/sources/direct-upload";

export const dynamic = "force-dynamic";

/** Starts an upload straight to the bucket (S3 storage): presigned PUT URLs for the file's bytes. */
export const POST = projectRoute("startDirectUpload", "sources.manage", async (ctx, request) => {
  const input = z.object({ filename: z.string().min(1).max(1000), size: z.number().int().min(0) }).parse(await request.json());
  return Response.json(await startDirectUpload(ctx, input), { status: 201 });
});
