// Issue 15, items 1–2: re-splitting gives exactly the share asked for (per source file when
// stratified, duplicates on one side, reviewed examples left alone unless asked), examples move
// between train and eval, and a bulk action says how many it touches; a delete by filter is
// refused when more match than the person confirmed.
import { beforeEach, describe, expect, it } from "vitest";
import { countExamplesAction, deleteExamplesAction, moveExamplesAction, resplitAction } from "@/lib/datasets/actions";
import { contentHash } from "@/lib/datasets/hash";
import { db } from "@/lib/db/client";
import { readProjectConfig } from "@/lib/projects/config";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";

let team: Team;
let projectId: string;
let sources: string[];

async function seed(perSource: number[]) {
  const project = await createProjectIn(team.workspace.id, `Split ${Math.random().toString(36).slice(2, 7)}`);
  projectId = project.id;
  sources = [];
  for (const [s, n] of perSource.entries()) {
    const file = await db.file.create({ data: { projectId, kind: "raw_doc", status: "ready", filename: `doc-${s}.md`, storagePath: "unused" } });
    sources.push(file.id);
    await db.datasetExample.createMany({
      data: Array.from({ length: n }, (_, i) => {
        const data = { question: `Doc ${s} question ${i}?`, answer: `Answer ${i} from doc ${s}.` };
        // Everything starts in train, as a skewed draw might leave it.
        return { projectId, sourceFileId: file.id, naturalKey: `s:${s}:${i}`, split: "train" as const, data, contentHash: contentHash(data), tokenCount: 10 };
      }),
    });
  }
}

const counts = async (where: object = {}) => {
  const rows = await db.datasetExample.groupBy({ by: ["split"], where: { projectId, ...where }, _count: true });
  return Object.fromEntries(rows.map((r) => [r.split, r._count]));
};

beforeEach(async () => {
  team = await createTeam();
  await actAs(team.members.editor);
});

describe("re-splitting", () => {
  it("gives exactly the share, the same share from each source, and remembers it for new examples", async () => {
    await seed([50, 30, 20]);
    const kept = { generation: { provider_id: null, model: "kept-model", temperature: 0.3 }, ocr_languages: "eng+deu" };
    await db.project.update({ where: { id: projectId }, data: { config: kept } });
    const result = await resplitAction({ projectId, share: 0.9, seed: "s1", scope: "all", stratify: true });
    // The rest of the project's settings survive a re-split.
    expect((await db.project.findUniqueOrThrow({ where: { id: projectId } })).config).toMatchObject(kept);
    expect(result.ok && result.data).toEqual({ train: 90, eval: 10, moved: 10 });
    expect(await counts()).toEqual({ train: 90, eval: 10 });
    for (const [i, n] of [50, 30, 20].entries()) expect((await counts({ sourceFileId: sources[i] })).eval).toBe(Math.round(n * 0.1));
    expect(readProjectConfig((await db.project.findUniqueOrThrow({ where: { id: projectId } })).config).train_eval_split).toBe(0.9);
    // Same seed, same split; another seed, another one.
    const before = (await db.datasetExample.findMany({ where: { projectId, split: "eval" }, select: { id: true } })).map((e) => e.id).sort();
    await resplitAction({ projectId, share: 0.9, seed: "s1", scope: "all", stratify: true });
    expect((await db.datasetExample.findMany({ where: { projectId, split: "eval" }, select: { id: true } })).map((e) => e.id).sort()).toEqual(before);
    await resplitAction({ projectId, share: 0.9, seed: "s2", scope: "all", stratify: true });
    expect((await db.datasetExample.findMany({ where: { projectId, split: "eval" }, select: { id: true } })).map((e) => e.id).sort()).not.toEqual(before);
  });

  it("keeps reviewed examples where they are unless told all, and duplicates on one side", async () => {
    await seed([40]);
    const approved = await db.datasetExample.findMany({ where: { projectId }, take: 10, select: { id: true } });
    await db.datasetExample.updateMany({ where: { id: { in: approved.map((a) => a.id) } }, data: { reviewStatus: "approved" } });
    const twin = { question: "Same question?", answer: "Same answer." };
    await db.datasetExample.createMany({
      data: [0, 1, 2].map((i) => ({
        projectId,
        sourceFileId: sources[0],
        naturalKey: `twin:${i}`,
        split: "train" as const,
        data: twin,
        contentHash: contentHash(twin),
        tokenCount: 5,
      })),
    });
    await resplitAction({ projectId, share: 0.5, seed: "x", scope: "pending", stratify: false });
    expect((await counts({ reviewStatus: "approved" })).train).toBe(10);
    const twins = await db.datasetExample.findMany({ where: { projectId, naturalKey: { startsWith: "twin:" } }, select: { split: true } });
    expect(new Set(twins.map((t) => t.split)).size).toBe(1);
  });

  it("refuses a share that leaves no evaluation", async () => {
    await seed([5]);
    const result = await resplitAction({ projectId, share: 1, scope: "all", stratify: true });
    expect(!result.ok && result.error.fieldErrors?.share).toMatch(/1 % for evaluation/);
  });
});

describe("bulk actions", () => {
  it("moves selected examples between train and eval", async () => {
    await seed([6]);
    const some = await db.datasetExample.findMany({ where: { projectId }, take: 2, select: { id: true } });
    const moved = await moveExamplesAction({ projectId, target: { ids: some.map((s) => s.id) }, split: "eval" });
    expect(moved.ok && moved.data.count).toBe(2);
    expect(await counts()).toEqual({ train: 4, eval: 2 });
  });

  it("counts what a filter matches, and deletes by filter only the number confirmed", async () => {
    await seed([8]);
    const counted = await countExamplesAction({ projectId, target: { filter: { split: "train" } } });
    expect(counted.ok && counted.data.count).toBe(8);
    // More arrived since the confirmation: nothing is deleted.
    const stale = await deleteExamplesAction({ projectId, target: { filter: { split: "train" } }, expectedCount: 7 });
    expect(!stale.ok && stale.error.message).toMatch(/^8 examples match now, not 7; nothing was deleted/);
    expect((await counts()).train).toBe(8);
    const done = await deleteExamplesAction({ projectId, target: { filter: { split: "train" } }, expectedCount: 8 });
    expect(done.ok && done.data.count).toBe(8);
  });
});
