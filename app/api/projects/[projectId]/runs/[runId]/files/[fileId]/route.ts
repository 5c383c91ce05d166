import { projectRoute } from "@/lib/access/action";
import { openRunFile } from "@/lib/training/files";

export const dynamic = "force-dynamic";

/** Streams one of a run's artifacts or logs. */
export const GET = projectRoute("downloadRunFile", "exports.download", async (ctx, _request, params) => {
  const file = await openRunFile(ctx, String(params.runId), String(params.fileId));
  const name = file.filename.split("/").pop() ?? "file";
  return new Response(file.body, {
    headers: {
      "content-type": file.mimeType,
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${name.replace(/"/g, "")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "cache-control": "private, no-store",
    },
  });
});
