// The database restarts under a running worker: it reconnects, finishes the job that was
// running (each item once) and takes new ones. Uses its own embedded PostgreSQL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ProjectContext, requireProject, requireWorkspace } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrator";
import { resetEnvCache } from "@/lib/env";
import { saveGenerationSettingsAction, startGenerationAction } from "@/lib/generation/actions";
import { installQueues, stopSender } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { createProvider } from "@/lib/llm";
import { JOB_DEFINITIONS } from "@/worker/registry";
import { fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { countItemsJob, ensureDiagTable } from "../support/jobs";
import { actAs } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor } from "../support/worker-process";

let dir: string;
let server: EmbeddedDatabase;
let worker: WorkerProcess;
let ctx: ProjectContext;
let team: Team;

async function startServer(port: number) {
  return startEmbeddedPostgres({ dataDir: path.join(dir, "data"), preferredPort: port });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-restart-"));
  fs.chmodSync(dir, 0o755);
  server = await startServer(0);
  process.env.DATABASE_URL = server.url;
  resetEnvCache();
  await migrate(server.url);
  await installQueues([...JOB_DEFINITIONS, countItemsJob]);
  await ensureDiagTable();
  team = await createTeam();
  ctx = await requireProject(team.members.owner, team.project.id, "jobs.run");
  worker = spawnTestWorker({ DATABASE_URL: server.url });
}, 120_000);

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  await db.$disconnect();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function restartDatabase(): Promise<void> {
  const port = server.port;
  await server.stop();
  await new Promise((r) => setTimeout(r, 2000));
  server = await startServer(port);
}

async function statusOf(id: string) {
  return (await db.job.findUniqueOrThrow({ where: { id } })).status;
}

it("the worker reconnects after a database restart and goes on", async () => {
  const running = await enqueueJob(ctx, countItemsJob, { items: 40, delayMs: 100 });
  await waitFor("progress", async () => (await db.job.findUniqueOrThrow({ where: { id: running.id } })).itemsDone >= 5, 60_000);

  await restartDatabase();
  expect(worker.child.exitCode).toBeNull();

  const fresh = await enqueueJob(ctx, countItemsJob, { items: 3, delayMs: 1 });
  await waitFor("the new job", async () => (await statusOf(fresh.id)) === "success", 90_000, 250);
  await waitFor("the interrupted job", async () => (await statusOf(running.id)) === "success", 120_000, 250);
  const items = await db.$queryRawUnsafe<Array<{ item: number }>>(`SELECT item FROM diag_items WHERE job_id = $1::uuid ORDER BY item`, running.id);
  expect(items.map((r) => r.item)).toEqual([...Array(40).keys()]);
  expect(worker.child.exitCode).toBeNull();
}, 240_000);

it("a generation run survives a database kill: the worker stays up, the job finishes, no example twice", async () => {
  // Slow answers, so the run is mid-way when the database goes; the writer then fails its writes.
  const llm = await startFakeLlm({ apiKey: "sk-restart", latencyMs: 150 });
  try {
    const wctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
    const provider = await createProvider(wctx, {
      name: "Fake",
      kind: "openai",
      baseUrl: fakeBaseUrl(llm, "openai"),
      defaultModel: "fake-chat",
      apiKey: "sk-restart",
      options: { concurrency: 4, requestsPerMinute: 0, timeoutMs: 10_000 },
    });
    const project = await createProjectIn(team.workspace.id, "Generation under a restart");
    await db.project.update({ where: { id: project.id }, data: { taskType: "qa", config: { examples_per_chunk: 2, num_examples_target: 10_000 } } });
    const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "handbook.md", storagePath: "unused" } });
    await db.chunk.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({
        projectId: project.id,
        sourceFileId: file.id,
        chunkIndex: i,
        content: `Section ${i}: refunds of type ${i} take ${i + 3} days.`,
        tokenCount: 12,
        charCount: 40,
      })),
    });
    await actAs(team.members.owner);
    expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { provider_id: provider.id, model: "fake-chat" } })).ok).toBe(true);
    const started = await startGenerationAction({ projectId: project.id });
    if (!started.ok) throw new Error(started.error.message);
    const jobId = started.data.jobId;
    await waitFor("generation under way", async () => (await db.generationTask.count({ where: { jobId, status: "done" } })) >= 10, 60_000, 100);

    await restartDatabase();
    // A client checked out mid-transaction when the server went used to end the worker (an unheard 'error' event).
    expect(worker.child.exitCode, worker.output().slice(-4000)).toBeNull();
    await waitFor("the generation job", async () => (await statusOf(jobId)) === "success", 180_000, 500);
    expect(worker.child.exitCode).toBeNull();
    // Every chunk answered once: two examples each, no natural key twice.
    const examples = await db.datasetExample.findMany({ where: { projectId: project.id }, select: { naturalKey: true } });
    expect(examples.length).toBe(240);
    expect(new Set(examples.map((e) => e.naturalKey)).size).toBe(240);
    expect(worker.output()).not.toMatch(/Unhandled rejection/);
  } finally {
    await llm.stop();
  }
}, 300_000);
