// Copying a project through the worker: settings at once; sources (objects copied in storage under
// the copy's own keys, chunks as they are) and examples (pointing at the copied chunks) by a job
// that can run again without doubling anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { stopSender } from "@/lib/jobs/boss";
import { fillClone } from "@/lib/projects/clone-handler";
import { cloneProject } from "@/lib/projects/templates";
import { getStorage, readToBuffer } from "@/lib/storage";
import { fileKey } from "@/lib/storage/keys";
import { createTeam, type Team } from "../support/fixtures";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitForJob } from "../support/worker-process";

let team: Team;
let worker: WorkerProcess;

beforeAll(async () => {
  team = await createTeam("Clone");
  const fileId = crypto.randomUUID();
  const key = fileKey(team.workspace.id, team.project.id, fileId);
  await getStorage().put(key, Buffer.from("Refunds take 3 days. Disputes go to billing."));
  await db.file.create({
    data: { id: fileId, projectId: team.project.id, kind: "raw_doc", status: "ready", filename: "refunds.md", storagePath: key, sizeBytes: 46 },
  });
  const chunks = await Promise.all(
    ["Refunds take 3 days.", "Disputes go to billing."].map((content, chunkIndex) =>
      db.chunk.create({ data: { projectId: team.project.id, sourceFileId: fileId, chunkIndex, content, tokenCount: 6 } }),
    ),
  );
  await db.datasetExample.createMany({
    data: chunks.map((c, i) => ({
      projectId: team.project.id,
      sourceChunkId: c.id,
      sourceFileId: fileId,
      naturalKey: `chunk:${c.id}:0`,
      split: "train" as const,
      reviewStatus: i === 0 ? ("approved" as const) : ("pending" as const),
      data: { instruction: `Say chunk ${i}.`, input: "", output: c.content },
    })),
  });
  worker = spawnTestWorker();
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
});

describe("copying a project", () => {
  it("copies sources (own storage keys) and examples pointing at the copied chunks; a second run adds nothing", async () => {
    const ctx = await requireProject(team.members.editor, team.project.id, "project.create");
    const copy = await cloneProject(ctx, { name: "Refunds (copy)", withSources: true, withExamples: true });
    expect((await waitForJob(copy.jobId!, ["success", "failed"], 60_000)).errorMessage).toBeNull();

    const files = await db.file.findMany({ where: { projectId: copy.id } });
    const copied = files.find((f) => f.filename === "refunds.md")!;
    expect(copied.storagePath).toBe(fileKey(team.workspace.id, copy.id, copied.id));
    expect((await readToBuffer(await getStorage().get(copied.storagePath), 1000)).toString()).toBe("Refunds take 3 days. Disputes go to billing.");
    const chunks = await db.chunk.findMany({ where: { projectId: copy.id }, orderBy: { chunkIndex: "asc" } });
    expect(chunks.map((c) => [c.sourceFileId, c.content])).toEqual([
      [copied.id, "Refunds take 3 days."],
      [copied.id, "Disputes go to billing."],
    ]);
    // The team fixture's example has no chunk: copied as it is.
    expect(await db.datasetExample.count({ where: { projectId: copy.id, sourceChunkId: null } })).toBe(1);
    const examples = await db.datasetExample.findMany({
      where: { projectId: copy.id, naturalKey: { startsWith: "chunk:" } },
      include: { sourceChunk: true },
      orderBy: { naturalKey: "asc" },
    });
    expect(examples).toHaveLength(2);
    for (const e of examples) {
      expect(e.sourceChunk?.projectId).toBe(copy.id);
      expect((e.data as { output: string }).output).toBe(e.sourceChunk?.content);
    }
    expect(examples.map((e) => e.reviewStatus).sort()).toEqual(["approved", "pending"]);

    // Again (a retry after a crash): nothing doubles.
    await fillClone({
      jobId: copy.jobId!,
      projectId: copy.id,
      workerId: "test",
      payload: { fromProjectId: team.project.id, withExamples: true },
      attempt: 2,
      signal: new AbortController().signal,
      progress: async () => {},
      log: () => {},
      checkpoint: { get: () => undefined, save: async () => {}, saveIn: async () => {} },
    });
    expect(await db.file.count({ where: { projectId: copy.id, kind: "raw_doc" } })).toBe(files.filter((f) => f.kind === "raw_doc").length);
    expect(await db.chunk.count({ where: { projectId: copy.id } })).toBe(2);
    expect(await db.datasetExample.count({ where: { projectId: copy.id } })).toBe(3);
    // The fixture's own source has no object in storage: left out with the reason in the job's log.
    expect(await db.file.count({ where: { projectId: copy.id, filename: "guide.md" } })).toBe(0);
    const logs = await db.appLog.findMany({ where: { jobId: copy.jobId! } });
    expect(logs.some((l) => l.message.startsWith('Source "guide.md" was left out'))).toBe(true);
    // The original is untouched.
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, naturalKey: { startsWith: "chunk:" } } })).toBe(2);
  });

  it("settings only: no job, no sources", async () => {
    const ctx = await requireProject(team.members.editor, team.project.id, "project.create");
    const copy = await cloneProject(ctx, { name: "Settings only" });
    expect(copy.jobId).toBeNull();
    expect(await db.file.count({ where: { projectId: copy.id } })).toBe(0);
  });
});
