// Reading jobs for the UI: a project's job list and one job with its log lines.
import type { Job } from "@prisma/client";
import type { ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";

export type JobView = {
  id: string;
  type: Job["type"];
  status: Job["status"];
  progressPct: number | null;
  progressMessage: string | null;
  itemsDone: number;
  itemsTotal: number | null;
  itemsPerSecond: number | null;
  etaSeconds: number | null;
  errorMessage: string | null;
  resultSummary: unknown;
  /** What the job works on (e.g. { fileId }), to show its progress beside that thing. */
  payload: unknown;
  retryCount: number;
  maxRetries: number;
  attempts: number;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
};

export const JOB_VIEW_SELECT = {
  id: true,
  type: true,
  status: true,
  progressPct: true,
  progressMessage: true,
  itemsDone: true,
  itemsTotal: true,
  itemsPerSecond: true,
  etaSeconds: true,
  errorMessage: true,
  resultSummary: true,
  payload: true,
  retryCount: true,
  maxRetries: true,
  attempts: true,
  cancelRequested: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  updatedAt: true,
} as const;

type JobRow = Pick<Job, keyof typeof JOB_VIEW_SELECT>;

export function toJobView(job: JobRow): JobView {
  return {
    ...job,
    retryCount: job.retryCount ?? 0,
    maxRetries: job.maxRetries ?? 0,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    updatedAt: job.updatedAt.toISOString(),
  };
}

export async function listProjectJobs(ctx: ProjectContext, limit = 100): Promise<JobView[]> {
  const jobs = await db.job.findMany({
    where: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: JOB_VIEW_SELECT,
  });
  return jobs.map(toJobView);
}

export type JobLogLine = { id: string; timestamp: string; level: string; message: string };

/** One job with its log lines and the detail behind its error (kept out of JobView, which every list streams). */
export async function getJobWithLogs(ctx: ProjectContext, jobId: string): Promise<{ job: JobView; logs: JobLogLine[]; errorDetail: string | null }> {
  const job = await db.job.findFirst({
    where: { id: jobId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    select: { ...JOB_VIEW_SELECT, errorDetail: true },
  });
  if (!job) throw notFound("Job");
  const logs = await db.appLog.findMany({
    where: { jobId },
    orderBy: { id: "desc" },
    take: 300,
    select: { id: true, timestamp: true, level: true, message: true },
  });
  const { errorDetail, ...view } = job;
  return {
    job: toJobView(view),
    errorDetail,
    logs: logs.reverse().map((l) => ({ id: l.id.toString(), timestamp: l.timestamp.toISOString(), level: l.level, message: l.message })),
  };
}
