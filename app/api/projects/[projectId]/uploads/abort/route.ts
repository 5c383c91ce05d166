import { z } from "zod";
import { projectRoute } from "@/lib/access/action";
import { abortDirectUpload } from "@/lib/sources/direct-upload";

export const dynamic = "force-dynamic";

/** Gives up an unfinished upload: its parts and its row go. */
export const POST = projectRoute("abortDirectUpload", "sources.manage", async (ctx, request) => {
  const { fileId } = z.object({ fileId: z.uuid() }).parse(await request.json());
  await abortDirectUpload(ctx, fileId);
  return new Response(null, { status: 204 });
});
