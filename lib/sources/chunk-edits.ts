// Chunks a person shapes by hand: edit a chunk's text, merge it with the next one, split it in
// two. Before a chunk's text changes (here, or when its source is re-chunked), the text that
// examples were made from is kept as a ChunkRevision and named in their provenance
// (`chunkRevisionId`), so an example always shows the text it came from. Each change is one
// transaction; indexes stay 0…n−1 in document order.
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { type SqlExecutor, withPgTransaction } from "@/lib/db/pool";
import { invalidInput, notFound } from "@/lib/errors";
import { countTokens } from "@/lib/tokens";

/** A chunk edited by hand may hold at most this many tokens (the largest chunk size a project may set). */
export const MAX_EDITED_CHUNK_TOKENS = 8192;

export type RevisionReason = "edit" | "merge" | "split" | "rechunk";

/**
 * Keeps the current text of the chosen chunks that examples point at (and that those examples do
 * not already trace to an older text), and names the kept revision in those examples' provenance.
 * `where` is a condition on `c` (chunks) with its parameters starting at $2.
 */
export async function keepChunkTexts(exec: SqlExecutor, reason: RevisionReason, where: string, params: unknown[]): Promise<number> {
  const rows = await exec(
    `WITH kept AS (
       INSERT INTO chunk_revisions (id, project_id, chunk_id, source_file_id, chunk_index, content, metadata, reason)
       SELECT gen_random_uuid(), c.project_id, c.id, c.source_file_id, c.chunk_index, c.content, c.metadata, $1
       FROM chunks c
       WHERE ${where} AND EXISTS (
         SELECT 1 FROM dataset_examples e WHERE e.source_chunk_id = c.id AND NOT coalesce(e.provenance, '{}'::jsonb) ? 'chunkRevisionId')
       RETURNING id, chunk_id
     ), named AS (
       UPDATE dataset_examples e SET provenance = coalesce(e.provenance, '{}'::jsonb) || jsonb_build_object('chunkRevisionId', k.id::text)
       FROM kept k WHERE e.source_chunk_id = k.chunk_id AND NOT coalesce(e.provenance, '{}'::jsonb) ? 'chunkRevisionId'
       RETURNING e.id
     )
     SELECT count(*)::int AS n FROM named`,
    [reason, ...params],
  );
  return Number(rows[0]?.n ?? 0);
}

type ChunkRow = { id: string; source_file_id: string; chunk_index: number; content: string; metadata: Record<string, unknown> | null };

async function lockedChunk(exec: SqlExecutor, ctx: ProjectContext, chunkId: string): Promise<ChunkRow> {
  const [row] = (await exec(
    `SELECT c.id::text, c.source_file_id::text, c.chunk_index, c.content, c.metadata FROM chunks c
     JOIN projects p ON p.id = c.project_id
     WHERE c.id = $1::uuid AND c.project_id = $2::uuid AND p.workspace_id = $3::uuid FOR UPDATE OF c`,
    [chunkId, ctx.projectId, ctx.workspace.id],
  )) as ChunkRow[];
  if (!row) throw notFound("Chunk");
  // One change at a time per source: merges and splits renumber its chunks.
  await exec("SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('ftf-chunks:' || $1))", [row.source_file_id]);
  return row;
}

function checkedText(content: string): { content: string; tokens: number } {
  if (!content.trim()) throw invalidInput("A chunk cannot be empty. Delete the source or merge the chunk instead.", { content: "Write some text." });
  const tokens = countTokens(content);
  if (tokens > MAX_EDITED_CHUNK_TOKENS) {
    throw invalidInput(
      `A chunk holds at most ${MAX_EDITED_CHUNK_TOKENS.toLocaleString("en-US")} tokens; this text has ${tokens.toLocaleString("en-US")}. Split it.`,
      {
        content: "Too long.",
      },
    );
  }
  return { content, tokens };
}

const edited = (metadata: Record<string, unknown> | null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...(metadata ?? {}), ...extra, edited: true });

async function audit(ctx: ProjectContext, action: string, chunk: ChunkRow) {
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "source.chunks",
    targetType: "file",
    targetId: chunk.source_file_id,
    metadata: { change: action, chunkIndex: chunk.chunk_index },
  });
}

/** Replaces a chunk's text (page and section marks stay). */
export async function editChunk(ctx: ProjectContext, chunkId: string, text: string) {
  assertPermission(ctx.role, "sources.manage");
  const { content, tokens } = checkedText(text);
  const chunk = await withPgTransaction(async (exec) => {
    const row = await lockedChunk(exec, ctx, chunkId);
    if (row.content === content) return row;
    await keepChunkTexts(exec, "edit", "c.id = $2::uuid", [row.id]);
    await exec("UPDATE chunks SET content = $2, token_count = $3, char_count = $4, metadata = $5::jsonb, edited_at = now() WHERE id = $1::uuid", [
      row.id,
      content,
      tokens,
      content.length,
      edited(row.metadata),
    ]);
    return row;
  });
  await audit(ctx, "edit", chunk);
  return db.chunk.findUniqueOrThrow({ where: { id: chunk.id } });
}

/** The longest end of `a` that `b` starts with (the overlap two neighbouring chunks share), up to `max` characters. */
export function sharedOverlap(a: string, b: string, max = 20_000): number {
  const from = Math.max(0, a.length - Math.min(max, b.length));
  for (let at = a.indexOf(b[0] ?? "", from); at !== -1 && at < a.length; at = a.indexOf(b[0], at + 1)) {
    const tail = a.slice(at);
    if (b.startsWith(tail)) return tail.length;
  }
  return 0;
}

/** Shifts the indexes of a source's chunks after `after` by `by`, through negatives so the (source, index) key never clashes. */
async function renumber(exec: SqlExecutor, fileId: string, after: number, by: number) {
  await exec("UPDATE chunks SET chunk_index = -1 - (chunk_index + $3) WHERE source_file_id = $1::uuid AND chunk_index > $2", [fileId, after, by]);
  await exec("UPDATE chunks SET chunk_index = -1 - chunk_index WHERE source_file_id = $1::uuid AND chunk_index < 0", [fileId]);
}

/** Merges a chunk with the one after it (their shared overlap once); the examples of both now point at the merged chunk. */
export async function mergeWithNext(ctx: ProjectContext, chunkId: string) {
  assertPermission(ctx.role, "sources.manage");
  const chunk = await withPgTransaction(async (exec) => {
    const row = await lockedChunk(exec, ctx, chunkId);
    const [next] = (await exec(
      "SELECT id::text, source_file_id::text, chunk_index, content, metadata FROM chunks WHERE source_file_id = $1::uuid AND chunk_index = $2 FOR UPDATE",
      [row.source_file_id, row.chunk_index + 1],
    )) as ChunkRow[];
    if (!next) throw invalidInput("This is the source's last chunk: there is nothing after it to merge with.");
    const { content, tokens } = checkedText(row.content + next.content.slice(sharedOverlap(row.content, next.content)));
    await keepChunkTexts(exec, "merge", "c.id = ANY($2::uuid[])", [[row.id, next.id]]);
    const pageEnd = (next.metadata as { page_end?: number } | null)?.page_end;
    await exec("UPDATE chunks SET content = $2, token_count = $3, char_count = $4, metadata = $5::jsonb, edited_at = now() WHERE id = $1::uuid", [
      row.id,
      content,
      tokens,
      content.length,
      edited(row.metadata, pageEnd ? { page_end: pageEnd } : {}),
    ]);
    await exec("UPDATE dataset_examples SET source_chunk_id = $2::uuid WHERE source_chunk_id = $1::uuid", [next.id, row.id]);
    await exec("UPDATE eval_samples SET source_chunk_id = $2::uuid WHERE source_chunk_id = $1::uuid", [next.id, row.id]);
    await exec("DELETE FROM chunks WHERE id = $1::uuid", [next.id]);
    await renumber(exec, row.source_file_id, next.chunk_index, -1);
    return row;
  });
  await audit(ctx, "merge", chunk);
  return db.chunk.findUniqueOrThrow({ where: { id: chunk.id } });
}

/** Splits a chunk in two at a character offset; the new second part comes right after it. */
export async function splitChunk(ctx: ProjectContext, chunkId: string, at: number) {
  assertPermission(ctx.role, "sources.manage");
  const chunk = await withPgTransaction(async (exec) => {
    const row = await lockedChunk(exec, ctx, chunkId);
    // Never between the halves of a surrogate pair.
    const low = row.content.charCodeAt(at);
    const cut = low >= 0xdc00 && low <= 0xdfff ? at + 1 : at;
    const first = row.content.slice(0, cut);
    const second = row.content.slice(cut);
    if (!first.trim() || !second.trim()) throw invalidInput("Split where both parts keep some text.");
    const a = checkedText(first);
    const b = checkedText(second);
    await keepChunkTexts(exec, "split", "c.id = $2::uuid", [row.id]);
    await renumber(exec, row.source_file_id, row.chunk_index, 1);
    await exec("UPDATE chunks SET content = $2, token_count = $3, char_count = $4, metadata = $5::jsonb, edited_at = now() WHERE id = $1::uuid", [
      row.id,
      a.content,
      a.tokens,
      a.content.length,
      edited(row.metadata),
    ]);
    await exec(
      `INSERT INTO chunks (id, project_id, source_file_id, chunk_index, content, token_count, char_count, metadata, edited_at)
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3, $4, $5, $6, $7::jsonb, now())`,
      [ctx.projectId, row.source_file_id, row.chunk_index + 1, b.content, b.tokens, b.content.length, edited(row.metadata)],
    );
    return row;
  });
  await audit(ctx, "split", chunk);
  return db.chunk.findMany({
    where: { sourceFileId: chunk.source_file_id, chunkIndex: { in: [chunk.chunk_index, chunk.chunk_index + 1] } },
    orderBy: { chunkIndex: "asc" },
  });
}
