// bench/review: the review table and the stats panel at 1 M examples — p95 of each query —
// beside OFFSET pagination of a deep page (the usual alternative) in the same database.
import { Prisma } from "@prisma/client";
import { requireProject } from "@/lib/access/guard";
import { countsQuery, listExamples, listQuery, type ReviewFilter, splitStats, tokenHistogram } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { seedExamples } from "@/tests/support/seed-examples";
import { benchDatabase, percentile, row, timed, verdict } from "./support";

const ROWS = 1_000_000;
const RUNS = 40;

async function p95(fn: () => Promise<unknown>, runs = RUNS): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  return percentile(times, 95);
}

export async function benchReview(): Promise<void> {
  const server = await benchDatabase();
  try {
    const user = await db.user.create({ data: { email: "bench@example.com" } });
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: "bench", memberships: { create: { userId: user.id, role: "owner" } } } });
    const project = await db.project.create({ data: { workspaceId: workspace.id, name: "Bench", config: {} } });
    const source = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "seed.md", storagePath: "unused" } });
    const ctx = await requireProject({ id: user.id, email: user.email, name: null }, project.id, "project.view");
    const seeded = await timed(() => seedExamples(project.id, ROWS, source.id));
    await db.$executeRawUnsafe("VACUUM ANALYZE dataset_examples");
    console.log(`\nbench/review — ${ROWS.toLocaleString()} examples (seeded in ${(seeded.ms / 1000).toFixed(0)} s)`);

    row("review page query", "p95 ms");
    const filters: Array<[string, ReviewFilter]> = [
      ["newest first", {}],
      ["train split", { split: "train" }],
      ["invalid only", { valid: false }],
      ["approved", { review: "approved" }],
      ["duplicates", { duplicate: true }],
      ["one source", { sourceFileId: source.id }],
      ["text search", { q: "feature 4242 " }],
      ["eval + valid", { split: "eval", valid: true }],
    ];
    let worstPage = 0;
    for (const [label, filter] of filters) {
      const ms = await p95(() => listExamples(ctx, filter));
      worstPage = Math.max(worstPage, ms);
      row(label, ms.toFixed(1));
    }
    // Page 1,000 of the train split: keyset walks from a cursor, OFFSET reads and drops 50,000 rows.
    let cursor = (await listExamples(ctx, { split: "train" })).nextCursor!;
    for (let i = 0; i < 20; i++) cursor = (await listExamples(ctx, { split: "train" }, cursor, 2500)).nextCursor!;
    const keyset = await p95(() => db.$queryRaw(listQuery(ctx, { split: "train" }, cursor, 51)));
    const offset = await p95(() => db.$queryRaw(Prisma.sql`${listQuery(ctx, { split: "train" }, undefined, 51)} OFFSET 50000`), 15);
    row("deep page (row 50,000): keyset", keyset.toFixed(1));
    row("deep page (row 50,000): OFFSET baseline", offset.toFixed(1));
    worstPage = Math.max(worstPage, keyset);

    row("stats panel query", "p95 ms");
    const stats = await p95(() => splitStats(ctx), 20);
    const counts = await p95(() => db.$queryRaw(countsQuery(ctx)), 20);
    const histogram = await p95(() => tokenHistogram(ctx), 20);
    row("seed stats per split", stats.toFixed(1));
    row("review counts", counts.toFixed(1));
    row("token histogram", histogram.toFixed(1));

    console.log("\nbench/review — targets");
    verdict("worst review page p95 (ms)", worstPage, "< 30", worstPage < 30);
    const worstStats = Math.max(stats, counts, histogram);
    verdict("worst stats query p95 (ms)", worstStats, "< 300", worstStats < 300);
    verdict("deep page: OFFSET / keyset (× faster)", offset / keyset, "informational", true);
  } finally {
    await db.$disconnect().catch(() => {});
    await server.cleanup();
  }
}
