// Issue 19, item 1: near-duplicate groups by MinHash/LSH on the real database — signed once,
// regrouped after edits, listed, counted, and "keep one per group" with its confirmed count.
import { beforeEach, describe, expect, it } from "vitest";
import { requireProject } from "@/lib/access/guard";
import { findNearDuplicatesAction, keepOneNearDuplicateAction, updateExampleAction } from "@/lib/datasets/actions";
import { contentHash } from "@/lib/datasets/hash";
import { getExampleWithSource, listExamples, reviewCounts } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";

let team: Team;
let projectId: string;
const ids: Record<string, string> = {};

const A = "How long do refunds for card payments take? They are paid back to the original card within fourteen days of the return arriving.";
const C = "Can I change the delivery address after ordering? Yes, until the parcel leaves the warehouse, from the order page in your account.";
const qa = (text: string) => ({ question: `${text.split("?")[0]}?`, answer: text.split("? ")[1] });
const EXAMPLES: Record<string, { question: string; answer: string } | { dup: string }> = {
  a1: qa(A),
  b1: { question: "Is shipping free?", answer: "Shipping is free for orders above fifty euros within the country, and costs five euros below that." },
  a2: qa(A.replace("fourteen", "14")),
  c1: qa(C),
  a3: qa(`${A} Thank you.`),
  c2: qa(C.replace("warehouse", "depot")),
  adup: { dup: "a1" },
};

beforeEach(async () => {
  team = await createTeam();
  projectId = (await createProjectIn(team.workspace.id, `Near ${Math.random().toString(36).slice(2, 7)}`)).id;
  await db.project.update({ where: { id: projectId }, data: { taskType: "qa" } });
  const start = Date.parse("2026-04-01T00:00:00Z");
  for (const [i, [key, spec]] of Object.entries(EXAMPLES).entries()) {
    const data = "dup" in spec ? EXAMPLES[spec.dup] : spec;
    const row = await db.datasetExample.create({
      data: { projectId, naturalKey: key, data, contentHash: contentHash(data as never), isDuplicate: "dup" in spec, createdAt: new Date(start + i * 1000) },
    });
    ids[key] = row.id;
  }
  await actAs(team.members.editor);
});

const groupOf = async (key: string) => (await db.datasetExample.findUniqueOrThrow({ where: { id: ids[key] } })).nearDupGroup;

describe("near-duplicates", () => {
  it("groups what says nearly the same under the oldest, leaves the rest and exact duplicates alone, and lists and counts them", async () => {
    const found = await findNearDuplicatesAction({ projectId });
    expect(found.ok && found.data).toMatchObject({ signed: 7, examples: 6, groups: 2, inGroups: 5 });
    expect(await groupOf("a1")).toBe(ids.a1);
    expect(await groupOf("a2")).toBe(ids.a1);
    expect(await groupOf("a3")).toBe(ids.a1);
    expect(await groupOf("c2")).toBe(ids.c1);
    expect(await groupOf("b1")).toBeNull();
    expect(await groupOf("adup")).toBeNull();

    const ctx = await requireProject(team.members.viewer, projectId, "project.view");
    expect((await listExamples(ctx, { nearDup: true })).total).toBe(5);
    expect((await reviewCounts(ctx)).nearDuplicates).toBe(3);
    const shown = await getExampleWithSource(ctx, ids.a2);
    expect(shown.nearDuplicates.map((e) => e.id)).toEqual([ids.a1, ids.a3]);

    // Signatures are made once: a second pass signs nothing.
    const again = await findNearDuplicatesAction({ projectId });
    expect(again.ok && again.data.signed).toBe(0);
  });

  it("an edit that makes an example different takes it out of its group at the next pass; a stricter threshold splits groups", async () => {
    await findNearDuplicatesAction({ projectId });
    const edited = await updateExampleAction({
      projectId,
      exampleId: ids.a3,
      data: {
        question: "What are the opening hours of the support desk?",
        answer: "The support desk is open from nine to five on working days, closed on public holidays.",
      },
    });
    expect(edited.ok).toBe(true);
    await findNearDuplicatesAction({ projectId });
    expect(await groupOf("a3")).toBeNull();
    expect(await groupOf("a2")).toBe(ids.a1);

    await db.project.update({ where: { id: projectId }, data: { config: { near_dup_threshold: 1 } } });
    await findNearDuplicatesAction({ projectId });
    expect(await db.datasetExample.count({ where: { projectId, nearDupGroup: { not: null } } })).toBe(0);
  });

  it("keeps one per group when the confirmed count still holds, and refuses otherwise", async () => {
    await findNearDuplicatesAction({ projectId });
    const stale = await keepOneNearDuplicateAction({ projectId, expectedCount: 2 });
    expect(!stale.ok && stale.error.message).toMatch(/3 near-duplicates would go now, not 2/);
    expect(await db.datasetExample.count({ where: { projectId } })).toBe(7);
    const kept = await keepOneNearDuplicateAction({ projectId, expectedCount: 3 });
    expect(kept.ok && kept.data.count).toBe(3);
    const left = await db.datasetExample.findMany({ where: { projectId }, select: { naturalKey: true, nearDupGroup: true } });
    expect(left.map((e) => e.naturalKey).sort()).toEqual(["a1", "adup", "b1", "c1"]);
    expect(left.every((e) => e.nearDupGroup === null)).toBe(true);
    await actAs(team.members.viewer);
    expect((await keepOneNearDuplicateAction({ projectId, expectedCount: 0 })).ok).toBe(false);
  });
});
