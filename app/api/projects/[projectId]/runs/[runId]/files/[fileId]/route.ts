import { projectRoute } from "@/lib/access/action";
import { downloadResponse } from "@/lib/storage/download";
import { openRunFile } from "@/lib/training/files";

export const dynamic = "force-dynamic";

/** One of a run's artifacts or logs: streamed, or with S3 storage a redirect to a presigned link. */
export const GET = projectRoute("downloadRunFile", "exports.download", async (ctx, _request, params) => {
  return downloadResponse(await openRunFile(ctx, String(params.runId), String(params.fileId)));
});
