// Issue 15, item 4: review tools on the real database and a real HTTP LLM server — tags (one by
// one and in bulk, filter, project list), ratings, match counts for the search, and "rewrite
// with the LLM", which proposes and never saves by itself.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { rateExamplesAction, tagExamplesAction, updateExampleAction } from "@/lib/datasets/actions";
import { searchTextOf } from "@/lib/datasets/example";
import { contentHash } from "@/lib/datasets/hash";
import { listExamples, MAX_TAGS, projectTags } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { rewriteExampleAction, saveGenerationSettingsAction } from "@/lib/generation/actions";
import { createProvider } from "@/lib/llm";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";

let team: Team;
let projectId: string;
let ids: string[];
let llm: FakeLlm;

const view = async () => requireProject(team.members.viewer, projectId, "project.view");

beforeAll(async () => {
  llm = await startFakeLlm({});
});

afterAll(async () => {
  await llm.stop();
});

beforeEach(async () => {
  team = await createTeam();
  const project = await createProjectIn(team.workspace.id, `Tools ${Math.random().toString(36).slice(2, 7)}`);
  projectId = project.id;
  await db.project.update({ where: { id: projectId }, data: { taskType: "qa" } });
  const chunkFile = await db.file.create({ data: { projectId, kind: "raw_doc", status: "ready", filename: "policy.md", storagePath: "unused" } });
  const chunk = await db.chunk.create({
    data: {
      projectId,
      sourceFileId: chunkFile.id,
      chunkIndex: 0,
      content: "Refunds are paid within 14 days to the original card.",
      tokenCount: 12,
      charCount: 54,
    },
  });
  const start = Date.parse("2026-03-01T00:00:00Z");
  const rows = Array.from({ length: 6 }, (_, i) => {
    const data = { question: `How long do refunds take, case ${i}?`, answer: i % 2 ? "Refunds take 14 days." : "They are paid to the card within two weeks." };
    return {
      projectId,
      sourceChunkId: chunk.id,
      sourceFileId: chunkFile.id,
      naturalKey: `t:${i}`,
      data,
      contentHash: contentHash(data),
      searchText: searchTextOf(data),
      createdAt: new Date(start + i * 1000),
    };
  });
  await db.datasetExample.createMany({ data: rows });
  ids = (await db.datasetExample.findMany({ where: { projectId }, orderBy: { createdAt: "asc" }, select: { id: true } })).map((e) => e.id);
  await actAs(team.members.editor);
});

describe("tags", () => {
  it("adds and removes tags one by one and in bulk, lists them with counts, and filters by them", async () => {
    const one = await tagExamplesAction({ projectId, target: { ids: [ids[0]] }, add: ["  needs   source ", "tone"] });
    expect(one.ok && one.data.count).toBe(1);
    expect((await db.datasetExample.findUniqueOrThrow({ where: { id: ids[0] } })).tags).toEqual(["needs source", "tone"]);

    // Every example whose text contains "14 days", by filter, with the count it touched.
    const bulk = await tagExamplesAction({ projectId, target: { filter: { q: "14 days" } }, add: ["short"] });
    expect(bulk.ok && bulk.data.count).toBe(3);
    // Adding a tag an example already has changes nothing.
    const again = await tagExamplesAction({ projectId, target: { filter: { q: "14 days" } }, add: ["short"] });
    expect(again.ok && again.data.count).toBe(0);

    expect(await projectTags(await view())).toEqual([
      { tag: "short", count: 3 },
      { tag: "needs source", count: 1 },
      { tag: "tone", count: 1 },
    ]);
    const tagged = await listExamples(await view(), { tag: "short" });
    expect(tagged.items.map((e) => e.id).sort()).toEqual([ids[1], ids[3], ids[5]].sort());
    expect(tagged.total).toBe(3);
    expect(tagged.items[0].tags).toEqual(["short"]);

    const removed = await tagExamplesAction({ projectId, target: { ids: [ids[0], ids[1]] }, remove: ["tone", "short"] });
    expect(removed.ok && removed.data.count).toBe(2);
    expect((await db.datasetExample.findUniqueOrThrow({ where: { id: ids[0] } })).tags).toEqual(["needs source"]);
    expect((await listExamples(await view(), { tag: "short" })).total).toBe(2);
  });

  it("refuses empty and over-long tags, keeps at most MAX_TAGS, and lets a viewer do nothing", async () => {
    const empty = await tagExamplesAction({ projectId, target: { ids: [ids[0]] }, add: ["   "] });
    expect(empty.ok).toBe(false);
    const long = await tagExamplesAction({ projectId, target: { ids: [ids[0]] }, add: ["x".repeat(41)] });
    expect(long.ok).toBe(false);
    const many = Array.from({ length: MAX_TAGS }, (_, i) => `t${String(i).padStart(2, "0")}`);
    await tagExamplesAction({ projectId, target: { ids: [ids[0]] }, add: many });
    await tagExamplesAction({ projectId, target: { ids: [ids[0]] }, add: ["zz-one-more"] });
    expect((await db.datasetExample.findUniqueOrThrow({ where: { id: ids[0] } })).tags).toHaveLength(MAX_TAGS);

    await actAs(team.members.viewer);
    const denied = await tagExamplesAction({ projectId, target: { ids: [ids[1]] }, add: ["nope"] });
    expect(denied.ok).toBe(false);
    expect((await db.datasetExample.findUniqueOrThrow({ where: { id: ids[1] } })).tags).toEqual([]);
  });

  it("another workspace's example ids are not touched", async () => {
    const other = await createTeam();
    const theirs = await db.datasetExample.findFirstOrThrow({ where: { projectId: other.project.id } });
    const result = await tagExamplesAction({ projectId, target: { ids: [theirs.id] }, add: ["mine"] });
    expect(result.ok && result.data.count).toBe(0);
    expect((await db.datasetExample.findUniqueOrThrow({ where: { id: theirs.id } })).tags).toEqual([]);
  });
});

describe("ratings and match counts", () => {
  it("rates 1–5, clears a rating, and filters by rated-at-least and unrated", async () => {
    await rateExamplesAction({ projectId, target: { ids: [ids[0]] }, rating: 5 });
    await rateExamplesAction({ projectId, target: { ids: [ids[1]] }, rating: 3 });
    await rateExamplesAction({ projectId, target: { ids: [ids[2]] }, rating: 4 });
    await rateExamplesAction({ projectId, target: { ids: [ids[2]] }, rating: null });
    expect((await rateExamplesAction({ projectId, target: { ids: [ids[3]] }, rating: 6 })).ok).toBe(false);
    const atLeast4 = await listExamples(await view(), { rating: "4" });
    expect(atLeast4.items.map((e) => [e.id, e.rating])).toEqual([[ids[0], 5]]);
    expect((await listExamples(await view(), { rating: "3" })).total).toBe(2);
    expect((await listExamples(await view(), { rating: "unrated" })).total).toBe(4);
  });

  it("counts what a search matches on the first page only", async () => {
    const first = await listExamples(await view(), { q: "TWO WEEKS" }, undefined, 2);
    expect(first.total).toBe(3);
    expect(first.totalCapped).toBe(false);
    expect(first.items).toHaveLength(2);
    const next = await listExamples(await view(), { q: "two weeks" }, first.nextCursor!, 2);
    expect(next.total).toBeUndefined();
    expect(next.items).toHaveLength(1);
  });
});

describe("rewrite with the LLM", () => {
  async function useFakeProvider() {
    const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
    const provider = await createProvider(ctx, {
      name: "Fake",
      kind: "openai",
      baseUrl: fakeBaseUrl(llm, "openai"),
      defaultModel: "fake-chat",
      options: { concurrency: 2, requestsPerMinute: 0, timeoutMs: 5_000, prices: { inputPer1M: 1, outputPer1M: 2 } },
    });
    await actAs(team.members.editor);
    const saved = await saveGenerationSettingsAction({ projectId, settings: { provider_id: provider.id, model: "fake-chat" } });
    expect(saved.ok).toBe(true);
  }

  it("proposes the rewritten example from the instruction, the example and its chunk, and saves nothing until it is accepted", async () => {
    await useFakeProvider();
    let asked = "";
    llm.setMode("good");
    llm.setResponder((messages) => {
      asked = messages.at(-1)?.content ?? "";
      return `Here it is:\n\`\`\`json\n${JSON.stringify({ question: "How long do refunds take?", answer: "Refunds reach the original card within 14 days." })}\n\`\`\``;
    });
    try {
      const before = await db.datasetExample.findUniqueOrThrow({ where: { id: ids[0] } });
      const result = await rewriteExampleAction({ projectId, exampleId: ids[0], instruction: "Make the question general" });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.data.data).toEqual({ question: "How long do refunds take?", answer: "Refunds reach the original card within 14 days." });
      expect(result.data.model).toBe("fake-chat");
      expect(result.data.costUsd).toBeGreaterThan(0);
      expect(asked).toContain("Refunds are paid within 14 days to the original card.");
      expect(asked).toContain("Make the question general");
      expect(asked).toContain("How long do refunds take, case 0?");
      // Not saved by itself.
      expect((await db.datasetExample.findUniqueOrThrow({ where: { id: ids[0] } })).data).toEqual(before.data);
      // Accepting is an ordinary edit: saved, re-hashed, marked edited.
      const accepted = await updateExampleAction({ projectId, exampleId: ids[0], data: result.data.data as unknown as Record<string, string> });
      expect(accepted.ok).toBe(true);
      const after = await db.datasetExample.findUniqueOrThrow({ where: { id: ids[0] } });
      expect(after.data).toEqual(result.data.data);
      expect(after.contentHash).not.toBe(before.contentHash);
      expect(after.editedAt).not.toBeNull();
    } finally {
      llm.setResponder(null);
    }
  });

  it("says what went wrong when the answer is unusable or no provider is set, and changes nothing", async () => {
    const none = await rewriteExampleAction({ projectId, exampleId: ids[0], instruction: "Shorter please" });
    expect(none.ok).toBe(false);
    // The team's fixture provider has no model: the reviewer is told what to do.
    expect(!none.ok && none.error.message).toMatch(/Choose a model for .* in the Dataset step/);

    await useFakeProvider();
    llm.setResponder(() => "I would rather not.");
    try {
      const prose = await rewriteExampleAction({ projectId, exampleId: ids[0], instruction: "Shorter please" });
      expect(!prose.ok && prose.error.message).toMatch(/could not be used \(it was not JSON\)/);
      llm.setResponder(() => JSON.stringify({ title: "wrong fields" }));
      const wrong = await rewriteExampleAction({ projectId, exampleId: ids[0], instruction: "Shorter please" });
      expect(!wrong.ok && wrong.error.message).toMatch(/did not have the example's fields/);
    } finally {
      llm.setResponder(null);
    }
    // Another workspace's example: not found.
    const other = await createTeam();
    const theirs = await db.datasetExample.findFirstOrThrow({ where: { projectId: other.project.id } });
    const foreign = await rewriteExampleAction({ projectId, exampleId: theirs.id, instruction: "Shorter please" });
    expect(!foreign.ok && foreign.error.code).toBe("not_found");
  });
});
