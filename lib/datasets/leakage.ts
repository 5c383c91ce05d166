// Train/eval leakage: an eval example whose text largely appears in the train set measures
// memory, not learning. Text is cut into overlapping runs of 8 words (normalised: lower case,
// letters and digits only), hashed; an eval example leaks when at least half of its runs (prompt
// and answer together) occur anywhere in the train set's prompts and answers. The figure is the
// share of eval examples that leak.
import { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { type ExampleData, exampleText } from "./example";

export const SHINGLE_WORDS = 8;
/** An eval example leaks when this share of its runs is in the train set. */
export const LEAK_OVERLAP = 0.5;

export type Leakage = { eval: number; leaked: number; share: number };

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The hashed runs of `SHINGLE_WORDS` words of a text; a shorter text (3+ words) is one run. */
export function shingles(text: string): Set<number> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const found = new Set<number>();
  if (words.length < SHINGLE_WORDS) {
    if (words.length >= 3) found.add(fnv1a(words.join(" ")));
    return found;
  }
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) found.add(fnv1a(words.slice(i, i + SHINGLE_WORDS).join(" ")));
  return found;
}

/** Leakage of `evalSet` into `train` (pure: the examples as data). */
export function measureLeakage(train: Iterable<ExampleData>, evalSet: Iterable<ExampleData>): Leakage {
  const seen = new Set<number>();
  for (const data of train) for (const hash of shingles(exampleText(data))) seen.add(hash);
  let count = 0;
  let leaked = 0;
  for (const data of evalSet) {
    count++;
    const own = shingles(exampleText(data));
    if (!own.size) continue;
    let shared = 0;
    for (const hash of own) if (seen.has(hash)) shared++;
    if (shared / own.size >= LEAK_OVERLAP) leaked++;
  }
  return { eval: count, leaked, share: count ? leaked / count : 0 };
}

/** The project's usable examples of one split, read page by page. */
export async function* usableExamples(projectId: string, split: "train" | "eval"): AsyncGenerator<ExampleData> {
  let after: string | undefined;
  for (;;) {
    const rows = await db.$queryRaw<{ id: string; data: ExampleData }[]>`
      SELECT id::text AS id, data FROM dataset_examples
      WHERE project_id = ${projectId}::uuid AND split = ${split}::dataset_split
        AND is_valid AND review_status <> 'rejected' AND NOT is_duplicate
        ${after ? Prisma.sql`AND id > ${after}::uuid` : Prisma.empty}
      ORDER BY id LIMIT 5000`;
    for (const row of rows) yield row.data;
    if (rows.length < 5000) return;
    after = rows[rows.length - 1].id;
  }
}

async function collect(examples: AsyncIterable<ExampleData>): Promise<ExampleData[]> {
  const all: ExampleData[] = [];
  for await (const data of examples) all.push(data);
  return all;
}

/**
 * What the figure depends on, without reading the examples' text: which rows are usable on which
 * side, and when their content last changed. Any edit, move, rejection or new row changes it.
 */
async function datasetFingerprint(projectId: string): Promise<string> {
  const [row] = await db.$queryRaw<{ n: bigint; sum: bigint | null }[]>`
    SELECT count(*) AS n, sum(hashtext(id::text || split::text || coalesce(edited_at::text, ''))::bigint) AS sum
    FROM dataset_examples
    WHERE project_id = ${projectId}::uuid AND split IN ('train', 'eval') AND is_valid AND review_status <> 'rejected' AND NOT is_duplicate`;
  return `${row?.n ?? 0}:${row?.sum ?? 0}`;
}

// The preflight runs on every change to the Train form; the figure only when the dataset changed.
const cache = new Map<string, { fingerprint: string; leakage: Leakage }>();
const CACHE_SIZE = 50;

/** Leakage of the project's usable eval examples into its usable train examples, as a run would freeze them. */
export async function projectLeakage(projectId: string): Promise<Leakage> {
  const fingerprint = await datasetFingerprint(projectId);
  const cached = cache.get(projectId);
  if (cached?.fingerprint === fingerprint) return cached.leakage;
  const [train, evalSet] = await Promise.all([collect(usableExamples(projectId, "train")), collect(usableExamples(projectId, "eval"))]);
  const leakage = measureLeakage(train, evalSet);
  cache.delete(projectId);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(projectId, { fingerprint, leakage });
  return leakage;
}
