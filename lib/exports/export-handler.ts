// The export job's work: write the file, record it as a File (kind export), settle the Export.
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import type { DatasetFormat } from "@/lib/exports/dataset/formats";
import type { ExportSelection } from "@/lib/exports/dataset/select";
import { writeDatasetExport } from "@/lib/exports/dataset/write";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";

type ExportOptions = { selection?: ExportSelection; systemPrompt?: string; reasoning?: boolean };

export async function runExport(ctx: JobContext<{ exportId: string }>): Promise<Record<string, unknown>> {
  const row = await db.export.findFirst({
    where: { id: ctx.payload.exportId, projectId: ctx.projectId },
    include: { project: { select: { workspaceId: true, name: true } } },
  });
  if (!row) throw new NonRetryableError("This export was deleted.");
  await db.export.update({ where: { id: row.id }, data: { status: "running" } });
  if (row.format === "bundle" || row.format === "hub") {
    const { pushRunToHub, writeRunBundle } = await import("./bundle-handler");
    return row.format === "bundle" ? writeRunBundle(ctx, row) : pushRunToHub(ctx, row);
  }
  const options = (row.metadata ?? {}) as ExportOptions;
  const total = await db.datasetExample.count({ where: { projectId: ctx.projectId, split: { in: ["train", "eval"] } } });
  const result = await writeDatasetExport({
    workspaceId: row.project.workspaceId,
    projectId: ctx.projectId,
    exportId: row.id,
    format: row.format as DatasetFormat,
    selection: options.selection,
    systemPrompt: options.systemPrompt,
    reasoning: options.reasoning === true,
    onProgress: async (done) => {
      throwIfAborted(ctx.signal);
      await ctx.progress({ done, total, message: `${done.toLocaleString()} examples written` });
    },
  });
  const filename = `${row.project.name.replace(/[^\w.-]+/g, "-").slice(0, 60) || "dataset"}-${row.format}.zip`;
  await db.$transaction(async (tx) => {
    // A rerun replaces the file row of an earlier attempt.
    if (row.fileId) await tx.file.deleteMany({ where: { id: row.fileId } });
    const file = await tx.file.create({
      data: {
        projectId: ctx.projectId,
        kind: "export",
        status: "ready",
        filename,
        mimeType: "application/zip",
        storagePath: result.fileKey,
        sizeBytes: result.sizeBytes,
        sha256: result.sha256,
        metadata: { counts: result.counts },
      },
    });
    await tx.export.update({
      where: { id: row.id },
      data: { status: "success", fileId: file.id, sizeBytes: result.sizeBytes, metadata: { ...options, counts: result.counts } as Prisma.InputJsonObject },
    });
  });
  return { train: result.counts.train, eval: result.counts.eval, bytes: result.sizeBytes };
}
