import { projectRoute } from "@/lib/access/action";
import { openExportFile } from "@/lib/exports";

export const dynamic = "force-dynamic";

/** Streams an export's file (never loaded whole into memory). */
export const GET = projectRoute("downloadExport", "exports.download", async (ctx, _request, params) => {
  const file = await openExportFile(ctx, String(params.exportId));
  return new Response(file.body, {
    headers: {
      "content-type": file.mimeType,
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${file.filename.replace(/"/g, "")}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      "cache-control": "private, no-store",
    },
  });
});
