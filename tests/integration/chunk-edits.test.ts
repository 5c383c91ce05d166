// Issue 15, item 3: chunks a person shapes by hand (edit, merge, split) on the real database;
// the examples made from a chunk keep the text they came from through every change.
import { beforeEach, describe, expect, it } from "vitest";
import { requireProject } from "@/lib/access/guard";
import { getExampleWithSource } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { editChunkAction, mergeChunkAction, splitChunkAction } from "@/lib/sources/actions";
import { sharedOverlap } from "@/lib/sources/chunk-edits";
import { countTokens } from "@/lib/tokens";
import { createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";

let team: Team;
let fileId: string;
let chunkIds: string[];

const TEXTS = [
  "Refunds are paid within 14 days. Card payments go back to the card.",
  "go back to the card. Bank transfers take up to five business days.",
  "Shipping is free above 50 euros. Returns are free within 30 days.",
];

async function example(chunkId: string, n: number) {
  return db.datasetExample.create({
    data: { projectId: team.project.id, sourceChunkId: chunkId, naturalKey: `ce:${chunkId}:${n}`, data: { question: `Q${n}?`, answer: `A${n}.` } },
  });
}

const revisionOf = async (exampleId: string) => {
  const e = await db.datasetExample.findUniqueOrThrow({ where: { id: exampleId } });
  const id = (e.provenance as { chunkRevisionId?: string } | null)?.chunkRevisionId;
  return id ? db.chunkRevision.findUniqueOrThrow({ where: { id } }) : null;
};

const chunksNow = () => db.chunk.findMany({ where: { sourceFileId: fileId }, orderBy: { chunkIndex: "asc" } });

beforeEach(async () => {
  team = await createTeam();
  fileId = team.source.id;
  chunkIds = [];
  for (const [i, content] of TEXTS.entries()) {
    const chunk = await db.chunk.create({
      data: {
        projectId: team.project.id,
        sourceFileId: fileId,
        chunkIndex: i,
        content,
        tokenCount: countTokens(content),
        metadata: { page_start: i + 1, page_end: i + 1 },
      },
    });
    chunkIds.push(chunk.id);
  }
  await actAs(team.members.editor);
});

describe("editing a chunk", () => {
  it("changes its text and counts; examples made from the old text keep it, once, and show it beside the new one", async () => {
    const before = await example(chunkIds[0], 1);
    const edited = await editChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], content: "Refunds are paid within 10 days." });
    expect(edited.ok && edited.data.tokenCount).toBe(countTokens("Refunds are paid within 10 days."));
    const chunk = await db.chunk.findUniqueOrThrow({ where: { id: chunkIds[0] } });
    expect(chunk.content).toBe("Refunds are paid within 10 days.");
    expect(chunk.metadata).toMatchObject({ page_start: 1, edited: true });
    expect(chunk.editedAt).not.toBeNull();
    expect((await revisionOf(before.id))?.content).toBe(TEXTS[0]);

    // A second edit: the first example still traces to the original text; one made after the first edit to the text it saw.
    const after = await example(chunkIds[0], 2);
    await editChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], content: "Refunds are paid within 7 days." });
    expect((await revisionOf(before.id))?.content).toBe(TEXTS[0]);
    expect((await revisionOf(after.id))?.content).toBe("Refunds are paid within 10 days.");

    const shown = await getExampleWithSource(await requireProject(team.members.viewer, team.project.id, "project.view"), before.id);
    expect(shown.madeFrom?.content).toBe(TEXTS[0]);
    expect(shown.madeFrom?.reason).toBe("edit");
    expect(shown.chunk?.content).toBe("Refunds are paid within 7 days.");
  });

  it("refuses an empty text and one over the token limit, changing nothing", async () => {
    const empty = await editChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], content: "  \n " });
    expect(!empty.ok && empty.error.message).toMatch(/cannot be empty/);
    const huge = await editChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], content: "word ".repeat(9000) });
    expect(!huge.ok && huge.error.message).toMatch(/at most 8,192 tokens/);
    expect((await db.chunk.findUniqueOrThrow({ where: { id: chunkIds[0] } })).content).toBe(TEXTS[0]);
    await actAs(team.members.viewer);
    const viewer = await editChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], content: "No." });
    expect(!viewer.ok && viewer.error.code).toBe("forbidden");
  });
});

describe("merging and splitting", () => {
  it("merges a chunk with the next, their overlap once; the next one's examples move to it and keep their text; indexes close up", async () => {
    const fromSecond = await example(chunkIds[1], 1);
    const merged = await mergeChunkAction({ projectId: team.project.id, chunkId: chunkIds[0] });
    expect(merged.ok).toBe(true);
    const chunks = await chunksNow();
    expect(chunks.map((c) => c.chunkIndex)).toEqual([0, 1]);
    expect(chunks[0].content).toBe("Refunds are paid within 14 days. Card payments go back to the card. Bank transfers take up to five business days.");
    expect(chunks[0].metadata).toMatchObject({ page_start: 1, page_end: 2, edited: true });
    expect(chunks[1].content).toBe(TEXTS[2]);
    const moved = await db.datasetExample.findUniqueOrThrow({ where: { id: fromSecond.id } });
    expect(moved.sourceChunkId).toBe(chunkIds[0]);
    expect((await revisionOf(fromSecond.id))?.content).toBe(TEXTS[1]);

    const last = await mergeChunkAction({ projectId: team.project.id, chunkId: chunks[1].id });
    expect(!last.ok && last.error.message).toMatch(/last chunk/);
  });

  it("splits a chunk at an offset into two, the second right after it; later indexes move up", async () => {
    const fromFirst = await example(chunkIds[0], 1);
    const at = TEXTS[0].indexOf("Card");
    const split = await splitChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], at });
    expect(split.ok && split.data.map((c) => c.chunkIndex)).toEqual([0, 1]);
    const chunks = await chunksNow();
    expect(chunks.map((c) => c.content)).toEqual([TEXTS[0].slice(0, at), TEXTS[0].slice(at), TEXTS[1], TEXTS[2]]);
    expect(chunks.map((c) => c.tokenCount)).toEqual(chunks.map((c) => countTokens(c.content)));
    expect((await revisionOf(fromFirst.id))?.content).toBe(TEXTS[0]);
    expect((await revisionOf(fromFirst.id))?.reason).toBe("split");

    const edge = await splitChunkAction({ projectId: team.project.id, chunkId: chunkIds[0], at: 1_000 });
    expect(!edge.ok && edge.error.message).toMatch(/both parts/);
  });

  it("finds the overlap two neighbouring chunks share", () => {
    expect(sharedOverlap(TEXTS[0], TEXTS[1])).toBe("go back to the card.".length);
    expect(sharedOverlap("abc", "xyz")).toBe(0);
    expect(sharedOverlap("aaaa", "aab")).toBe(2);
  });
});
