// Enqueue = insert the Job row and send the pg-boss job atomically, so a job never exists in
// one place only. The pg-boss job carries just the Job id; the row is the truth. Jobs without
// an exclusivity rule go in ONE statement (our INSERT as a data-modifying CTE in front of
// pg-boss's own insert: one round trip, atomic as every statement is); jobs that must be alone
// in their project, and jobs joining a caller's transaction, take a transaction with a lock.
import crypto from "node:crypto";
import type { JobType } from "@prisma/client";
import type { PgBoss } from "pg-boss";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import type { Tx } from "@/lib/db/client";
import { getPool, type SqlExecutor, withPgTransaction } from "@/lib/db/pool";
import { conflict } from "@/lib/errors";
import { getSender } from "./boss";
import type { JobDefinition } from "./definition";
import { JOB_LABELS } from "./labels";

export type EnqueuedJob = { id: string; type: JobType; projectId: string };
type Pending = { id: string; payload: unknown };

const ACTIVE = ["queued", "running", "retrying"];

function bossDb(exec: SqlExecutor) {
  return { executeSql: async (text: string, values?: unknown[]) => ({ rows: await exec(text, values) }) };
}

export function prismaExecutor(tx: Tx): SqlExecutor {
  return (text, values) => tx.$queryRawUnsafe(text, ...(values ?? []));
}

/** Refuses a second active job where one per project is the rule. Call inside the transaction. */
async function assertExclusive(exec: SqlExecutor, projectId: string, types: JobType[]): Promise<void> {
  if (types.length === 0) return;
  await exec(`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('ftf-exclusive:' || $1::text))`, [projectId]);
  const rows = await exec(
    `SELECT type::text AS type FROM jobs WHERE project_id = $1::uuid AND type::text = ANY($2::text[]) AND status::text = ANY($3::text[]) LIMIT 1`,
    [projectId, types, ACTIVE],
  );
  if (rows.length > 0) {
    const label = JOB_LABELS[rows[0].type as JobType].toLowerCase();
    throw conflict(`A ${label} job is already running for this project. Wait for it to finish or cancel it first.`);
  }
}

const JOBS_INSERT = (first: number) => `INSERT INTO jobs (id, project_id, type, status, payload, max_retries, created_by_id, queue_job_id, updated_at)
   SELECT u.id, $${first + 1}::uuid, $${first + 2}::job_type, 'queued', u.payload::jsonb, $${first + 3}, $${first + 4}::uuid, u.id::text, now()
   FROM unnest($${first}::uuid[], $${first + 5}::text[]) AS u(id, payload)`;

function jobsInsertValues(projectId: string, actorId: string | null, definition: JobDefinition<unknown>, jobs: Pending[]): unknown[] {
  return [jobs.map((j) => j.id), projectId, definition.type, definition.retry.limit, actorId, jobs.map((j) => JSON.stringify(j.payload ?? {}))];
}

/**
 * pg-boss's insert with our Job rows in front of it, as one statement on a pooled connection.
 * pg-boss sends a single `INSERT …` or `WITH … INSERT …` statement with positional parameters;
 * ours are numbered after its own. Anything else from it fails loudly rather than half-enqueue.
 */
async function insertAndSendInOneStatement(boss: PgBoss, projectId: string, actorId: string | null, definition: JobDefinition<unknown>, jobs: Pending[]) {
  let sent = 0;
  const db = {
    executeSql: async (text: string, values: unknown[] = []) => {
      if (sent++ > 0 || !/^\s*(WITH|INSERT)\s/i.test(text))
        throw new Error("pg-boss sent a statement this enqueue path does not know; the job was not enqueued.");
      const ours = `ftf_jobs AS (${JOBS_INSERT(values.length + 1)})`;
      const sql = /^\s*WITH\s/i.test(text) ? text.replace(/^\s*WITH\s/i, `WITH ${ours}, `) : `WITH ${ours} ${text}`;
      return getPool().query(sql, [...values, ...jobsInsertValues(projectId, actorId, definition, jobs)]);
    },
  };
  if (jobs.length === 1) await boss.send(definition.type, { jobId: jobs[0].id }, { id: jobs[0].id, db });
  else
    await boss.insert(
      definition.type,
      jobs.map((j) => ({ id: j.id, data: { jobId: j.id } })),
      { db },
    );
}

async function insertAndSend(
  exec: SqlExecutor,
  boss: PgBoss,
  projectId: string,
  actorId: string | null,
  definition: JobDefinition<unknown>,
  jobs: Pending[],
): Promise<void> {
  await assertExclusive(exec, projectId, definition.exclusiveWith ?? []);
  await exec(JOBS_INSERT(1), jobsInsertValues(projectId, actorId, definition, jobs));
  const db = bossDb(exec);
  if (jobs.length === 1) {
    await boss.send(definition.type, { jobId: jobs[0].id }, { id: jobs[0].id, db });
  } else {
    await boss.insert(
      definition.type,
      jobs.map((j) => ({ id: j.id, data: { jobId: j.id } })),
      { db },
    );
  }
}

/**
 * Enqueues jobs of one type for a project the caller may run jobs in. With `tx`, the jobs join
 * the caller's Prisma transaction (e.g. with the Run row a training job belongs to).
 */
export async function enqueueJobs<P, I>(
  ctx: ProjectContext,
  definition: JobDefinition<P, I>,
  payloads: I[],
  options: { tx?: Tx } = {},
): Promise<EnqueuedJob[]> {
  assertPermission(ctx.role, "jobs.run");
  const jobs = payloads.map((payload) => ({ id: crypto.randomUUID(), payload: definition.payload.parse(payload) }));
  const boss = await getSender();
  const run = (exec: SqlExecutor) => insertAndSend(exec, boss, ctx.projectId, ctx.actor.id, definition as unknown as JobDefinition<unknown>, jobs);
  if (options.tx) await run(prismaExecutor(options.tx));
  else if (!definition.exclusiveWith?.length)
    await insertAndSendInOneStatement(boss, ctx.projectId, ctx.actor.id, definition as unknown as JobDefinition<unknown>, jobs);
  else await withPgTransaction(run);
  return jobs.map((j) => ({ id: j.id, type: definition.type, projectId: ctx.projectId }));
}

/**
 * For the worker's own follow-ups (an evaluation after training): no caller to check, so only
 * server code may use it, for a project the triggering job already belonged to.
 */
export async function enqueueFollowUpJob<P, I>(
  projectId: string,
  definition: JobDefinition<P, I>,
  payload: I,
  actorId: string | null = null,
): Promise<EnqueuedJob> {
  const job = { id: crypto.randomUUID(), payload: definition.payload.parse(payload) };
  const boss = await getSender();
  await withPgTransaction((exec) => insertAndSend(exec, boss, projectId, actorId, definition as unknown as JobDefinition<unknown>, [job]));
  return { id: job.id, type: definition.type, projectId };
}

export async function enqueueJob<P, I>(ctx: ProjectContext, definition: JobDefinition<P, I>, payload: I, options: { tx?: Tx } = {}): Promise<EnqueuedJob> {
  const [job] = await enqueueJobs(ctx, definition, [payload], options);
  return job;
}

/** Re-sends an existing Job row (retry from the UI); the handler resumes from its checkpoint. */
export async function resendJob(
  exec: SqlExecutor,
  boss: PgBoss,
  job: { id: string; type: JobType; projectId: string },
  exclusiveWith: JobType[],
): Promise<void> {
  await assertExclusive(exec, job.projectId, exclusiveWith);
  const queueJobId = crypto.randomUUID();
  await exec(
    `UPDATE jobs SET status = 'queued', cancel_requested = false, error_message = NULL, error_detail = NULL, finished_at = NULL,
       retry_count = 0, queue_job_id = $2, progress_message = 'Queued again', eta_seconds = NULL, items_per_second = NULL
     WHERE id = $1::uuid`,
    [job.id, queueJobId],
  );
  await boss.send(job.type, { jobId: job.id }, { id: queueJobId, db: bossDb(exec) });
}
