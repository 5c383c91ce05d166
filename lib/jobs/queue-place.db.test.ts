// Waiting jobs' places written on their rows from the queue, the live workers and recent history.
import { afterAll, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createProjectIn, createUser, createWorkspaceFor } from "@/tests/support/fixtures";
import { WORKER_HEARTBEAT_KEY } from "./heartbeat";
import { refreshQueuePlaces } from "./queue-place";

const HEARTBEAT = `${WORKER_HEARTBEAT_KEY}queue-place-test`;

afterAll(async () => {
  await db.setting.deleteMany({ where: { key: HEARTBEAT } });
});

it("writes each waiting job's place and wait, and nothing when nothing changed", async () => {
  const owner = await createUser("queue");
  const workspaces = [await createWorkspaceFor(owner, "Queue A"), await createWorkspaceFor(owner, "Queue B")];
  const projects = [await createProjectIn(workspaces[0].id), await createProjectIn(workspaces[1].id), await createProjectIn(workspaces[1].id)];
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  // History: exports take 60 s.
  for (let i = 0; i < 3; i++) {
    await db.job.create({ data: { projectId: projects[0].id, type: "export", status: "success", startedAt: ago(600), finishedAt: ago(540) } });
  }
  // One worker with one export slot, busy with a job 20 s from the end.
  await db.setting.upsert({
    where: { key: HEARTBEAT },
    create: { key: HEARTBEAT, value: { at: new Date().toISOString(), types: ["export"], concurrency: { export: 1 } } },
    update: { value: { at: new Date().toISOString(), types: ["export"], concurrency: { export: 1 } } },
  });
  await db.job.create({ data: { projectId: projects[0].id, type: "export", status: "running", startedAt: ago(40), etaSeconds: 20 } });
  const queued = [];
  for (const [i, project] of projects.entries()) {
    queued.push(await db.job.create({ data: { projectId: project.id, type: "export", status: "queued", createdAt: ago(30 - i), progressMessage: null } }));
  }

  expect(await refreshQueuePlaces()).toBe(3);
  const rows = await db.job.findMany({ where: { id: { in: queued.map((q) => q.id) } } });
  const byId = (id: string) => rows.find((r) => r.id === id)!;
  expect(byId(queued[0].id).progressMessage).toBe("Next in line, about 20 s");
  expect(byId(queued[0].id).etaSeconds).toBe(20);
  expect(byId(queued[1].id).progressMessage).toBe("1 job ahead, about 1 min");
  // 20 s, then one typical 60 s export after another.
  expect(byId(queued[2].id).progressMessage).toBe("2 jobs ahead, about 2 min");

  // Nothing changed: nothing written.
  expect(await refreshQueuePlaces()).toBe(0);

  // The worker went away: waiting jobs say so.
  await db.setting.update({ where: { key: HEARTBEAT }, data: { value: { at: ago(120).toISOString(), types: ["export"], concurrency: { export: 1 } } } });
  expect(await refreshQueuePlaces()).toBe(3);
  expect((await db.job.findUniqueOrThrow({ where: { id: queued[2].id } })).progressMessage).toBe("Waiting for a worker (none is running)");
});
