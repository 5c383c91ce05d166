// Runs housekeeping: a description and tags per run, and deleting a run with everything it made
// (artifacts and logs in storage, its exports' files, eval samples, metrics, test-set answers),
// confirmed by its name and recorded in the audit log. A run still queued or running is stopped
// first from the Jobs step: deleting it would leave a trainer running on the box.
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission, isUuid } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { conflict, invalidInput, notFound } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { getStorage } from "@/lib/storage";
import { projectPrefix } from "@/lib/storage/keys";
import { runCleanupJob } from "./cleanup-job";

export const runNotesSchema = z.object({
  description: z.string().trim().max(4000).nullable().default(null),
  tags: z
    .array(z.string().trim().toLowerCase().min(1).max(40, "A tag is at most 40 characters."))
    .max(20, "At most 20 tags.")
    .default([])
    .transform((tags) => [...new Set(tags)].sort()),
});

async function findRun(ctx: ProjectContext, runId: string) {
  if (!isUuid(runId)) throw notFound("Run");
  const run = await db.run.findFirst({ where: { id: runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } });
  if (!run) throw notFound("Run");
  return run;
}

export async function updateRunNotes(ctx: ProjectContext, runId: string, input: z.input<typeof runNotesSchema>) {
  assertPermission(ctx.role, "training.launch");
  const run = await findRun(ctx, runId);
  const notes = runNotesSchema.parse(input);
  return db.run.update({
    where: { id: run.id },
    data: { description: notes.description || null, tags: notes.tags },
    select: { description: true, tags: true },
  });
}

const ACTIVE = ["queued", "running", "retrying"];

/** Deletes the run and what it made; `confirmName` must be the run's name. Returns the bytes freed in storage. */
export async function deleteRun(
  ctx: ProjectContext,
  runId: string,
  confirmName: string,
): Promise<{ freedBytes: number; files: number; remoteCleanup: boolean }> {
  assertPermission(ctx.role, "training.launch");
  const run = await findRun(ctx, runId);
  if (confirmName.trim() !== run.name) throw invalidInput(`Type the run's name, ${run.name}, to delete it.`, { confirmName: "Type the run's name." });
  const job = await db.job.findUnique({ where: { id: run.jobId }, select: { status: true } });
  if (ACTIVE.includes(run.status) || (job && ACTIVE.includes(job.status))) {
    throw conflict("This run is still queued or training. Cancel it in the Jobs step first, then delete it.");
  }
  if (
    await db.job.findFirst({
      where: {
        projectId: ctx.projectId,
        type: { in: ["eval", "export"] },
        status: { in: ACTIVE as ("queued" | "running" | "retrying")[] },
        payload: { path: ["runId"], equals: run.id },
      },
    })
  ) {
    throw conflict("An evaluation or export of this run is still running. Wait for it or cancel it first.");
  }
  const exports = await db.export.findMany({ where: { runId: run.id }, select: { fileId: true } });
  const files = await db.file.findMany({
    where: { projectId: ctx.projectId, OR: [{ runId: run.id }, { id: { in: exports.flatMap((e) => (e.fileId ? [e.fileId] : [])) } }] },
    select: { id: true, storagePath: true, sizeBytes: true },
  });
  const prefix = projectPrefix(ctx.workspace.id, ctx.projectId);
  // The rows go first, in one transaction; storage after (an object left behind by a crash is
  // unreachable garbage, never a row pointing at nothing). The run's folder on its GPU box is
  // removed by a job enqueued in the same transaction (the box may be unreachable now).
  const remoteCleanup = Boolean(run.remoteDir && run.runnerId);
  await db.$transaction(async (tx) => {
    await tx.testAnswer.deleteMany({ where: { model: { in: [`base:${run.id}`, `tuned:${run.id}`] }, testSet: { projectId: ctx.projectId } } });
    await tx.file.deleteMany({ where: { id: { in: files.map((f) => f.id) } } });
    await tx.run.delete({ where: { id: run.id } });
    if (run.remoteDir && run.runnerId) {
      await enqueueJob(ctx, runCleanupJob, { runId: run.id, runnerId: run.runnerId, remoteDir: run.remoteDir, runName: run.name }, { tx });
    }
  });
  const storage = getStorage();
  let freedBytes = 0;
  for (const file of files) {
    // Only keys inside this project's prefix: a row can never make us delete another tenant's object.
    if (!file.storagePath.startsWith(prefix)) continue;
    await storage.delete(file.storagePath).catch(() => {});
    freedBytes += Number(file.sizeBytes ?? 0);
  }
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "run.delete",
    targetType: "run",
    targetId: run.id,
    metadata: { name: run.name, files: files.length, freed_bytes: freedBytes, ...(remoteCleanup ? { remote_dir: run.remoteDir } : {}) },
  });
  return { freedBytes, files: files.length, remoteCleanup };
}
