// A run's artifacts and logs, found for download (scoped to the caller's project; lib/storage/download serves them).
import { isUuid, type ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";

export async function openRunFile(ctx: ProjectContext, runId: string, fileId: string) {
  const file =
    isUuid(runId) && isUuid(fileId)
      ? await db.file.findFirst({ where: { id: fileId, runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } })
      : null;
  if (!file) throw notFound("File");
  return { storagePath: file.storagePath, filename: file.filename, size: Number(file.sizeBytes), mimeType: file.mimeType ?? "application/octet-stream" };
}
