import type { Prisma } from "@prisma/client";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { db, getDb } from "@/lib/db/client";
import { createProjectIn, createTeam } from "@/tests/support/fixtures";
import { type ExportSelection, iterateExamples } from "./select";

async function collect(projectId: string, split: "train" | "eval", selection: ExportSelection, batchSize?: number) {
  const examples = [];
  for await (const example of iterateExamples(projectId, split, selection, batchSize)) examples.push(example);
  return examples;
}

describe("selection", () => {
  let projectId: string;
  const start = Date.parse("2026-01-01T00:00:00Z");

  beforeAll(async () => {
    // A project of its own: createTeam's project comes with fixture examples.
    const team = await createTeam();
    projectId = (await createProjectIn(team.workspace.id, "Selection")).id;
    const other = await createProjectIn(team.workspace.id, "Other");
    const proper = (key: string) => ({ instruction: `Do ${key}.`, input: "", output: `Done ${key}.` });
    const specs: [key: string, fields: Omit<Partial<Prisma.DatasetExampleCreateManyInput>, "projectId">][] = [
      ["pending", {}],
      ["approved", { reviewStatus: "approved" }],
      ["rejected", { reviewStatus: "rejected" }],
      ["duplicate", { isDuplicate: true }],
      ["approved-duplicate", { isDuplicate: true, reviewStatus: "approved" }],
      ["invalid", { isValid: false, validationError: "Too long" }],
      ["approved-invalid", { isValid: false, reviewStatus: "approved" }],
      ["malformed", { isValid: false, data: { instruction: "No output" } }],
      ["wrong-shape", { isValid: false, data: { question: "Q?", answer: "A." } }],
      ["approved-malformed", { isValid: false, reviewStatus: "approved", data: "not an object" }],
      ["preview", { split: "preview", reviewStatus: "approved" }],
      ["eval", { split: "eval" }],
    ];
    // Later rows are created earlier, so the order seen comes from createdAt, not insertion.
    await db.datasetExample.createMany({
      data: specs.map(([key, fields], i) => ({
        projectId,
        naturalKey: key,
        data: proper(key),
        createdAt: new Date(start + (specs.length - i) * 1000),
        ...fields,
      })),
    });
    await db.datasetExample.create({ data: { projectId: other.id, naturalKey: "elsewhere", data: proper("elsewhere"), reviewStatus: "approved" } });
  });

  async function keys(selection: ExportSelection, split: "train" | "eval" = "train") {
    const examples = await collect(projectId, split, selection);
    const found = await db.datasetExample.findMany({ where: { id: { in: examples.map((e) => e.id) } }, select: { id: true, naturalKey: true } });
    const keyOf = new Map(found.map((row) => [row.id, row.naturalKey]));
    return examples.map((example) => keyOf.get(example.id));
  }

  it('"valid" takes valid examples that are neither rejected nor duplicates', async () => {
    expect(await keys("valid")).toEqual(["approved", "pending"]);
  });

  it('"approved" takes approved examples whatever their flags, if their data is an example', async () => {
    expect(await keys("approved")).toEqual(["approved-invalid", "approved-duplicate", "approved"]);
  });

  it('"all" takes everything except data that is not an example of the project\'s task type', async () => {
    expect(await keys("all")).toEqual(["approved-invalid", "invalid", "approved-duplicate", "duplicate", "rejected", "approved", "pending"]);
  });

  it("reads the eval split on its own and never the preview split", async () => {
    expect(await keys("all", "eval")).toEqual(["eval"]);
    expect(await keys("approved", "eval")).toEqual([]);
  });

  it("yields the parsed data with the split", async () => {
    const [example] = await collect(projectId, "eval", "valid");
    expect(example).toEqual({ id: expect.any(String), split: "eval", data: { instruction: "Do eval.", input: "", output: "Done eval." } });
  });
});

describe("keyset iteration", () => {
  let projectId: string;

  beforeAll(async () => {
    const team = await createTeam();
    projectId = (await createProjectIn(team.workspace.id, "Keyset")).id;
    // Five created_at values a microsecond apart (a JS Date cursor would lose them), ~500 rows
    // sharing each, and random ids: only (created_at, id) orders them.
    await db.$executeRawUnsafe(
      `INSERT INTO dataset_examples (id, project_id, natural_key, split, data, created_at)
       SELECT gen_random_uuid(), $1::uuid, 'row-' || i, 'train',
              jsonb_build_object('question', 'Q' || i, 'answer', 'A' || i),
              timestamptz '2026-01-01 00:00:00.000001+00' + (i % 5) * interval '1 microsecond'
       FROM generate_series(1, 2503) AS i`,
      projectId,
    );
    await db.project.update({ where: { id: projectId }, data: { taskType: "qa" } });
  });

  it("returns every row exactly once, in (createdAt, id) order, across batch boundaries", async () => {
    const expected = await db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM dataset_examples WHERE project_id = $1::uuid ORDER BY created_at, id`,
      projectId,
    );
    const spy = vi.spyOn(getDb(), "$queryRaw");
    try {
      const ids = (await collect(projectId, "train", "all", 1000)).map((example) => example.id);
      expect(ids).toHaveLength(2503);
      expect(new Set(ids).size).toBe(2503);
      expect(ids).toEqual(expected.map((row) => row.id));
      // Three pages (1000, 1000, 503), none of them by OFFSET.
      expect(spy).toHaveBeenCalledTimes(3);
      for (const [strings] of spy.mock.calls) expect((strings as TemplateStringsArray).join("?")).not.toMatch(/offset/i);
    } finally {
      spy.mockRestore();
    }
  });

  it("gives the same result whatever the batch size", async () => {
    const byThousand = (await collect(projectId, "train", "all", 1000)).map((example) => example.id);
    const bySeven = (await collect(projectId, "train", "all", 7)).map((example) => example.id);
    const byAll = (await collect(projectId, "train", "all", 2503)).map((example) => example.id);
    expect(bySeven).toEqual(byThousand);
    expect(byAll).toEqual(byThousand);
  });
});
