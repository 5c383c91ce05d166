// A stored file as a download response: with S3 storage a redirect to a short-lived presigned URL
// (the bytes go from the bucket to the browser, not through the web tier), otherwise streamed
// from the local folder. The caller has checked access to the file.
import { Readable } from "node:stream";
import { getStorage } from "./index";

const LINK_SECONDS = 10 * 60;

export type StoredDownload = { storagePath: string; filename: string; size: number; mimeType: string };

export async function downloadResponse(file: StoredDownload): Promise<Response> {
  const name = file.filename.split("/").pop() || "file";
  const storage = getStorage();
  if (storage.direct) {
    const url = await storage.direct.presignGet(file.storagePath, { filename: name, contentType: file.mimeType, expiresInSeconds: LINK_SECONDS });
    return new Response(null, { status: 302, headers: { location: url, "cache-control": "private, no-store" } });
  }
  const stream = await storage.get(file.storagePath);
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": file.mimeType,
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${name.replace(/"/g, "")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "cache-control": "private, no-store",
    },
  });
}
