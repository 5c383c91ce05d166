// Nothing stays "running" forever. The sweeper (run by every worker) reconciles Job rows with
// pg-boss: a job whose worker stopped heartbeating shows as waiting for recovery (pg-boss
// retries it once its own heartbeat expires), and a job whose pg-boss job is gone or settled
// while the row still looks active is marked failed with a message saying it can be retried.
import { db } from "@/lib/db/client";
import { writeLog } from "@/lib/log";
import { refreshProjectStatus } from "@/lib/projects/status";
import { BOSS_SCHEMA } from "./boss";

/** A running job whose heartbeat is older than this is considered orphaned. */
export const STALE_AFTER_SECONDS = 20;
/** Grace before a row without a live pg-boss job is declared lost (covers in-flight commits). */
const LOST_AFTER_SECONDS = 60;

export async function sweepStaleJobs(options: { lostAfterSeconds?: number } = {}): Promise<{ orphaned: number; lost: number }> {
  const lost = await db.$queryRawUnsafe<Array<{ id: string; project_id: string }>>(
    `UPDATE jobs j SET status = 'failed', finished_at = now(),
       error_message = 'The job queue lost track of this job. Retry it to continue from where it stopped.'
     WHERE j.status IN ('queued', 'running', 'retrying')
       AND j.updated_at < now() - make_interval(secs => $1)
       AND NOT EXISTS (
         SELECT 1 FROM ${BOSS_SCHEMA}.job b
         WHERE b.id::text = j.queue_job_id AND b.name = j.type::text AND b.state IN ('created', 'retry', 'active'))
     RETURNING j.id, j.project_id`,
    options.lostAfterSeconds ?? LOST_AFTER_SECONDS,
  );
  const orphaned = await db.$queryRawUnsafe<Array<{ id: string; project_id: string }>>(
    `UPDATE jobs SET status = 'retrying',
       progress_message = 'The worker stopped responding; the job resumes from its last checkpoint shortly.'
     WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)
     RETURNING id, project_id`,
    STALE_AFTER_SECONDS,
  );
  for (const row of orphaned)
    writeLog("warn", "jobs:sweeper", "Worker stopped heartbeating; waiting for recovery.", { jobId: row.id, projectId: row.project_id });
  for (const row of lost) writeLog("error", "jobs:sweeper", "Marked failed: no live queue job behind it.", { jobId: row.id, projectId: row.project_id });
  for (const projectId of new Set([...orphaned, ...lost].map((r) => r.project_id))) await refreshProjectStatus(projectId);
  return { orphaned: orphaned.length, lost: lost.length };
}
