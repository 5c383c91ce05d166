// Cancel and retry, as users ask for them. Cancel of a waiting job takes effect at once; of a
// running one, the worker sees the flag within a heartbeat (~1.5 s) and stops, keeping what
// it made. Retry sends a failed or cancelled job again; its handler resumes from its checkpoint.

import type { JobType } from "@prisma/client";
import type { ProjectContext } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { withPgTransaction } from "@/lib/db/pool";
import { conflict, notFound } from "@/lib/errors";
import { refreshProjectStatus } from "@/lib/projects/status";
import { getSender } from "./boss";
import type { JobDefinition } from "./definition";
import { resendJob } from "./enqueue";

/**
 * How control finds a job type's definition (its clean-up and exclusivity). The caller passes it:
 * the job actions pass the worker's whole registry, a domain passes its own jobs, so lib/jobs
 * never imports the domains.
 */
export type FindJobDefinition = (type: JobType) => JobDefinition<unknown> | undefined;

async function findJob(ctx: ProjectContext, jobId: string) {
  const job = await db.job.findFirst({ where: { id: jobId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } });
  if (!job) throw notFound("Job");
  return job;
}

export async function cancelJob(ctx: ProjectContext, jobId: string, findJobDefinition: FindJobDefinition): Promise<void> {
  const job = await findJob(ctx, jobId);
  if (job.status === "success" || job.status === "failed" || job.status === "cancelled") {
    throw conflict("This job has already finished.");
  }
  if (job.status === "running") {
    await db.job.update({ where: { id: job.id }, data: { cancelRequested: true, progressMessage: "Cancelling…" } });
  } else {
    // Not held by a worker: settle it here and take it off the queue.
    const { count } = await db.job.updateMany({
      where: { id: job.id, status: { in: ["queued", "retrying"] } },
      data: { status: "cancelled", cancelRequested: true, finishedAt: new Date(), progressMessage: "Cancelled", etaSeconds: null },
    });
    if (count === 0) {
      // It started meanwhile: ask the worker instead.
      await db.job.update({ where: { id: job.id }, data: { cancelRequested: true } });
    } else {
      if (job.queueJobId) {
        const boss = await getSender();
        await boss.cancel(job.type, job.queueJobId).catch(() => {});
      }
      // No handler runs to clean up (e.g. a training run still going on its box while its job waits).
      const definition = findJobDefinition(job.type);
      if (definition?.onGiveUp && job.payload) {
        const payload = definition.payload.safeParse(job.payload);
        if (payload.success) await definition.onGiveUp(payload.data, "cancelled", { message: "Cancelled", detail: null }).catch(() => {});
      }
    }
    await refreshProjectStatus(job.projectId);
  }
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "job.cancel",
    targetType: "job",
    targetId: job.id,
    metadata: { type: job.type },
  });
}

export async function retryJob(ctx: ProjectContext, jobId: string, findJobDefinition: FindJobDefinition): Promise<void> {
  const job = await findJob(ctx, jobId);
  if (job.status !== "failed" && job.status !== "cancelled") throw conflict("Only failed or cancelled jobs can be retried.");
  const boss = await getSender();
  const definition = findJobDefinition(job.type) ?? {};
  await withPgTransaction((exec) => resendJob(exec, boss, job, definition));
  await refreshProjectStatus(job.projectId);
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "job.retry",
    targetType: "job",
    targetId: job.id,
    metadata: { type: job.type },
  });
}
