import { projectRoute } from "@/lib/access/action";
import { openExportFile } from "@/lib/exports";
import { downloadResponse } from "@/lib/storage/download";

export const dynamic = "force-dynamic";

/** An export's file: streamed, or with S3 storage a redirect to a presigned link. */
export const GET = projectRoute("downloadExport", "exports.download", async (ctx, _request, params) => {
  return downloadResponse(await openExportFile(ctx, String(params.exportId)));
});
