// Dataset versions with and without the examples' reasoning: what a training run reads.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { getStorage, readToBuffer } from "@/lib/storage";
import { createProjectIn, createTeam } from "@/tests/support/fixtures";
import { contentHash } from "./hash";
import { freezeDatasetVersion } from "./versions";

describe("freezeDatasetVersion", () => {
  it("puts each answer's reasoning before it in a think block only when asked, as a version of its own", async () => {
    const team = await createTeam();
    const projectId = (await createProjectIn(team.workspace.id, "Reasoning")).id;
    await db.project.update({ where: { id: projectId }, data: { taskType: "qa" } });
    const withThought = { question: "How long do refunds take?", answer: "14 days." };
    const plain = { question: "Where do refunds go?", answer: "To the card." };
    await db.datasetExample.createMany({
      data: [
        {
          projectId,
          naturalKey: "r:1",
          data: withThought,
          contentHash: contentHash(withThought),
          split: "train",
          provenance: { reasoning: "The policy says 14 days." },
        },
        { projectId, naturalKey: "r:2", data: plain, contentHash: contentHash(plain), split: "train" },
      ],
    });
    const read = async (key: string) =>
      (await readToBuffer(await getStorage().get(key), 1_000_000))
        .toString()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).messages.at(-1).content as string)
        .sort();
    const without = await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId });
    expect(await read(without.trainPath!)).toEqual(["14 days.", "To the card."]);
    const withIt = await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId, reasoning: true });
    expect(withIt.id).not.toBe(without.id);
    expect(await read(withIt.trainPath!)).toEqual(["<think>\nThe policy says 14 days.\n</think>\n\n14 days.", "To the card."]);
    expect((await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId, reasoning: true })).id).toBe(withIt.id);
  });

  it("keeps the version's files as the project's generated datasets, counted in its storage", async () => {
    const team = await createTeam();
    const projectId = (await createProjectIn(team.workspace.id, "Generated files")).id;
    const example = { instruction: "Summarise the refund policy.", input: "", output: "Refunds take 14 days." };
    await db.datasetExample.create({ data: { projectId, naturalKey: "g:1", data: example, contentHash: contentHash(example), split: "train" } });
    const version = await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId, actorId: team.members.owner.id });
    const files = await db.file.findMany({ where: { projectId, kind: "dataset_generated" }, orderBy: { filename: "asc" } });
    expect(files.map((f) => [f.filename, f.storagePath, f.metadata])).toEqual([
      [`dataset-v${version.version}-eval.jsonl`, version.evalPath, { dataset_version_id: version.id, split: "eval", examples: 0 }],
      [`dataset-v${version.version}-train.jsonl`, version.trainPath, { dataset_version_id: version.id, split: "train", examples: 1 }],
    ]);
    const train = await readToBuffer(await getStorage().get(version.trainPath!), 1_000_000);
    expect(Number(files[1].sizeBytes)).toBe(train.length);
    expect(files[1].sha256).toBe(createHash("sha256").update(train).digest("hex"));
    expect(files[1].createdById).toBe(team.members.owner.id);
    // Freezing the same examples again gives back the same version and no second pair of files.
    await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId });
    expect(await db.file.count({ where: { projectId, kind: "dataset_generated" } })).toBe(2);
  });
});
