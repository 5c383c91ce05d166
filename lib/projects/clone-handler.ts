// Copies a project's sources and examples into its copy (./clone-job).

import { refreshNearDuplicates } from "@/lib/datasets/near-dup-db";
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { getStorage } from "@/lib/storage";
import { fileKey, projectPrefix } from "@/lib/storage/keys";

export async function fillClone(ctx: JobContext<{ fromProjectId: string; withExamples: boolean }>): Promise<Record<string, unknown>> {
  const [target, source] = await Promise.all([
    db.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { workspaceId: true } }),
    db.project.findUnique({ where: { id: ctx.payload.fromProjectId }, select: { workspaceId: true, name: true } }),
  ]);
  // Checked again here: the copy is only ever of a project of the same workspace.
  if (!source || source.workspaceId !== target.workspaceId) throw new NonRetryableError("The project to copy was deleted.");
  const { createdById } = await db.job.findUniqueOrThrow({ where: { id: ctx.jobId }, select: { createdById: true } });
  const files = await db.file.findMany({
    where: { projectId: ctx.payload.fromProjectId, kind: { in: ["raw_doc", "dataset_upload"] }, status: { not: "failed" } },
    orderBy: { createdAt: "asc" },
  });
  const storage = getStorage();
  let copied = 0;
  let bytes = 0;
  const missing: string[] = [];
  for (const file of files) {
    throwIfAborted(ctx.signal);
    const existing = await db.file.findFirst({
      where: { projectId: ctx.projectId, metadata: { path: ["cloned_from"], equals: file.id } },
      select: { id: true },
    });
    const id = existing?.id ?? crypto.randomUUID();
    const key = fileKey(target.workspaceId, ctx.projectId, id);
    if (!existing) {
      // Only objects under the copied project's own prefix are read; one that is gone (storage
      // cleaned by hand) leaves its source out with a warning instead of failing the copy.
      let body: Awaited<ReturnType<typeof storage.get>>;
      try {
        if (!file.storagePath.startsWith(projectPrefix(target.workspaceId, ctx.payload.fromProjectId))) throw new Error("not in the project's storage");
        body = await storage.get(file.storagePath);
      } catch (error) {
        missing.push(file.filename);
        ctx.log("warn", `Source "${file.filename}" was left out: its file cannot be read from storage (${(error as Error).message}).`);
        continue;
      }
      // The object first: a row never points at nothing.
      await storage.put(key, body);
      await db.file.create({
        data: {
          id,
          projectId: ctx.projectId,
          kind: file.kind,
          status: file.status,
          filename: file.filename,
          mimeType: file.mimeType,
          storagePath: key,
          sizeBytes: file.sizeBytes,
          sha256: file.sha256,
          metadata: { ...((file.metadata as Record<string, unknown> | null) ?? {}), cloned_from: file.id },
          errorMessage: file.errorMessage,
          sourceUrl: file.sourceUrl,
          createdById,
        },
      });
    }
    await db.$executeRaw`
      INSERT INTO chunks (id, project_id, source_file_id, chunk_index, content, token_count, char_count, metadata, created_at, edited_at)
      SELECT gen_random_uuid(), ${ctx.projectId}::uuid, ${id}::uuid, c.chunk_index, c.content, c.token_count, c.char_count, c.metadata, c.created_at, c.edited_at
      FROM chunks c WHERE c.source_file_id = ${file.id}::uuid
      ON CONFLICT (source_file_id, chunk_index) DO NOTHING`;
    copied += 1;
    bytes += Number(file.sizeBytes);
    await ctx.progress({ done: copied, total: files.length, message: `${copied} of ${files.length} sources copied` });
  }
  let examples = 0;
  if (ctx.payload.withExamples) {
    await ctx.progress({ message: "Copying the examples" });
    examples = await db.$executeRaw`
      INSERT INTO dataset_examples (id, project_id, source_chunk_id, source_file_id, split, data, is_valid, validation_error, grounding, token_count,
        content_hash, is_duplicate, review_status, reviewed_by_id, reviewed_at, natural_key, provenance, edited_at, search_text, tags, rating,
        judge_score, judge_reason, created_at, updated_at)
      SELECT gen_random_uuid(), ${ctx.projectId}::uuid, nc.id, nf.id, e.split, e.data, e.is_valid, e.validation_error, e.grounding, e.token_count,
        e.content_hash, e.is_duplicate, e.review_status, e.reviewed_by_id, e.reviewed_at, e.natural_key, e.provenance, e.edited_at, e.search_text, e.tags, e.rating,
        e.judge_score, e.judge_reason, e.created_at, now()
      FROM dataset_examples e
      LEFT JOIN chunks oc ON oc.id = e.source_chunk_id
      LEFT JOIN files nf ON nf.project_id = ${ctx.projectId}::uuid AND nf.metadata->>'cloned_from' = e.source_file_id::text
      LEFT JOIN chunks nc ON nc.source_file_id = nf.id AND nc.chunk_index = oc.chunk_index
      WHERE e.project_id = ${ctx.payload.fromProjectId}::uuid AND e.split <> 'preview'
      ON CONFLICT (project_id, natural_key) DO NOTHING`;
    // Near-duplicate groups name example ids: found again for the copies.
    await refreshNearDuplicates(ctx.projectId);
  }
  ctx.log("info", `Copied ${copied} sources (${bytes} bytes) and ${examples} examples from "${source.name}".`);
  return { sources: copied, bytes, examples, ...(missing.length ? { missing } : {}) };
}
