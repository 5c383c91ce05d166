// Merging datasets through the worker: another project's examples (review state, tags and
// reasoning along, nothing the project already has), then a frozen version's read back from its
// files (system prompt of the version left out), each ending in a new version; never across
// workspaces or task types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject } from "@/lib/access/guard";
import { contentHash } from "@/lib/datasets/hash";
import { mergeSources, startDatasetMerge } from "@/lib/datasets/merge";
import { freezeDatasetVersion } from "@/lib/datasets/versions";
import { db } from "@/lib/db/client";
import { stopSender } from "@/lib/jobs/boss";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitForJob } from "../support/worker-process";

let team: Team;
let worker: WorkerProcess;
let target: string;
let source: string;

const ex = (i: number) => ({ instruction: `How long does step ${i} take?`, input: "", output: `Step ${i} takes ${i} days.` });

async function seed(
  projectId: string,
  items: Array<{ i: number; split?: "train" | "eval"; review?: "approved" | "pending"; tags?: string[]; reasoning?: string }>,
) {
  await db.datasetExample.createMany({
    data: items.map(({ i, split, review, tags, reasoning }) => ({
      projectId,
      naturalKey: `seed:${projectId}:${i}`,
      split: split ?? "train",
      reviewStatus: review ?? "pending",
      tags: tags ?? [],
      data: ex(i),
      contentHash: contentHash(ex(i)),
      isValid: true,
      tokenCount: 12,
      provenance: reasoning ? { reasoning } : {},
    })),
  });
}

beforeAll(async () => {
  team = await createTeam("Merge");
  target = (await createProjectIn(team.workspace.id, "Handbook")).id;
  source = (await createProjectIn(team.workspace.id, "Handbook, team B")).id;
  await seed(target, [{ i: 1 }, { i: 2 }]);
  // Step 2 is in both; step 3 twice in the source.
  await seed(source, [{ i: 2 }, { i: 3, review: "approved", tags: ["billing"], reasoning: "Three steps, three days." }, { i: 4, split: "eval" }]);
  await db.datasetExample.create({ data: { projectId: source, naturalKey: "seed:dup3", data: ex(3), contentHash: contentHash(ex(3)), split: "train" } });
  worker = spawnTestWorker();
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
});

describe("merging datasets", () => {
  it("adds another project's examples once each, keeping their state, and freezes a new version", async () => {
    const ctx = await requireProject(team.members.editor, target, "dataset.edit");
    const sources = await mergeSources(ctx);
    expect(sources.projects.map((p) => p.name)).toContain("Handbook, team B");
    expect(sources.projects.map((p) => p.id)).not.toContain(target);
    const job = await startDatasetMerge(ctx, { fromProjectId: source, freeze: true });
    const done = await waitForJob(job.id, ["success", "failed"], 60_000);
    expect(done.errorMessage).toBeNull();
    expect(done.resultSummary).toMatchObject({ added: 2, duplicates: 2, version: 1 });

    const merged = await db.datasetExample.findMany({ where: { projectId: target, naturalKey: { startsWith: "merge:" } }, orderBy: { createdAt: "asc" } });
    expect(merged.map((e) => (e.data as { output: string }).output).sort()).toEqual(["Step 3 takes 3 days.", "Step 4 takes 4 days."]);
    const three = merged.find((e) => (e.data as { output: string }).output.startsWith("Step 3"))!;
    expect(three).toMatchObject({ reviewStatus: "approved", tags: ["billing"], split: "train", sourceChunkId: null });
    expect(three.provenance).toMatchObject({ reasoning: "Three steps, three days.", merged_from: { project_id: source } });
    expect(merged.find((e) => (e.data as { output: string }).output.startsWith("Step 4"))!.split).toBe("eval");
    const version = await db.datasetVersion.findFirstOrThrow({ where: { projectId: target }, orderBy: { version: "desc" } });
    expect(version).toMatchObject({ numTrain: 3, numEval: 1 });

    // Again: nothing new.
    const again = await startDatasetMerge(ctx, { fromProjectId: source, freeze: false });
    expect((await waitForJob(again.id, ["success", "failed"], 60_000)).resultSummary).toMatchObject({ added: 0 });
    expect(await db.datasetExample.count({ where: { projectId: target } })).toBe(4);
  });

  it("adds a frozen version's examples from its files, without the version's system prompt", async () => {
    const other = (await createProjectIn(team.workspace.id, "Archive")).id;
    await seed(other, [{ i: 1 }, { i: 7 }, { i: 8, split: "eval" }]);
    const frozen = await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId: other, systemPrompt: "You answer for the support desk." });
    const ctx = await requireProject(team.members.editor, target, "dataset.edit");
    const job = await startDatasetMerge(ctx, { fromVersionId: frozen.id, freeze: false });
    const done = await waitForJob(job.id, ["success", "failed"], 60_000);
    expect(done.errorMessage).toBeNull();
    expect(done.resultSummary).toMatchObject({ added: 2, duplicates: 1 });
    const added = await db.datasetExample.findMany({ where: { projectId: target, naturalKey: { startsWith: `merge:${frozen.id}:` } } });
    expect(
      added
        .map((e) => [e.data, e.split])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1])))
        .reverse(),
    ).toEqual([
      [ex(7), "train"],
      [ex(8), "eval"],
    ]);
    expect(added[0].provenance).toMatchObject({ merged_from: { version_id: frozen.id, version: frozen.version } });
  });

  it("refuses another workspace's project or version, and a project of another task type", async () => {
    const stranger = await createTeam("Elsewhere");
    const theirVersion = await db.datasetVersion.create({ data: { projectId: stranger.project.id, version: 1, contentHash: "e".repeat(64) } });
    const ctx = await requireProject(team.members.editor, target, "dataset.edit");
    await expect(startDatasetMerge(ctx, { fromProjectId: stranger.project.id, freeze: true })).rejects.toThrow(/not found/);
    await expect(startDatasetMerge(ctx, { fromVersionId: theirVersion.id, freeze: true })).rejects.toThrow(/not found/);
    const qa = (await createProjectIn(team.workspace.id, "Questions")).id;
    await db.project.update({ where: { id: qa }, data: { taskType: "qa" } });
    await expect(startDatasetMerge(ctx, { fromProjectId: qa, freeze: true })).rejects.toThrow(/another task type/);
    const viewer = await requireProject(team.members.viewer, target, "project.view");
    await expect(startDatasetMerge(viewer, { fromProjectId: source, freeze: true })).rejects.toThrow(/role/);
  });
});
