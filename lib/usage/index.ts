// Usage and quotas (seed 003): what a workspace and each member used, from what the jobs and runs
// recorded: LLM tokens in and out (generation tasks as they finish, so a cancelled run counts
// what it spent; other jobs by the counts kept on their row as their calls are answered, so a
// failed or cancelled job counts too) and their estimated cost where the provider
// has prices, generation jobs, GPU-hours per runner (a run's wall time × its GPUs), and storage
// bytes by kind. Optional quotas per workspace, set by the instance's administrator: LLM tokens
// per calendar month (UTC) and storage; checked when a job or an upload starts.
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext, WorkspaceContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { AppError, notFound } from "@/lib/errors";

export const quotaSchema = z.object({
  /** LLM tokens (in + out) per calendar month; null: no limit. */
  tokens_per_month: z.number().int().min(1).max(1e13).nullable().default(null),
  /** Stored bytes (sources, datasets, artifacts, exports) in GB; null: no limit. */
  storage_gb: z.number().min(0.001).max(1e6).nullable().default(null),
});
export type Quota = z.infer<typeof quotaSchema>;

export function readQuota(settings: unknown): Quota {
  const parsed = quotaSchema.safeParse((settings as { quota?: unknown } | null)?.quota ?? {});
  return parsed.success ? parsed.data : quotaSchema.parse({});
}

/** Jobs whose summary carries the tokens they spent (generation counts by its tasks instead). */
const LLM_JOBS = ["dataset_preview", "dataset_judge", "test_set_generate", "test_set_answer", "eval", "chunking"];

type DayRow = { day: Date; user_id: string | null; tokens_in: bigint; tokens_out: bigint; cost: number | null };

/** Token spending per day and member since `since`. */
async function tokenRows(workspaceId: string, since: Date): Promise<DayRow[]> {
  return db.$queryRaw<DayRow[]>`
    SELECT day, user_id, sum(tokens_in)::bigint AS tokens_in, sum(tokens_out)::bigint AS tokens_out, sum(cost)::float AS cost FROM (
      SELECT date_trunc('day', t.updated_at) AS day, j.created_by_id AS user_id, t.tokens_in::bigint AS tokens_in, t.tokens_out::bigint AS tokens_out, NULL::float AS cost
      FROM generation_tasks t JOIN jobs j ON j.id = t.job_id JOIN projects p ON p.id = j.project_id
      WHERE p.workspace_id = ${workspaceId}::uuid AND t.updated_at >= ${since} AND (t.tokens_in > 0 OR t.tokens_out > 0)
      UNION ALL
      SELECT date_trunc('day', coalesce(j.finished_at, j.updated_at)), j.created_by_id,
        -- A generation's tokens are its tasks' (above): only its cost comes from its summary.
        -- The job's own counts (every answered call, kept as it runs: a failed or cancelled job
        -- counts too, lib/jobs/spend); the summary's for jobs that ran before those were kept.
        CASE WHEN j.type = 'dataset_generate' THEN 0
          ELSE GREATEST(j.llm_tokens_in, coalesce((j.result_summary->>'tokens_in')::bigint, (j.result_summary->'judge'->>'tokens_in')::bigint, 0)) END,
        CASE WHEN j.type = 'dataset_generate' THEN 0
          ELSE GREATEST(j.llm_tokens_out, coalesce((j.result_summary->>'tokens_out')::bigint, (j.result_summary->'judge'->>'tokens_out')::bigint, 0)) END,
        GREATEST(j.llm_cost_usd, (j.result_summary->>'cost_usd')::float)
      FROM jobs j JOIN projects p ON p.id = j.project_id
      WHERE p.workspace_id = ${workspaceId}::uuid AND coalesce(j.finished_at, j.updated_at) >= ${since}
        AND (j.type::text = ANY(${LLM_JOBS}::text[]) OR j.llm_tokens_in > 0 OR j.llm_tokens_out > 0
          OR (j.type = 'dataset_generate' AND (j.result_summary ? 'cost_usd' OR j.llm_cost_usd IS NOT NULL)))
    ) u GROUP BY day, user_id`;
}

function tokensOf(rows: DayRow[]) {
  return rows.reduce((sum, r) => sum + Number(r.tokens_in) + Number(r.tokens_out), 0);
}

export function monthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export async function tokensThisMonth(workspaceId: string): Promise<number> {
  return tokensOf(await tokenRows(workspaceId, monthStart()));
}

export async function storageBytes(workspaceId: string): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ bytes: bigint | null }>>`
    SELECT sum(f.size_bytes)::bigint AS bytes FROM files f JOIN projects p ON p.id = f.project_id WHERE p.workspace_id = ${workspaceId}::uuid`;
  return Number(row?.bytes ?? 0);
}

const GB = 1024 ** 3;

/** Refuses to start work past the workspace's quota, saying which and until when. */
export async function assertWithinQuota(ctx: WorkspaceContext | ProjectContext, kind: "tokens" | "storage", adding = 0): Promise<void> {
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: ctx.workspace.id }, select: { settings: true } });
  const quota = readQuota(workspace.settings);
  if (kind === "tokens" && quota.tokens_per_month !== null) {
    const used = await tokensThisMonth(ctx.workspace.id);
    if (used >= quota.tokens_per_month) {
      const next = monthStart(new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)));
      throw new AppError(
        "conflict",
        `This workspace has used its ${quota.tokens_per_month.toLocaleString("en-US")} LLM tokens for this month (${used.toLocaleString("en-US")} so far). New LLM work can start on ${next.toISOString().slice(0, 10)}, or when the instance's administrator raises the quota.`,
      );
    }
  }
  if (kind === "storage" && quota.storage_gb !== null) {
    const used = await storageBytes(ctx.workspace.id);
    if (used + adding > quota.storage_gb * GB) {
      throw new AppError(
        "conflict",
        `This workspace's storage quota is ${quota.storage_gb} GB and ${(used / GB).toFixed(2)} GB is in use. Delete sources, runs or exports, or ask the instance's administrator to raise it.`,
      );
    }
  }
}

export type WorkspaceUsage = {
  days: number;
  quota: Quota;
  month: { tokens: number; cost: number | null };
  storage: { total: number; byKind: Array<{ kind: string; bytes: number }> };
  daily: Array<{ day: string; tokens: number; gpuHours: number; generations: number }>;
  members: Array<{ name: string; tokens: number; cost: number | null; generations: number; gpuHours: number }>;
  runners: Array<{ name: string; gpuHours: number; runs: number }>;
};

type RunRow = { day: Date; user_id: string | null; runner: string | null; seconds: number; gpus: number };

/** The workspace's usage over the last `days` days (and this month's tokens against the quota). */
export async function workspaceUsage(ctx: WorkspaceContext, days = 30): Promise<WorkspaceUsage> {
  const since = new Date(Date.now() - days * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const workspaceId = ctx.workspace.id;
  const [workspace, tokens, monthRows, runs, generations, files, members] = await Promise.all([
    db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } }),
    tokenRows(workspaceId, since),
    tokenRows(workspaceId, monthStart()),
    db.$queryRaw<RunRow[]>`
      SELECT date_trunc('day', r.started_at) AS day, r.created_by_id AS user_id, rn.name AS runner,
        extract(epoch FROM coalesce(r.finished_at, now()) - r.started_at)::float AS seconds,
        greatest(1, coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(r.hardware_info->'gpus') = 'array' THEN r.hardware_info->'gpus' END), 1))::int AS gpus
      FROM runs r JOIN projects p ON p.id = r.project_id LEFT JOIN runners rn ON rn.id = r.runner_id
      WHERE p.workspace_id = ${workspaceId}::uuid AND r.started_at >= ${since}`,
    db.$queryRaw<Array<{ day: Date; user_id: string | null; n: bigint }>>`
      SELECT date_trunc('day', j.created_at) AS day, j.created_by_id AS user_id, count(*) AS n
      FROM jobs j JOIN projects p ON p.id = j.project_id
      WHERE p.workspace_id = ${workspaceId}::uuid AND j.type = 'dataset_generate' AND j.created_at >= ${since} GROUP BY 1, 2`,
    db.$queryRaw<Array<{ kind: string; bytes: bigint }>>`
      SELECT f.kind::text AS kind, sum(f.size_bytes)::bigint AS bytes FROM files f JOIN projects p ON p.id = f.project_id
      WHERE p.workspace_id = ${workspaceId}::uuid GROUP BY f.kind ORDER BY 2 DESC`,
    db.membership.findMany({ where: { workspaceId }, select: { user: { select: { id: true, name: true, email: true } } } }),
  ]);
  const dayKey = (d: Date) => d.toISOString().slice(0, 10);
  const daily = new Map<string, { day: string; tokens: number; gpuHours: number; generations: number }>();
  for (let t = since.getTime(); t <= Date.now(); t += 86_400_000) {
    const key = dayKey(new Date(t));
    daily.set(key, { day: key, tokens: 0, gpuHours: 0, generations: 0 });
  }
  const gpuHours = (r: RunRow) => (Math.max(0, r.seconds) / 3600) * r.gpus;
  for (const r of tokens) {
    const d = daily.get(dayKey(r.day));
    if (d) d.tokens += Number(r.tokens_in) + Number(r.tokens_out);
  }
  for (const r of runs) {
    const d = daily.get(dayKey(r.day));
    if (d) d.gpuHours += gpuHours(r);
  }
  for (const g of generations) {
    const d = daily.get(dayKey(g.day));
    if (d) d.generations += Number(g.n);
  }
  const people = new Map(members.map((m) => [m.user.id, m.user.name || m.user.email]));
  const byMember = new Map<string, WorkspaceUsage["members"][number]>();
  const member = (id: string | null) => {
    const name = (id && people.get(id)) || (id ? "A former member" : "The system");
    let row = byMember.get(name);
    if (!row) byMember.set(name, (row = { name, tokens: 0, cost: null, generations: 0, gpuHours: 0 }));
    return row;
  };
  for (const r of tokens) {
    const m = member(r.user_id);
    m.tokens += Number(r.tokens_in) + Number(r.tokens_out);
    if (r.cost !== null) m.cost = (m.cost ?? 0) + r.cost;
  }
  for (const g of generations) member(g.user_id).generations += Number(g.n);
  for (const r of runs) member(r.user_id).gpuHours += gpuHours(r);
  const byRunner = new Map<string, { name: string; gpuHours: number; runs: number }>();
  for (const r of runs) {
    const name = r.runner ?? "A deleted runner";
    const row = byRunner.get(name) ?? { name, gpuHours: 0, runs: 0 };
    row.gpuHours += gpuHours(r);
    row.runs += 1;
    byRunner.set(name, row);
  }
  const costs = monthRows.filter((r) => r.cost !== null);
  return {
    days,
    quota: readQuota(workspace.settings),
    month: { tokens: tokensOf(monthRows), cost: costs.length ? costs.reduce((s, r) => s + (r.cost ?? 0), 0) : null },
    storage: { total: files.reduce((s, f) => s + Number(f.bytes), 0), byKind: files.map((f) => ({ kind: f.kind, bytes: Number(f.bytes) })) },
    daily: [...daily.values()],
    members: [...byMember.values()].sort((a, b) => b.tokens - a.tokens || b.gpuHours - a.gpuHours),
    runners: [...byRunner.values()].sort((a, b) => b.gpuHours - a.gpuHours),
  };
}

/**
 * Sets a workspace's quota. Called only by the instance's administrator (lib/admin/actions: a
 * workspace's owner cannot lift its own limit).
 */
export async function setWorkspaceQuota(workspaceId: string, input: z.input<typeof quotaSchema>): Promise<Quota> {
  const quota = quotaSchema.parse(input);
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  if (!workspace) throw notFound("Workspace");
  const settings = { ...((workspace.settings as Record<string, unknown> | null) ?? {}), quota };
  await db.workspace.update({ where: { id: workspaceId }, data: { settings: settings as Prisma.InputJsonObject } });
  return quota;
}
