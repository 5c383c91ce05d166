// A run's artifacts and logs, opened for download (streamed, scoped to the caller's project).
import { Readable } from "node:stream";
import { isUuid, type ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { getStorage } from "@/lib/storage";

export async function openRunFile(ctx: ProjectContext, runId: string, fileId: string) {
  const file =
    isUuid(runId) && isUuid(fileId)
      ? await db.file.findFirst({ where: { id: fileId, runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } })
      : null;
  if (!file) throw notFound("File");
  const stream = await getStorage().get(file.storagePath);
  return {
    filename: file.filename,
    size: Number(file.sizeBytes),
    mimeType: file.mimeType ?? "application/octet-stream",
    body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
  };
}
