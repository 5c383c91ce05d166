// The database restarts under a running worker: it reconnects, finishes the job that was
// running (each item once) and takes new ones. Uses its own embedded PostgreSQL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { requireProject, type ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrator";
import { resetEnvCache } from "@/lib/env";
import { installQueues, stopSender } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { createTeam } from "../support/fixtures";
import { countItemsJob, ensureDiagTable } from "../support/jobs";
import { spawnTestWorker, stopWorker, waitFor, type WorkerProcess } from "../support/worker-process";

let dir: string;
let server: EmbeddedDatabase;
let worker: WorkerProcess;
let ctx: ProjectContext;

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
  await installQueues([countItemsJob]);
  await ensureDiagTable();
  const team = await createTeam();
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

async function statusOf(id: string) {
  return (await db.job.findUniqueOrThrow({ where: { id } })).status;
}

it("the worker reconnects after a database restart and goes on", async () => {
  const running = await enqueueJob(ctx, countItemsJob, { items: 40, delayMs: 100 });
  await waitFor("progress", async () => (await db.job.findUniqueOrThrow({ where: { id: running.id } })).itemsDone >= 5, 60_000);

  const port = server.port;
  await server.stop();
  await new Promise((r) => setTimeout(r, 2000));
  server = await startServer(port);
  expect(worker.child.exitCode).toBeNull();

  const fresh = await enqueueJob(ctx, countItemsJob, { items: 3, delayMs: 1 });
  await waitFor("the new job", async () => (await statusOf(fresh.id)) === "success", 90_000, 250);
  await waitFor("the interrupted job", async () => (await statusOf(running.id)) === "success", 120_000, 250);
  const items = await db.$queryRawUnsafe<Array<{ item: number }>>(`SELECT item FROM diag_items WHERE job_id = $1::uuid ORDER BY item`, running.id);
  expect(items.map((r) => r.item)).toEqual([...Array(40).keys()]);
  expect(worker.child.exitCode).toBeNull();
}, 240_000);
