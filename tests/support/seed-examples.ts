// Bulk examples for scale tests and benchmarks: realistic mixes of splits, validity, review
// status and duplicates, written by the database itself (INSERT … SELECT generate_series).
import { db } from "@/lib/db/client";

const BATCH = 100_000;

/**
 * Inserts `count` examples. Secondary indexes are dropped for the load and built again after
 * (the same definitions, read from the catalog): a bulk build is several times faster than
 * maintaining them row by row, and the result is the same.
 */
export async function seedExamples(projectId: string, count: number, sourceFileId: string | null = null): Promise<void> {
  const indexes = await db.$queryRawUnsafe<Array<{ indexname: string; indexdef: string }>>(
    `SELECT i.indexname::text AS indexname, i.indexdef FROM pg_indexes i
     WHERE i.tablename = 'dataset_examples' AND i.schemaname = current_schema()
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
       AND i.indexdef NOT LIKE 'CREATE UNIQUE%'`,
  );
  for (const index of indexes) await db.$executeRawUnsafe(`DROP INDEX "${index.indexname}"`);
  for (let offset = 0; offset < count; offset += BATCH) {
    const n = Math.min(BATCH, count - offset);
    await db.$executeRawUnsafe(
      `INSERT INTO dataset_examples (id, project_id, source_file_id, split, data, is_valid, validation_error, token_count, content_hash,
         is_duplicate, review_status, natural_key, search_text, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, $2::uuid,
              (CASE WHEN i % 10 = 0 THEN 'eval' ELSE 'train' END)::dataset_split,
              jsonb_build_object('question', 'How does feature ' || i || ' handle refunds?', 'answer', 'Feature ' || i || ' issues refunds within ' || (i % 30) || ' days.'),
              i % 33 <> 0, CASE WHEN i % 33 = 0 THEN 'Too long: 3,000 tokens, the limit is 2,048.' END,
              40 + (i % 400), md5('example ' || (i - (CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END))),
              i % 50 = 0,
              (CASE WHEN i % 7 = 0 THEN 'approved' WHEN i % 13 = 0 THEN 'rejected' ELSE 'pending' END)::review_status,
              'seed:' || i, lower('how does feature ' || i || ' handle refunds? feature ' || i || ' issues refunds within ' || (i % 30) || ' days.'),
              now() - make_interval(secs => ($4::int - i)), now()
       FROM generate_series($3::int, $3::int + $5::int - 1) AS i`,
      projectId,
      sourceFileId,
      offset + 1,
      count + 1,
      n,
    );
  }
  await db.$executeRawUnsafe(`SET maintenance_work_mem = '256MB'`);
  for (const index of indexes) await db.$executeRawUnsafe(index.indexdef);
  await db.$executeRawUnsafe(`ANALYZE dataset_examples`);
}
