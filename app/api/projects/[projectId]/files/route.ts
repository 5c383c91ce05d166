import { projectRoute } from "@/lib/access/action";
import { invalidInput } from "@/lib/errors";
import { receiveUpload } from "@/lib/sources/upload";

export const dynamic = "force-dynamic";

/**
 * Upload one file: the raw body streams to storage (never buffered whole); `?name=` carries the
 * original file name, used for display only.
 */
export const POST = projectRoute("uploadFile", "sources.manage", async (ctx, request) => {
  const name = new URL(request.url).searchParams.get("name") ?? "";
  if (!request.body) throw invalidInput("The upload had no content.");
  const length = request.headers.get("content-length");
  const result = await receiveUpload(ctx, { filename: name, body: request.body, declaredSize: length === null ? null : Number(length) });
  return Response.json(
    {
      file: { id: result.file.id, kind: result.file.kind, status: result.file.status, filename: result.file.filename },
      duplicateOf: result.duplicateOf ?? null,
    },
    { status: result.duplicateOf ? 200 : 201 },
  );
});
