// Near-duplicates on 100,000 stored examples: the pass the product runs after a generation or an
// import (lib/datasets/near-dup-db: sign the unsigned examples in batches, load every signature,
// group by LSH, write the groups), first with every example unsigned, then again, against its own
// work done in memory on the same texts in the same process (MinHash signatures, LSH grouping): the
// ratio is what the database adds. Also: peak RSS growth, how many planted near-duplicates were
// found (recall), how many examples were grouped with no planted relative, and the exact-duplicate
// pass that runs right before it, for scale.

import { flagDuplicates } from "@/lib/datasets/dedup";
import { exampleText } from "@/lib/datasets/example";
import { contentHash } from "@/lib/datasets/hash";
import { nearDuplicateGroups, signature } from "@/lib/datasets/near-dup";
import { refreshNearDuplicates } from "@/lib/datasets/near-dup-db";
import { db } from "@/lib/db/client";
import { getPool } from "@/lib/db/pool";
import { benchDatabase, row, rssSampler, timed, verdict } from "./support";

const EXAMPLES = 100_000;
/** One example in ten is a planted near-duplicate: an earlier one with one or two words changed. */
const PLANTED_EVERY = 10;
const INSERT_BATCH = 5000;

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Example = { question: string; answer: string };

function corpus(): { examples: Example[]; plantedOf: Map<number, number> } {
  const rand = prng(20261204);
  const vocabulary = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}`);
  const words = (n: number) => Array.from({ length: n }, () => vocabulary[Math.floor(rand() * rand() * vocabulary.length)]).join(" ");
  const examples: Example[] = [];
  const plantedOf = new Map<number, number>();
  for (let i = 0; i < EXAMPLES; i++) {
    if (i > 100 && i % PLANTED_EVERY === 0) {
      const from = Math.floor(rand() * i);
      const original = examples[from];
      const answer = original.answer.split(" ");
      for (let k = 0; k < 1 + Math.floor(rand() * 2); k++) answer[Math.floor(rand() * answer.length)] = vocabulary[Math.floor(rand() * vocabulary.length)];
      examples.push({ question: original.question, answer: answer.join(" ") });
      plantedOf.set(i, from);
    } else {
      examples.push({ question: `${words(8 + Math.floor(rand() * 6))}?`, answer: `${words(25 + Math.floor(rand() * 30))}.` });
    }
  }
  return { examples, plantedOf };
}

export async function benchNearDup(): Promise<void> {
  console.log(`\n== near-dup: ${EXAMPLES.toLocaleString("en-US")} stored examples, the near-duplicate pass vs the exact-duplicate pass ==`);
  const database = await benchDatabase();
  const sampler = rssSampler();
  try {
    const { examples, plantedOf } = corpus();
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: `bench-${Date.now()}` } as never });
    const project = await db.project.create({ data: { name: "Near-dup bench", workspaceId: workspace.id, taskType: "qa" } as never });
    const pool = getPool();
    for (let at = 0; at < examples.length; at += INSERT_BATCH) {
      const batch = examples.slice(at, at + INSERT_BATCH);
      await pool.query(
        `INSERT INTO dataset_examples (id, project_id, natural_key, data, content_hash, split, created_at, updated_at)
         SELECT gen_random_uuid(), $1::uuid, 'b:' || (n - 1 + $2), d::jsonb, h, 'train', now() + make_interval(secs => n + $2), now()
         FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(d, h, n)`,
        [project.id, at, batch.map((e) => JSON.stringify(e)), batch.map((e) => contentHash(e))],
      );
    }
    await pool.query("VACUUM ANALYZE dataset_examples");

    // Warm-up of both passes on a small project (JIT, prepared plans).
    const warm = await db.project.create({ data: { name: "Warm-up", workspaceId: workspace.id, taskType: "qa" } as never });
    await pool.query(
      `INSERT INTO dataset_examples (id, project_id, natural_key, data, content_hash, split, updated_at)
       SELECT gen_random_uuid(), $1::uuid, 'w:' || n, jsonb_build_object('question', 'q ' || n, 'answer', 'a ' || n), md5(n::text), 'train', now() FROM generate_series(1, 2000) n`,
      [warm.id],
    );
    await flagDuplicates(warm.id);
    await refreshNearDuplicates(warm.id);

    const exact = await timed(() => flagDuplicates(project.id));
    const rssBefore = sampler.reset();
    const near = await timed(() => refreshNearDuplicates(project.id));
    const rssGrowth = sampler.peak() - rssBefore;
    const second = await timed(() => refreshNearDuplicates(project.id));

    // The pure parts alone, on the same texts.
    const signing = await timed(async () => examples.map((e, i) => ({ id: String(i), signature: signature(exampleText(e)) })));
    const grouping = await timed(async () => nearDuplicateGroups(signing.value, 0.7));

    // Recall: planted near-duplicates grouped with their original; false groups: members whose group holds no planted relative.
    const ids = (
      await pool.query<{ natural_key: string; grp: string | null; id: string }>(
        "SELECT natural_key, near_dup_group::text AS grp, id::text FROM dataset_examples WHERE project_id = $1::uuid",
        [project.id],
      )
    ).rows;
    const byIndex = new Map(ids.map((r) => [Number(r.natural_key.slice(2)), r]));
    let found = 0;
    for (const [i, from] of plantedOf) {
      const a = byIndex.get(i);
      const b = byIndex.get(from);
      if (a?.grp && a.grp === b?.grp) found++;
    }
    const related = new Set<number>();
    for (const [i, from] of plantedOf) {
      related.add(i);
      related.add(from);
    }
    const falseMembers = ids.filter((r) => r.grp && !related.has(Number(r.natural_key.slice(2)))).length;

    row("", "seconds", "examples/s", "");
    row("exact-duplicate pass (baseline)", (exact.ms / 1000).toFixed(2), Math.round(EXAMPLES / (exact.ms / 1000)), "");
    row("near-duplicate pass, first (signs all)", (near.ms / 1000).toFixed(2), Math.round(EXAMPLES / (near.ms / 1000)), `${near.value.groups} groups`);
    row("near-duplicate pass, again (all signed)", (second.ms / 1000).toFixed(2), Math.round(EXAMPLES / (second.ms / 1000)), "");
    row("  signatures alone (in memory)", (signing.ms / 1000).toFixed(2), Math.round(EXAMPLES / (signing.ms / 1000)), "");
    row("  LSH grouping alone (in memory)", (grouping.ms / 1000).toFixed(2), Math.round(EXAMPLES / (grouping.ms / 1000)), "");
    console.log(
      `  planted near-duplicates found: ${found} of ${plantedOf.size} (${((found / plantedOf.size) * 100).toFixed(1)} %); ` +
        `examples grouped with no planted relative: ${falseMembers}; peak RSS growth of the first pass: ${rssGrowth.toFixed(0)} MB`,
    );
    // The baseline is the work itself done in memory: what the passes add is reading and writing the database.
    const firstRatio = near.ms / (signing.ms + grouping.ms);
    verdict("first pass / its work in memory (sign + group)", firstRatio, "≤ 3", firstRatio <= 3);
    const laterRatio = second.ms / grouping.ms;
    verdict("later pass / grouping in memory", laterRatio, "≤ 3", laterRatio <= 3);
    verdict("recall of planted near-duplicates", found / plantedOf.size, "≥ 0.95", found / plantedOf.size >= 0.95);
    console.log(
      `  (for scale: the exact-duplicate pass takes ${(exact.ms / 1000).toFixed(2)} s; the first near-duplicate pass ${(near.ms / exact.ms).toFixed(0)}× that)`,
    );
  } finally {
    await sampler.stop();
    await database.cleanup();
  }
}
