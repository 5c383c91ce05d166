// Near-duplicate groups on the database: examples get their MinHash signature once (stored in
// example_minhashes; an edit deletes it), and the project's groups are worked out again from the stored signatures in one
// pass after a generation run, an import, or when asked. Each group's first example (oldest) is the
// one "keep one per group" keeps.
import { db } from "@/lib/db/client";
import { getPool, withPgTransaction } from "@/lib/db/pool";
import { readProjectConfig } from "@/lib/projects/config";
import type { ExampleData } from "./example";
import { exampleText } from "./example";
import { nearDuplicateGroups, signature, signatureFromBuffer, signatureToBuffer } from "./near-dup";

const SIGN_BATCH = 5000;

export type NearDupRefresh = { signed: number; examples: number; groups: number; inGroups: number };

/** Signs the project's unsigned examples, then regroups its valid train and eval examples (exact duplicates aside). */
export async function refreshNearDuplicates(projectId: string): Promise<NearDupRefresh> {
  const pool = getPool();
  let signed = 0;
  // Keyset by id: each batch starts after the last, so signed examples are never read again.
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const { rows } = await pool.query<{ id: string; data: ExampleData }>(
      `SELECT e.id::text, e.data FROM dataset_examples e
       WHERE e.project_id = $1::uuid AND e.split <> 'preview' AND e.id > $2::uuid
         AND NOT EXISTS (SELECT 1 FROM example_minhashes m WHERE m.example_id = e.id)
       ORDER BY e.id LIMIT ${SIGN_BATCH}`,
      [projectId, after],
    );
    if (rows.length === 0) break;
    await pool.query(
      `INSERT INTO example_minhashes (example_id, project_id, signature)
       SELECT v.id, $1::uuid, v.sig FROM unnest($2::uuid[], $3::bytea[]) AS v(id, sig)
       ON CONFLICT (example_id) DO NOTHING`,
      [projectId, rows.map((r) => r.id), rows.map((r) => signatureToBuffer(signature(exampleText(r.data))))],
    );
    signed += rows.length;
    after = rows[rows.length - 1].id;
    if (rows.length < SIGN_BATCH) break;
  }

  const project = await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { config: true } });
  const threshold = readProjectConfig(project.config).near_dup_threshold;
  const { rows } = await pool.query<{ id: string; signature: Buffer }>(
    `SELECT e.id::text, m.signature FROM dataset_examples e JOIN example_minhashes m ON m.example_id = e.id
     WHERE e.project_id = $1::uuid AND e.split IN ('train', 'eval') AND e.is_valid AND NOT e.is_duplicate
     ORDER BY e.created_at, e.id`,
    [projectId],
  );
  const groups = nearDuplicateGroups(
    rows.map((r) => ({ id: r.id, signature: signatureFromBuffer(r.signature) })),
    threshold,
  );
  const ids = [...groups.keys()];
  await withPgTransaction(async (exec) => {
    await exec(
      `UPDATE dataset_examples SET near_dup_group = NULL
       WHERE project_id = $1::uuid AND near_dup_group IS NOT NULL AND NOT (id = ANY($2::uuid[]))`,
      [projectId, ids],
    );
    await exec(
      `UPDATE dataset_examples e SET near_dup_group = v.grp FROM unnest($1::uuid[], $2::uuid[]) AS v(id, grp)
       WHERE e.id = v.id AND e.near_dup_group IS DISTINCT FROM v.grp`,
      [ids, ids.map((id) => groups.get(id))],
    );
  });
  return { signed, examples: rows.length, groups: new Set(groups.values()).size, inGroups: ids.length };
}
