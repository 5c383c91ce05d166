// Reviewing a project's examples at any size (1 M is the design point): keyset pagination on
// (created_at, id) newest first, filters that each walk one index (see the schema), the seed's
// stats per split, edits that re-validate and re-hash, and approve/reject/delete — one by one
// or on everything a filter matches, in one statement.
import { Prisma, type ReviewStatus } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { conflict, notFound } from "@/lib/errors";
import { readProjectConfig } from "@/lib/projects/config";
import { flagDuplicates } from "./dedup";
import { type ExampleData, exampleSchemaFor, searchTextOf } from "./example";
import { LOW_GROUNDING } from "./grounding";
import { contentHash } from "./hash";
import { validateExample } from "./validate";

export const PAGE_SIZE = 50;

export const reviewFilterSchema = z.object({
  split: z.enum(["preview", "train", "eval"]).optional(),
  valid: z.boolean().optional(),
  review: z.enum(["pending", "approved", "rejected"]).optional(),
  duplicate: z.boolean().optional(),
  /** In a group of near-duplicates (lib/datasets/near-dup), or not. */
  nearDup: z.boolean().optional(),
  /** "low": answers with less than LOW_GROUNDING of their words in their source chunk. */
  grounding: z.enum(["low"]).optional(),
  sourceFileId: z.uuid().optional(),
  q: z.string().trim().max(200).optional(),
  /** Examples carrying this tag. */
  tag: z.string().trim().min(1).max(40).optional(),
  /** "unrated", or the lowest rating shown ("4": rated 4 or 5). */
  rating: z.enum(["unrated", "1", "2", "3", "4", "5"]).optional(),
  /** "unscored", or the lowest LLM-judge score shown ("4": 4 and up). */
  score: z.enum(["unscored", "1", "2", "3", "4", "5"]).optional(),
  /** The order: newest first (default), or by the judge's score, high or low first (unscored last). */
  sort: z.enum(["newest", "score_desc", "score_asc"]).optional(),
});
export type ReviewFilter = z.infer<typeof reviewFilterSchema>;

export const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid(), key: z.number().optional() });
export type Cursor = z.infer<typeof cursorSchema>;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE of a filter, always scoped to the caller's project (and so workspace). */
function whereOf(ctx: ProjectContext, filter: ReviewFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [
    Prisma.sql`e.project_id = ${ctx.projectId}::uuid`,
    Prisma.sql`EXISTS (SELECT 1 FROM projects p WHERE p.id = e.project_id AND p.workspace_id = ${ctx.workspace.id}::uuid)`,
  ];
  // Without a split filter, the preview's throwaway examples stay out of the dataset view.
  parts.push(filter.split ? Prisma.sql`e.split = ${filter.split}::dataset_split` : Prisma.sql`e.split <> 'preview'`);
  if (filter.valid !== undefined) parts.push(Prisma.sql`e.is_valid = ${filter.valid}`);
  if (filter.review) parts.push(Prisma.sql`e.review_status = ${filter.review}::review_status`);
  if (filter.duplicate !== undefined) parts.push(Prisma.sql`e.is_duplicate = ${filter.duplicate}`);
  if (filter.nearDup !== undefined) parts.push(filter.nearDup ? Prisma.sql`e.near_dup_group IS NOT NULL` : Prisma.sql`e.near_dup_group IS NULL`);
  if (filter.grounding === "low") parts.push(Prisma.sql`e.grounding < ${LOW_GROUNDING}`);
  if (filter.sourceFileId) parts.push(Prisma.sql`e.source_file_id = ${filter.sourceFileId}::uuid`);
  if (filter.q && filter.q.length >= 2) parts.push(Prisma.sql`e.search_text ILIKE ${`%${escapeLike(filter.q.toLowerCase())}%`}`);
  if (filter.tag) parts.push(Prisma.sql`e.tags @> ARRAY[${filter.tag}]::text[]`);
  if (filter.rating === "unrated") parts.push(Prisma.sql`e.rating IS NULL`);
  else if (filter.rating) parts.push(Prisma.sql`e.rating >= ${Number(filter.rating)}::int`);
  if (filter.score === "unscored") parts.push(Prisma.sql`e.judge_score IS NULL`);
  else if (filter.score) parts.push(Prisma.sql`e.judge_score >= ${Number(filter.score)}::real`);
  return Prisma.join(parts, " AND ");
}

export type ExampleRow = {
  id: string;
  data: Record<string, unknown>;
  split: "preview" | "train" | "eval";
  isValid: boolean;
  validationError: string | null;
  /** Share of the answer's words found in its source chunk (null: no chunk, or too short to judge). */
  grounding: number | null;
  tokenCount: number;
  isDuplicate: boolean;
  reviewStatus: ReviewStatus;
  sourceChunkId: string | null;
  sourceFileId: string | null;
  sourceName: string | null;
  tags: string[];
  /** The reviewer's 1–5 rating, or null. */
  rating: number | null;
  /** The first example of its near-duplicate group (its own id for that one), or null. */
  nearDupGroup: string | null;
  /** The LLM judge's score (1–5) and reason; null until scored. */
  judgeScore: number | null;
  judgeReason: string | null;
  editedAt: string | null;
  createdAt: string;
};

type RawRow = {
  id: string;
  data: Record<string, unknown>;
  split: ExampleRow["split"];
  is_valid: boolean;
  validation_error: string | null;
  grounding: number | null;
  token_count: number | null;
  is_duplicate: boolean;
  review_status: ReviewStatus;
  source_chunk_id: string | null;
  source_file_id: string | null;
  source_name: string | null;
  tags: string[] | null;
  rating: number | null;
  near_dup_group: string | null;
  judge_score: number | null;
  judge_reason: string | null;
  edited_at: Date | null;
  created_at: Date;
};

function toRow(r: RawRow): ExampleRow {
  return {
    id: r.id,
    data: r.data,
    split: r.split,
    isValid: r.is_valid,
    validationError: r.validation_error,
    grounding: r.grounding,
    tokenCount: r.token_count ?? 0,
    isDuplicate: r.is_duplicate,
    reviewStatus: r.review_status,
    sourceChunkId: r.source_chunk_id,
    sourceFileId: r.source_file_id,
    sourceName: r.source_name,
    tags: r.tags ?? [],
    rating: r.rating,
    nearDupGroup: r.near_dup_group,
    judgeScore: r.judge_score,
    judgeReason: r.judge_reason,
    editedAt: r.edited_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

/** An example row as the review reads it (a RawRow); the query joins `files f` for the source's name. */
const ROW_COLUMNS = Prisma.sql`e.id, e.data, e.split, e.is_valid, e.validation_error, e.grounding, e.token_count, e.is_duplicate, e.review_status,
           e.source_chunk_id, e.source_file_id, f.filename AS source_name, e.tags, e.rating, e.near_dup_group, e.judge_score, e.judge_reason, e.edited_at, e.created_at`;

/** The review page's query (exported so the scale test can EXPLAIN exactly what runs). */
export function listQuery(ctx: ProjectContext, filter: ReviewFilter, cursor: Cursor | undefined, limit: number): Prisma.Sql {
  if (filter.sort === "score_desc" || filter.sort === "score_asc") {
    // Keyset on (score, created_at, id), unscored last: their key is below 1 (high first) or above 5 (low first).
    const desc = filter.sort === "score_desc";
    const key = desc ? Prisma.sql`coalesce(e.judge_score, -1)` : Prisma.sql`coalesce(e.judge_score, 6)`;
    const after = cursor
      ? desc
        ? Prisma.sql`AND (${key}, e.created_at, e.id) < (${cursor.key ?? -1}::real, ${new Date(cursor.createdAt)}::timestamptz, ${cursor.id}::uuid)`
        : Prisma.sql`AND (${key}, e.created_at, e.id) > (${cursor.key ?? 6}::real, ${new Date(cursor.createdAt)}::timestamptz, ${cursor.id}::uuid)`
      : Prisma.empty;
    const order = desc ? Prisma.sql`${key} DESC, e.created_at DESC, e.id DESC` : Prisma.sql`${key} ASC, e.created_at ASC, e.id ASC`;
    return Prisma.sql`
    SELECT ${ROW_COLUMNS}, ${key} AS sort_key
    FROM dataset_examples e LEFT JOIN files f ON f.id = e.source_file_id
    WHERE ${whereOf(ctx, filter)} ${after}
    ORDER BY ${order}
    LIMIT ${limit}`;
  }
  const after = cursor ? Prisma.sql`AND (e.created_at, e.id) < (${new Date(cursor.createdAt)}::timestamptz, ${cursor.id}::uuid)` : Prisma.empty;
  return Prisma.sql`
    SELECT ${ROW_COLUMNS}
    FROM dataset_examples e LEFT JOIN files f ON f.id = e.source_file_id
    WHERE ${whereOf(ctx, filter)} ${after}
    ORDER BY e.created_at DESC, e.id DESC
    LIMIT ${limit}`;
}

/** Matches are counted up to this many ("100,000+ match"), so a broad search at 1 M rows stays quick. */
export const COUNT_CAP = 100_000;

/** How many examples a filter matches, counting no further than `cap` (so the answer is at most cap + 1). */
export async function countMatches(ctx: ProjectContext, filter: ReviewFilter, cap = COUNT_CAP): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: bigint }>>`
    SELECT count(*) AS n FROM (SELECT 1 FROM dataset_examples e WHERE ${whereOf(ctx, filter)} LIMIT ${cap + 1}) m`;
  return Number(row.n);
}

/**
 * One page of the review table, newest first; pass the returned cursor for the next page. The
 * first page also says how many examples match (`total`, up to COUNT_CAP + 1), for the "N match" line.
 */
export async function listExamples(ctx: ProjectContext, filter: ReviewFilter, cursor?: Cursor, limit = PAGE_SIZE) {
  const [rows, total] = await Promise.all([db.$queryRaw<RawRow[]>(listQuery(ctx, filter, cursor, limit + 1)), cursor ? undefined : countMatches(ctx, filter)]);
  const items = rows.slice(0, limit).map(toRow);
  const last = items.at(-1);
  const lastKey = (rows[limit - 1] as { sort_key?: number } | undefined)?.sort_key;
  return {
    items,
    nextCursor: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id, ...(lastKey !== undefined ? { key: Number(lastKey) } : {}) } : null,
    total: total === undefined ? undefined : Math.min(total, COUNT_CAP),
    /** More than `total` match (the count stopped at COUNT_CAP). */
    totalCapped: total !== undefined && total > COUNT_CAP,
  };
}

export type SplitStats = {
  split: "preview" | "train" | "eval";
  total: number;
  valid: number;
  invalid: number;
  /** What training takes (lib/datasets/example USABLE_EXAMPLE): valid, not rejected, not a duplicate. */
  usable: number;
  avgTokens: number;
  minTokens: number;
  maxTokens: number;
};

/** The seed's stats query: per split, total, valid, invalid and token lengths. */
export function statsQuery(ctx: ProjectContext): Prisma.Sql {
  return Prisma.sql`
    SELECT split, count(*) AS total, count(*) FILTER (WHERE is_valid) AS valid, count(*) FILTER (WHERE NOT is_valid) AS invalid,
           count(*) FILTER (WHERE is_valid AND NOT is_duplicate AND review_status <> 'rejected') AS usable,
           avg(token_count)::float AS avg, min(token_count) AS min, max(token_count) AS max
    FROM dataset_examples
    WHERE project_id = ${ctx.projectId}::uuid AND EXISTS (SELECT 1 FROM projects p WHERE p.id = ${ctx.projectId}::uuid AND p.workspace_id = ${ctx.workspace.id}::uuid)
    GROUP BY split ORDER BY split`;
}

export async function splitStats(ctx: ProjectContext): Promise<SplitStats[]> {
  const rows = await db.$queryRaw<
    Array<{
      split: SplitStats["split"];
      total: bigint;
      valid: bigint;
      invalid: bigint;
      usable: bigint;
      avg: number | null;
      min: number | null;
      max: number | null;
    }>
  >(statsQuery(ctx));
  return rows.map((r) => ({
    split: r.split,
    total: Number(r.total),
    valid: Number(r.valid),
    invalid: Number(r.invalid),
    usable: Number(r.usable),
    avgTokens: Math.round(r.avg ?? 0),
    minTokens: r.min ?? 0,
    maxTokens: r.max ?? 0,
  }));
}

export type ReviewCounts = {
  duplicates: number;
  /** Near-duplicates beyond the first of each group. */
  nearDuplicates: number;
  approved: number;
  rejected: number;
  pending: number;
};

export function countsQuery(ctx: ProjectContext): Prisma.Sql {
  // Grouped on columns of idx_examples_stats, so this reads the index alone.
  return Prisma.sql`SELECT e.review_status, e.is_duplicate, count(*) AS n FROM dataset_examples e WHERE ${whereOf(ctx, {})} GROUP BY 1, 2`;
}

export async function reviewCounts(ctx: ProjectContext): Promise<ReviewCounts> {
  const rows = await db.$queryRaw<Array<{ review_status: ReviewStatus; is_duplicate: boolean; n: bigint }>>(countsQuery(ctx));
  const counts: ReviewCounts = { duplicates: 0, nearDuplicates: await countExtraNearDuplicates(ctx), approved: 0, rejected: 0, pending: 0 };
  for (const row of rows) {
    counts[row.review_status] += Number(row.n);
    if (row.is_duplicate) counts.duplicates += Number(row.n);
  }
  return counts;
}

/** Token lengths of valid train/eval examples, in buckets up to the project's max_seq_length. */
export async function tokenHistogram(ctx: ProjectContext, buckets = 16) {
  const project = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { config: true } });
  const max = readProjectConfig(project.config).max_seq_length;
  const width = Math.max(1, Math.ceil(max / buckets));
  const rows = await db.$queryRaw<Array<{ bucket: number; count: bigint }>>`
    SELECT LEAST(token_count / ${width}::int, ${buckets - 1}::int) AS bucket, count(*) AS count
    FROM dataset_examples WHERE project_id = ${ctx.projectId}::uuid AND split IN ('train', 'eval') AND is_valid
    GROUP BY 1 ORDER BY 1`;
  const counts = new Map(rows.map((r) => [Number(r.bucket), Number(r.count)]));
  return Array.from({ length: buckets }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: counts.get(i) ?? 0 }));
}

async function findExample(ctx: ProjectContext, id: string) {
  const example = await db.datasetExample.findFirst({
    where: { id, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    include: { sourceChunk: { select: { content: true } }, project: { select: { taskType: true, config: true } } },
  });
  if (!example) throw notFound("Example");
  return example;
}

export async function getExampleWithSource(ctx: ProjectContext, id: string) {
  const example = await findExample(ctx, id);
  const chunk = example.sourceChunkId
    ? await db.chunk.findUnique({
        where: { id: example.sourceChunkId },
        select: { content: true, chunkIndex: true, metadata: true, sourceFile: { select: { filename: true } } },
      })
    : null;
  // When the chunk's text has changed since (edited, merged, split, re-chunked), the text this example was made from.
  const revisionId = (example.provenance as { chunkRevisionId?: unknown } | null)?.chunkRevisionId;
  const madeFrom =
    typeof revisionId === "string"
      ? await db.chunkRevision.findFirst({
          where: { id: revisionId, projectId: ctx.projectId },
          select: { content: true, chunkIndex: true, metadata: true, reason: true, createdAt: true, sourceFile: { select: { filename: true } } },
        })
      : null;
  return {
    id: example.id,
    data: example.data,
    validationError: example.validationError,
    chunk,
    madeFrom,
    nearDuplicates: await nearDuplicatesOf(ctx, example.id),
  };
}

/** Saves an edit: the data is checked against the task type, validated, re-hashed. A conversation's earlier turns are kept unless the edit gives them. */
export async function updateExample(ctx: ProjectContext, id: string, data: unknown): Promise<ExampleRow> {
  const example = await findExample(ctx, id);
  const parsed = exampleSchemaFor(example.project.taskType).safeParse(data);
  if (!parsed.success) throw parsed.error;
  // An edit that leaves the earlier turns of a conversation out keeps them.
  const kept = (example.data as { history?: ExampleData["history"] } | null)?.history;
  const next = (parsed.data.history || !kept ? parsed.data : { ...parsed.data, history: kept }) as ExampleData;
  const config = readProjectConfig(example.project.config);
  const validation = validateExample(next, {
    taskType: example.project.taskType,
    maxSeqLength: config.max_seq_length,
    sourceText: example.sourceChunk?.content,
    judgeGrounding: false,
  });
  const hash = contentHash(next);
  await db.datasetExample.update({
    where: { id: example.id },
    data: {
      data: next as Prisma.InputJsonObject,
      isValid: validation.isValid,
      validationError: validation.validationError,
      grounding: validation.grounding,
      tokenCount: validation.tokenCount,
      contentHash: hash,
      searchText: searchTextOf(next),
      editedAt: new Date(),
    },
  });
  // Signed again at the next near-duplicate pass.
  await db.exampleMinhash.deleteMany({ where: { exampleId: example.id } });
  await flagDuplicates(ctx.projectId, [hash, ...(example.contentHash && example.contentHash !== hash ? [example.contentHash] : [])]);
  const { items } = await listExamplesByIds(ctx, [example.id]);
  return items[0];
}

async function listExamplesByIds(ctx: ProjectContext, ids: string[]) {
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT ${ROW_COLUMNS}
    FROM dataset_examples e LEFT JOIN files f ON f.id = e.source_file_id
    WHERE e.id = ANY(${ids}::uuid[]) AND ${whereOf(ctx, { split: undefined })}`;
  return { items: rows.map(toRow) };
}

export type BulkTarget = { ids: string[] } | { filter: ReviewFilter };

function targetSql(ctx: ProjectContext, target: BulkTarget): Prisma.Sql {
  return "ids" in target ? Prisma.sql`${whereOf(ctx, {})} AND e.id = ANY(${target.ids}::uuid[])` : whereOf(ctx, target.filter);
}

/** Approves or rejects examples (by id, or all a filter matches); returns how many changed. */
export async function setReviewStatus(ctx: ProjectContext, target: BulkTarget, status: ReviewStatus): Promise<number> {
  const count = await db.$executeRaw`
    UPDATE dataset_examples e SET review_status = ${status}::review_status, reviewed_by_id = ${ctx.actor.id}::uuid, reviewed_at = now(), updated_at = now()
    WHERE ${targetSql(ctx, target)} AND e.review_status <> ${status}::review_status`;
  if ("filter" in target && count > 0) {
    await recordAudit({
      workspaceId: ctx.workspace.id,
      actorId: ctx.actor.id,
      action: "dataset.review",
      targetType: "project",
      targetId: ctx.projectId,
      metadata: { status, count },
    });
  }
  return count;
}

/** Deletes examples (by id, or all a filter matches); returns how many. */
export async function deleteExamples(ctx: ProjectContext, target: BulkTarget): Promise<number> {
  const hashes = await db.$queryRaw<Array<{ content_hash: string }>>`
    SELECT DISTINCT e.content_hash FROM dataset_examples e WHERE ${targetSql(ctx, target)} AND e.content_hash IS NOT NULL LIMIT 10000`;
  const count = await db.$executeRaw`DELETE FROM dataset_examples e WHERE ${targetSql(ctx, target)}`;
  if (count > 0) {
    await flagDuplicates(ctx.projectId, hashes.length < 10000 ? hashes.map((h) => h.content_hash) : undefined);
    await recordAudit({
      workspaceId: ctx.workspace.id,
      actorId: ctx.actor.id,
      action: "dataset.delete",
      targetType: "project",
      targetId: ctx.projectId,
      metadata: { count },
    });
  }
  return count;
}

/** How many examples a bulk action would touch: the ids that exist here, or all a filter matches. */
export async function countTargets(ctx: ProjectContext, target: BulkTarget): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM dataset_examples e WHERE ${targetSql(ctx, target)}`;
  return Number(row.n);
}

/** Moves examples (by id, or all a filter matches) to train or eval; returns how many moved. */
export async function moveExamples(ctx: ProjectContext, target: BulkTarget, split: "train" | "eval"): Promise<number> {
  const count = await db.$executeRaw`
    UPDATE dataset_examples e SET split = ${split}::dataset_split, updated_at = now()
    WHERE ${targetSql(ctx, target)} AND e.split IN ('train', 'eval') AND e.split <> ${split}::dataset_split`;
  if (count > 0) {
    await recordAudit({
      workspaceId: ctx.workspace.id,
      actorId: ctx.actor.id,
      action: "dataset.split",
      targetType: "project",
      targetId: ctx.projectId,
      metadata: { moved: count, to: split },
    });
  }
  return count;
}

/** Tags are short labels: trimmed, inner spaces collapsed, at most 40 characters. */
export const tagSchema = z
  .string()
  .transform((t) => t.trim().replace(/\s+/g, " "))
  .pipe(z.string().min(1, "A tag cannot be empty.").max(40, "Tags are at most 40 characters."));

/** At most this many tags on one example. */
export const MAX_TAGS = 20;

/** Adds and removes tags on examples (by id, or all a filter matches); returns how many changed. */
export async function tagExamples(ctx: ProjectContext, target: BulkTarget, change: { add?: string[]; remove?: string[] }): Promise<number> {
  const add = [...new Set(change.add ?? [])];
  const remove = [...new Set(change.remove ?? [])];
  if (add.length === 0 && remove.length === 0) return 0;
  // Sorted and unique; an example already at MAX_TAGS keeps the first ones in order.
  const count = await db.$executeRaw`
    UPDATE dataset_examples e SET tags = n.tags, updated_at = now()
    FROM (SELECT e2.id, ARRAY(
            SELECT t FROM (SELECT DISTINCT t FROM unnest(e2.tags || ${add}::text[]) AS t WHERE t <> ALL(${remove}::text[])) u ORDER BY t LIMIT ${MAX_TAGS}
          ) AS tags
          FROM dataset_examples e2 WHERE e2.id IN (SELECT e.id FROM dataset_examples e WHERE ${targetSql(ctx, target)})) n
    WHERE e.id = n.id AND e.tags IS DISTINCT FROM n.tags`;
  if ("filter" in target && count > 0) {
    await recordAudit({
      workspaceId: ctx.workspace.id,
      actorId: ctx.actor.id,
      action: "dataset.tag",
      targetType: "project",
      targetId: ctx.projectId,
      metadata: { add, remove, count },
    });
  }
  return count;
}

/** Rates examples 1–5 (null clears it); returns how many changed. */
export async function rateExamples(ctx: ProjectContext, target: BulkTarget, rating: number | null): Promise<number> {
  return db.$executeRaw`
    UPDATE dataset_examples e SET rating = ${rating}::smallint, reviewed_by_id = ${ctx.actor.id}::uuid, reviewed_at = now(), updated_at = now()
    WHERE ${targetSql(ctx, target)} AND e.rating IS DISTINCT FROM ${rating}::smallint`;
}

/** The project's tags with how many examples carry each, most used first (for the tag filter). */
export async function projectTags(ctx: ProjectContext, limit = 200): Promise<Array<{ tag: string; count: number }>> {
  const rows = await db.$queryRaw<Array<{ tag: string; n: bigint }>>`
    SELECT t AS tag, count(*) AS n FROM dataset_examples e, unnest(e.tags) AS t
    WHERE ${whereOf(ctx, {})} GROUP BY t ORDER BY count(*) DESC, t LIMIT ${limit}`;
  return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
}

/** Near-duplicate examples beyond the first of each group: what "keep one per group" deletes. */
function extraNearDupsSql(ctx: ProjectContext): Prisma.Sql {
  return Prisma.sql`${whereOf(ctx, { nearDup: true })} AND e.id <> e.near_dup_group`;
}

export async function countExtraNearDuplicates(ctx: ProjectContext): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM dataset_examples e WHERE ${extraNearDupsSql(ctx)}`;
  return Number(row.n);
}

/** Deletes every near-duplicate but the first of its group; refused (nothing deleted) when the count is not the one confirmed. */
export async function keepOnePerNearDupGroup(ctx: ProjectContext, expectedCount: number): Promise<number> {
  const now = await countExtraNearDuplicates(ctx);
  if (now !== expectedCount) {
    throw conflict(
      `${now.toLocaleString("en-US")} near-duplicates would go now, not ${expectedCount.toLocaleString("en-US")}; nothing was deleted. Look again and retry.`,
    );
  }
  const count = await db.$executeRaw`DELETE FROM dataset_examples e WHERE ${extraNearDupsSql(ctx)}`;
  if (count > 0) {
    await db.$executeRaw`UPDATE dataset_examples e SET near_dup_group = NULL WHERE ${whereOf(ctx, { nearDup: true })} AND e.id = e.near_dup_group`;
    await recordAudit({
      workspaceId: ctx.workspace.id,
      actorId: ctx.actor.id,
      action: "dataset.delete",
      targetType: "project",
      targetId: ctx.projectId,
      metadata: { count, nearDuplicates: true },
    });
  }
  return count;
}

/** The other examples of an example's near-duplicate group (up to `limit`), for reading them side by side. */
export async function nearDuplicatesOf(ctx: ProjectContext, exampleId: string, limit = 10) {
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT ${ROW_COLUMNS}
    FROM dataset_examples e LEFT JOIN files f ON f.id = e.source_file_id
    WHERE ${whereOf(ctx, { nearDup: true })} AND e.id <> ${exampleId}::uuid
      AND e.near_dup_group = (SELECT g.near_dup_group FROM dataset_examples g WHERE g.id = ${exampleId}::uuid AND g.project_id = ${ctx.projectId}::uuid)
    ORDER BY e.created_at, e.id LIMIT ${limit}`;
  return rows.map(toRow);
}
