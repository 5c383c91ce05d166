// The review table's queries at 1 M examples use indexes (no sequential scan of the examples).
// Timings are not asserted here: bench/review measures them.
import { Prisma } from "@prisma/client";
import { beforeAll, describe, expect, it } from "vitest";
import { type ProjectContext, requireProject } from "@/lib/access/guard";
import { countsQuery, listExamples, listQuery, type ReviewFilter, statsQuery } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { createTeam } from "../support/fixtures";
import { seedExamples } from "../support/seed-examples";

const ROWS = 1_000_000;
let ctx: ProjectContext;

type PlanNode = { "Node Type": string; "Relation Name"?: string; "Index Name"?: string; Plans?: PlanNode[] };

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function plan(sql: Prisma.Sql): Promise<PlanNode[]> {
  const [row] = await db.$queryRaw<Array<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>>(Prisma.sql`EXPLAIN (FORMAT JSON) ${sql}`);
  return nodes(row["QUERY PLAN"][0].Plan);
}

function expectIndexed(all: PlanNode[], label: string) {
  const onExamples = all.filter((n) => n["Relation Name"] === "dataset_examples");
  expect(onExamples.length, `${label}: reads dataset_examples`).toBeGreaterThan(0);
  for (const n of onExamples) expect(n["Node Type"], `${label}: ${JSON.stringify(onExamples.map((x) => x["Node Type"]))}`).not.toBe("Seq Scan");
  // Bitmap index scans name the index but not the table; their heap scan names the table.
  expect(
    all.some((n) => /Index/.test(n["Node Type"]) && /^(idx_examples|dataset_examples_)/.test(n["Index Name"] ?? "")),
    `${label} uses one of our indexes`,
  ).toBe(true);
}

beforeAll(async () => {
  const team = await createTeam();
  ctx = await requireProject(team.members.viewer, team.project.id, "project.view");
  await db.datasetExample.deleteMany({ where: { projectId: team.project.id } });
  await seedExamples(team.project.id, ROWS, team.source.id);
  await db.$executeRawUnsafe("VACUUM ANALYZE dataset_examples");
}, 600_000);

describe(`review at ${ROWS.toLocaleString()} examples`, () => {
  const filters: Array<[string, ReviewFilter]> = [
    ["newest first", {}],
    ["train split", { split: "train" }],
    ["eval split", { split: "eval" }],
    ["invalid only", { valid: false }],
    ["approved", { review: "approved" }],
    ["rejected", { review: "rejected" }],
    ["duplicates", { duplicate: true }],
    ["one source", { sourceFileId: "" }],
    ["text search", { q: "feature 123456 " }],
    ["split and validity", { split: "eval", valid: true }],
    ["one tag", { tag: "needs-source" }],
    ["rated 4 and up", { rating: "4" }],
    ["judge score 4 and up", { score: "4" }],
    ["near-duplicates", { nearDup: true }],
  ];

  for (const [label, filter] of filters) {
    it(`"${label}" walks an index`, async () => {
      const resolved =
        label === "one source" ? { sourceFileId: (await db.file.findFirstOrThrow({ where: { projectId: ctx.projectId, kind: "raw_doc" } })).id } : filter;
      expectIndexed(await plan(listQuery(ctx, resolved, undefined, 51)), label);
    });
  }

  it("the next page (keyset) walks an index too, and pages do not overlap", async () => {
    const first = await listExamples(ctx, { split: "train" });
    expect(first.items).toHaveLength(50);
    const second = await listExamples(ctx, { split: "train" }, first.nextCursor!);
    expect(new Set([...first.items, ...second.items].map((r) => r.id)).size).toBe(100);
    expect(Date.parse(second.items[0].createdAt)).toBeLessThanOrEqual(Date.parse(first.items[49].createdAt));
    expectIndexed(await plan(listQuery(ctx, { split: "train" }, first.nextCursor!, 51)), "keyset page");
  });

  it("the seed's stats query and the review counts read the covering index alone", async () => {
    for (const [label, sql] of [
      ["stats", statsQuery(ctx)],
      ["counts", countsQuery(ctx)],
    ] as const) {
      const all = await plan(sql);
      expectIndexed(all, label);
      expect(
        all.some((n) => n["Node Type"] === "Index Only Scan" && n["Index Name"] === "idx_examples_stats"),
        label,
      ).toBe(true);
    }
  });
});
