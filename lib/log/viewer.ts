// Reading the logs: a workspace's admins read its lines; the instance's administrator can read
// every line (the workers' and the launcher's own too, which belong to no workspace). Filters by
// lowest level, source, job, time range and text; newest first, a page at a time by id, and the
// lines after a given id for a live tail. Counts per level for the same filters.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { WorkspaceContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { db } from "@/lib/db/client";
import { forbidden } from "@/lib/errors";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "critical"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
/** The seed's names for the levels. */
export const LOG_LEVEL_LABELS: Record<LogLevelName, string> = { debug: "debug", info: "info", warn: "warning", error: "error", critical: "critical" };

const instant = z
  .string()
  .trim()
  .max(40)
  .refine((value) => value === "" || !Number.isNaN(Date.parse(value)), "Not a date and time.")
  .default("");

export const logFilterSchema = z.object({
  /** "instance": every line (the instance administrator only); "workspace": this workspace's. */
  scope: z.enum(["workspace", "instance"]).default("workspace"),
  /** Lowest level shown. */
  level: z.enum(LOG_LEVELS).default("info"),
  source: z.string().trim().max(128).default(""),
  jobId: z.union([z.uuid(), z.literal("")]).default(""),
  q: z.string().trim().max(200).default(""),
  /** ISO times (the browser sends its local choice as UTC). */
  from: instant,
  to: instant,
});
export type LogFilter = z.infer<typeof logFilterSchema>;

export type LogLine = {
  id: string;
  timestamp: string;
  level: LogLevelName;
  source: string;
  message: string;
  errorId: string | null;
  jobId: string | null;
  projectId: string | null;
  workspaceId: string | null;
  context: unknown;
};

const PAGE = 200;

async function scopeSql(ctx: WorkspaceContext, filter: LogFilter): Promise<Prisma.Sql> {
  assertPermission(ctx.role, "audit.view");
  if (filter.scope === "instance") {
    if (!(await isInstanceAdmin(ctx.actor))) throw forbidden("Only the instance's administrator reads every workspace's logs.");
    return Prisma.sql`TRUE`;
  }
  // Lines of the workspace's jobs written before job lines named their workspace count too.
  return Prisma.sql`(l.workspace_id = ${ctx.workspace.id}::uuid OR (l.workspace_id IS NULL AND l.project_id IN (SELECT p.id FROM projects p WHERE p.workspace_id = ${ctx.workspace.id}::uuid)))`;
}

function filterSql(filter: LogFilter): Prisma.Sql {
  const levels = LOG_LEVELS.slice(LOG_LEVELS.indexOf(filter.level));
  const parts = [Prisma.sql`l.level::text = ANY(${levels as unknown as string[]}::text[])`];
  if (filter.source) parts.push(Prisma.sql`l.source ILIKE ${`%${escapeLike(filter.source)}%`}`);
  if (filter.jobId) parts.push(Prisma.sql`l.job_id = ${filter.jobId}::uuid`);
  if (filter.q) parts.push(Prisma.sql`(l.message ILIKE ${`%${escapeLike(filter.q)}%`} OR l.error_id = ${filter.q})`);
  if (filter.from) parts.push(Prisma.sql`l."timestamp" >= ${new Date(filter.from)}`);
  if (filter.to) parts.push(Prisma.sql`l."timestamp" <= ${new Date(filter.to)}`);
  return Prisma.join(parts, " AND ");
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type Row = Omit<LogLine, "timestamp"> & { timestamp: Date };

const toLine = (r: Row): LogLine => ({ ...r, timestamp: r.timestamp.toISOString() });

const LINE_COLUMNS = Prisma.sql`l.id::text AS id, l."timestamp", l.level::text AS level, l.source, l.message, l.error_id AS "errorId",
  l.job_id::text AS "jobId", l.project_id::text AS "projectId", l.workspace_id::text AS "workspaceId", l.context`;

/** A page of lines, newest first (before `before`, an id), and the counts per level under the same filters. */
export async function queryLogs(ctx: WorkspaceContext, input: z.input<typeof logFilterSchema>, before?: string) {
  const filter = logFilterSchema.parse(input);
  const scope = await scopeSql(ctx, filter);
  const rows = await db.$queryRaw<Row[]>`
    SELECT ${LINE_COLUMNS} FROM app_logs l
    WHERE ${scope} AND ${filterSql(filter)} ${before ? Prisma.sql`AND l.id < ${before}::bigint` : Prisma.empty}
    ORDER BY l.id DESC LIMIT ${PAGE + 1}`;
  // Counts per level ignore the level filter: they show what the other levels hold.
  const countWhere = Prisma.sql`${scope} AND ${filterSql({ ...filter, level: "debug" })}`;
  const counts = await db.$queryRaw<Array<{ level: LogLevelName; n: bigint }>>`
    SELECT l.level::text AS level, count(*) AS n FROM app_logs l WHERE ${countWhere} GROUP BY l.level`;
  return {
    lines: rows.slice(0, PAGE).map(toLine),
    more: rows.length > PAGE,
    counts: Object.fromEntries(LOG_LEVELS.map((level) => [level, Number(counts.find((c) => c.level === level)?.n ?? 0)])) as Record<LogLevelName, number>,
  };
}

/** The lines after `after` (an id), oldest first: a live tail's next poll. */
export async function tailLogs(ctx: WorkspaceContext, input: z.input<typeof logFilterSchema>, after: string): Promise<LogLine[]> {
  const filter = logFilterSchema.parse(input);
  const rows = await db.$queryRaw<Row[]>`
    SELECT ${LINE_COLUMNS} FROM app_logs l
    WHERE ${await scopeSql(ctx, filter)} AND ${filterSql(filter)} AND l.id > ${after}::bigint
    ORDER BY l.id ASC LIMIT ${PAGE}`;
  return rows.map(toLine);
}
