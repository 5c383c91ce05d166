import { projectRoute } from "@/lib/access/action";
import { invalidInput } from "@/lib/errors";
import { receiveUpload } from "@/lib/sources/upload";
import { getStorage } from "@/lib/storage";

/** What a serverless function accepts as a request body (Vercel: 4.5 MB). */
const THROUGH_WEB_MAX_BYTES = 4.5 * 1024 * 1024;

export const dynamic = "force-dynamic";

/**
 * Upload one file: the raw body streams to storage (never buffered whole); `?name=` carries the
 * original file name, used for display only.
 */
export const POST = projectRoute("uploadFile", "sources.manage", async (ctx, request) => {
  const name = new URL(request.url).searchParams.get("name") ?? "";
  if (!request.body) throw invalidInput("The upload had no content.");
  const length = request.headers.get("content-length");
  // With S3 storage large bodies never pass through the web tier (serverless hosts cap them).
  if (getStorage().direct && (length === null || Number(length) > THROUGH_WEB_MAX_BYTES)) {
    throw invalidInput(
      `With S3 storage, files over 4.5 MB (or of unknown length) go straight to the bucket: POST /api/projects/${ctx.projectId}/uploads, PUT the bytes to the URLs it answers, then POST …/uploads/complete (see /api/openapi.json).`,
    );
  }
  const result = await receiveUpload(ctx, { filename: name, body: request.body, declaredSize: length === null ? null : Number(length) });
  return Response.json(
    {
      file: { id: result.file.id, kind: result.file.kind, status: result.file.status, filename: result.file.filename },
      duplicateOf: result.duplicateOf ?? null,
    },
    { status: result.duplicateOf ? 200 : 201 },
  );
});
