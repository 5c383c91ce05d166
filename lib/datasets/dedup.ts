// Exact duplicates by content hash (seed 000): within a project, the earliest example with a
// hash is the original and every later one is flagged. One statement, so it stays right
// however examples arrived (import, generation, edits).
import { db } from "@/lib/db/client";

/** Re-flags duplicates in a project; returns how many examples are duplicates now. */
export async function flagDuplicates(projectId: string): Promise<number> {
  await db.$executeRaw`
    UPDATE dataset_examples e SET is_duplicate = (e.id <> firsts.id)
    FROM (
      SELECT DISTINCT ON (content_hash) id, content_hash FROM dataset_examples
      WHERE project_id = ${projectId}::uuid AND content_hash IS NOT NULL
      ORDER BY content_hash, created_at, id
    ) firsts
    WHERE e.project_id = ${projectId}::uuid AND e.content_hash = firsts.content_hash AND e.is_duplicate <> (e.id <> firsts.id)`;
  return db.datasetExample.count({ where: { projectId, isDuplicate: true } });
}
