// Enqueue = insert the Job row and send the pg-boss job atomically, so a job never exists in
// one place only. The pg-boss job carries just the Job id; the row is the truth.
//
// Atomic in ONE statement: pg-boss builds its INSERT (queue defaults, NOTIFY) and hands it to the
// `db` we pass; we run it with the Job rows' INSERT as a data-modifying CTE that inserts a row
// only for each pg-boss job the statement actually inserted. One statement commits or fails as a
// whole, so a plain enqueue is one round trip (bare pg-boss's send is one too), and it runs as a
// prepared statement (parsed and planned once per connection; batches are planned per call,
// bench/jobs measured 0.67–0.78× bare pg-boss prepared against 0.82–0.93× planned). Exclusive job
// types still take a transaction (advisory lock, then the check, then that statement), and so
// does any pg-boss statement whose shape we do not recognise (two statements, same transaction).
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

/** Runs statements where enqueue runs: one on its own, several in one transaction. */
type Runner = { exec: SqlExecutor; atomically<T>(fn: (exec: SqlExecutor) => Promise<T>): Promise<T> };

/** Inside a transaction already (the caller's, or ours): everything is atomic as it stands. */
const inTransaction = (exec: SqlExecutor): Runner => ({ exec, atomically: (fn) => fn(exec) });

/** Outside any transaction: one statement on the pool, a transaction only when asked for. */
const onPool = (): Runner => ({
  exec: async (text, values, name) => (await getPool().query({ text, values: values as unknown[], name })).rows,
  atomically: withPgTransaction,
});

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

const JOB_COLUMNS = "id, project_id, type, status, payload, max_retries, created_by_id, queue_job_id, updated_at";

/**
 * pg-boss's insert statement with our Job rows' INSERT joined in, or null if its shape is not one
 * we know. pg-boss binds $1 only; ours start at $2. `ins` is pg-boss's CTE of the rows it inserted
 * (ON CONFLICT DO NOTHING may skip some): a Job row is written only for a pg-boss job written.
 */
export function withJobRows(bossSql: string): string | null {
  if (/\$(?!1\b)\d/.test(bossSql)) return null;
  const jobRows = `ftf_jobs AS (
      INSERT INTO jobs (${JOB_COLUMNS})
      SELECT u.id, $2::uuid, $3::job_type, 'queued', u.payload::jsonb, $4::int, $5::uuid, u.id::text, now()
      FROM unnest($6::uuid[], $7::text[]) AS u(id, payload) JOIN ins ON ins.id = u.id
      -- All or nothing: if pg-boss skipped any job (ON CONFLICT), fail the statement (22012).
      WHERE 1 / ((SELECT count(*) FROM ins) = cardinality($6::uuid[]))::int = 1
    )`;
  // With NOTIFY: "WITH ins AS (INSERT … RETURNING id, start_after), notified AS (…) SELECT id FROM ins WHERE …"
  const head = /^\s*WITH\s+ins\s+AS\s*\(/;
  const tail = "SELECT id FROM ins WHERE";
  if (head.test(bossSql) && bossSql.indexOf(tail) === bossSql.lastIndexOf(tail) && bossSql.includes(tail)) {
    const at = bossSql.lastIndexOf(tail);
    return `${bossSql.slice(0, at)}, ${jobRows}\n    ${bossSql.slice(at)}`;
  }
  // Without: "INSERT … ON CONFLICT DO NOTHING RETURNING id"
  if (/^\s*INSERT\s+INTO\b/i.test(bossSql) && /\bRETURNING\s+id\s*$/i.test(bossSql)) {
    return `WITH ins AS (${bossSql}), ${jobRows}\n    SELECT id FROM ins`;
  }
  return null;
}

const statementNames = new Map<string, string>();

/**
 * Prepared, the statement is planned once per connection: planning pg-boss's INSERT is most of
 * what a single send costs the database (bench/jobs). Its text is fixed per queue (and shape).
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `ftf-enqueue-${crypto.createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Only a clash of fresh random ids gets here (our queues have no singleton policy). */
const skipped = () => new Error("The queue refused some of these jobs (a clashing id); nothing was enqueued. Try again.");

/** Queued before everything else: a job a stopping worker let go of. */
export const RESUMED_PRIORITY = 10;

/** pg-boss's group for jobs limited per workspace (pg-boss counts a group's active jobs across workers). */
export function queueGroup(definition: Pick<JobDefinition<unknown>, "perWorkspace">, workspaceId: string): { id: string } | undefined {
  return definition.perWorkspace ? { id: workspaceId } : undefined;
}

async function workspaceOf(projectId: string): Promise<string> {
  const { rows } = await getPool().query<{ workspace_id: string }>("SELECT workspace_id FROM projects WHERE id = $1::uuid", [projectId]);
  if (!rows[0]) throw new Error(`Project ${projectId} is gone.`);
  return rows[0].workspace_id;
}

async function insertAndSend(
  runner: Runner,
  boss: PgBoss,
  projectId: string,
  workspaceId: string,
  actorId: string | null,
  definition: JobDefinition<unknown>,
  jobs: Pending[],
): Promise<void> {
  const group = queueGroup(definition, workspaceId);
  const exclusiveWith = definition.exclusiveWith ?? [];
  const params = [projectId, definition.type, definition.retry.limit, actorId, jobs.map((j) => j.id), jobs.map((j) => JSON.stringify(j.payload ?? {}))];
  const send = async (exec: SqlExecutor, inTx: boolean) => {
    const db = {
      executeSql: async (text: string, values?: unknown[]) => {
        const combined = withJobRows(text);
        if (combined) {
          try {
            // One job: prepared, so the plan is reused. A batch: planned for its own size on each
            // call (pg-boss sends one job and many with the same text, so a prepared plan is one
            // made for single sends); planning is then a small share of a batch's work.
            const name = jobs.length === 1 ? statementName(combined) : undefined;
            return { rows: await exec(combined, [...(values ?? []), ...params], name) };
          } catch (error) {
            if ((error as { code?: string }).code === "22012") throw skipped();
            throw error;
          }
        }
        // An unknown statement shape: pg-boss's statement, then ours, in one transaction.
        const run = async (tx: SqlExecutor) => {
          const rows = await tx(text, values);
          if (rows.length !== jobs.length) throw skipped();
          await tx(
            `INSERT INTO jobs (${JOB_COLUMNS})
             SELECT u.id, $1::uuid, $2::job_type, 'queued', u.payload::jsonb, $3::int, $4::uuid, u.id::text, now()
             FROM unnest($5::uuid[], $6::text[]) AS u(id, payload)`,
            params,
          );
          return { rows };
        };
        return inTx ? run(exec) : runner.atomically(run);
      },
    };
    const sent =
      jobs.length === 1
        ? [await boss.send(definition.type, { jobId: jobs[0].id }, { id: jobs[0].id, group, db })]
        : await boss.insert(
            definition.type,
            jobs.map((j) => ({ id: j.id, data: { jobId: j.id }, group })),
            { db, returnId: true },
          );
    // All skipped: the statement wrote nothing at all.
    if ((sent ?? []).filter(Boolean).length !== jobs.length) throw skipped();
  };
  if (exclusiveWith.length === 0) return send(runner.exec, false);
  await runner.atomically(async (exec) => {
    await assertExclusive(exec, projectId, exclusiveWith);
    await send(exec, true);
  });
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
  const run = (runner: Runner) =>
    insertAndSend(runner, boss, ctx.projectId, ctx.workspace.id, ctx.actor.id, definition as unknown as JobDefinition<unknown>, jobs);
  await run(options.tx ? inTransaction(prismaExecutor(options.tx)) : onPool());
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
  await insertAndSend(onPool(), boss, projectId, await workspaceOf(projectId), actorId, definition as unknown as JobDefinition<unknown>, [job]);
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
  definition: Pick<JobDefinition<unknown>, "exclusiveWith" | "perWorkspace">,
): Promise<void> {
  await assertExclusive(exec, job.projectId, definition.exclusiveWith ?? []);
  const queueJobId = crypto.randomUUID();
  await exec(
    `UPDATE jobs SET status = 'queued', cancel_requested = false, error_message = NULL, error_detail = NULL, finished_at = NULL,
       retry_count = 0, queue_job_id = $2, progress_message = 'Queued again', eta_seconds = NULL, items_per_second = NULL
     WHERE id = $1::uuid`,
    [job.id, queueJobId],
  );
  const group = queueGroup(definition, await workspaceOf(job.projectId));
  await boss.send(job.type, { jobId: job.id }, { id: queueJobId, group, db: bossDb(exec) });
}

/**
 * Puts a job a worker let go of (shutting down, or its claim lost) back in its queue ahead of
 * every waiting job, so it resumes first when a worker is back, instead of waiting out a retry
 * delay behind jobs sent later. The old delivery then ends; should pg-boss deliver it again
 * anyway, the claim (another queue job id) skips it. Nothing happens to a job cancelled meanwhile.
 */
export async function requeueFirst(boss: PgBoss, jobId: string, definition: Pick<JobDefinition<unknown>, "type" | "perWorkspace">): Promise<boolean> {
  return withPgTransaction(async (exec) => {
    const queueJobId = crypto.randomUUID();
    const rows = await exec(
      `UPDATE jobs j SET status = 'queued', queue_job_id = $2, progress_message = 'Handed back by a stopping worker; it resumes first, from its checkpoint',
         eta_seconds = NULL, items_per_second = NULL
       FROM projects p WHERE j.id = $1::uuid AND p.id = j.project_id AND j.status NOT IN ('success', 'failed', 'cancelled') AND NOT j.cancel_requested
       RETURNING p.workspace_id::text AS "workspaceId"`,
      [jobId, queueJobId],
    );
    if (rows.length === 0) return false;
    const group = queueGroup(definition, String(rows[0].workspaceId));
    await boss.send(definition.type, { jobId }, { id: queueJobId, priority: RESUMED_PRIORITY, group, db: bossDb(exec) });
    return true;
  });
}
