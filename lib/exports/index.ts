// Exports of a project: dataset files now (bundles and Hub pushes use the same rows and job).
import { Readable } from "node:stream";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { EXPORT_FORMATS } from "@/lib/datasets/export/formats";
import { db } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { getStorage } from "@/lib/storage";
import { exportJob } from "./export-job";

export const datasetExportSchema = z.object({
  format: z.enum(EXPORT_FORMATS.map((f) => f.id) as [string, ...string[]]),
  selection: z.enum(["approved", "valid", "all"]).default("valid"),
  systemPrompt: z.string().max(4000).optional(),
});

export async function startDatasetExport(ctx: ProjectContext, input: z.infer<typeof datasetExportSchema>) {
  assertPermission(ctx.role, "exports.create");
  const usable = await db.datasetExample.count({ where: { projectId: ctx.projectId, split: { in: ["train", "eval"] } } });
  if (usable === 0) throw invalidInput("The dataset is empty. Generate or import examples first.");
  return db.$transaction(async (tx) => {
    const row = await tx.export.create({
      data: {
        projectId: ctx.projectId,
        format: input.format as "jsonl",
        status: "queued",
        createdById: ctx.actor.id,
        metadata: { selection: input.selection, ...(input.systemPrompt ? { systemPrompt: input.systemPrompt } : {}) },
      },
    });
    const job = await enqueueJob(ctx, exportJob, { exportId: row.id }, { tx });
    await tx.export.update({ where: { id: row.id }, data: { jobId: job.id } });
    return row;
  });
}

export async function listExports(ctx: ProjectContext) {
  const rows = await db.export.findMany({
    where: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    orderBy: { createdAt: "desc" },
    take: 50,
    include: { createdBy: { select: { email: true, name: true } }, file: { select: { filename: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    format: r.format,
    status: r.status,
    url: r.url,
    sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes),
    metadata: (r.metadata ?? {}) as Record<string, unknown>,
    filename: r.file?.filename ?? null,
    jobId: r.jobId,
    runId: r.runId,
    createdBy: r.createdBy?.name ?? r.createdBy?.email ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The export's file as a stream, for download. */
export async function openExportFile(ctx: ProjectContext, exportId: string) {
  const row = await db.export.findFirst({
    where: { id: exportId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    include: { file: true },
  });
  if (!row?.file || row.status !== "success") throw notFound("Export file");
  const stream = await getStorage().get(row.file.storagePath);
  return { filename: row.file.filename, size: Number(row.file.sizeBytes), mimeType: row.file.mimeType ?? "application/octet-stream", body: Readable.toWeb(stream) as ReadableStream<Uint8Array> };
}
