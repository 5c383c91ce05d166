// Exact duplicates by content hash: within a project, the earliest example with a
// hash is the original and every later one is flagged. One statement, so it stays right
// however examples arrived (import, generation, edits).
import { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";

/**
 * Re-flags duplicates in a project (or only among the given hashes, after an edit); returns how
 * many examples of the project are duplicates now. Preview examples never count.
 */
export async function flagDuplicates(projectId: string, hashes?: string[]): Promise<number> {
  const only = hashes ? Prisma.sql`AND content_hash = ANY(${hashes}::text[])` : Prisma.empty;
  await db.$executeRaw`
    UPDATE dataset_examples e SET is_duplicate = (e.id <> firsts.id)
    FROM (
      SELECT DISTINCT ON (content_hash) id, content_hash FROM dataset_examples
      WHERE project_id = ${projectId}::uuid AND content_hash IS NOT NULL AND split <> 'preview' ${only}
      ORDER BY content_hash, created_at, id
    ) firsts
    WHERE e.project_id = ${projectId}::uuid AND e.content_hash = firsts.content_hash AND e.split <> 'preview'
      AND e.is_duplicate <> (e.id <> firsts.id)`;
  if (hashes) {
    // A hash left with no example at all: nothing to flag. One left alone: its example is original.
    await db.$executeRaw`
      UPDATE dataset_examples SET is_duplicate = false
      WHERE project_id = ${projectId}::uuid AND is_duplicate AND content_hash = ANY(${hashes}::text[])
        AND NOT EXISTS (SELECT 1 FROM dataset_examples o WHERE o.project_id = ${projectId}::uuid AND o.content_hash = dataset_examples.content_hash AND o.id <> dataset_examples.id AND o.split <> 'preview')`;
  }
  return db.datasetExample.count({ where: { projectId, isDuplicate: true } });
}
