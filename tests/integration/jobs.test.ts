// The job system on real parts: embedded PostgreSQL, pg-boss, and real worker processes that
// are SIGKILLed, SIGTERMed and cut off from the database.
import nodeCrypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ProjectContext, requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { getSender, installQueues, stopSender } from "@/lib/jobs/boss";
import { cancelJob, retryJob } from "@/lib/jobs/control";
import { defineJob, NonRetryableError } from "@/lib/jobs/definition";
import { enqueueJob, enqueueJobs, withJobRows } from "@/lib/jobs/enqueue";
import { runJob } from "@/lib/jobs/runtime";
import { sweepStaleJobs } from "@/lib/jobs/sweeper";
import { refreshProjectStatus } from "@/lib/projects/status";
import { findJobDefinition } from "@/worker/registry";
import { createTeam } from "../support/fixtures";
import { countItemsJob, ensureDiagTable } from "../support/jobs";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor } from "../support/worker-process";

let ctx: ProjectContext;
const workers: WorkerProcess[] = [];

function startWorker(env: Record<string, string> = {}) {
  const worker = spawnTestWorker(env);
  workers.push(worker);
  return worker;
}

async function jobRow(id: string) {
  return db.job.findUniqueOrThrow({ where: { id } });
}

async function itemsOf(jobId: string) {
  return db.$queryRawUnsafe<Array<{ item: number; attempt: number }>>(`SELECT item, attempt FROM diag_items WHERE job_id = $1::uuid ORDER BY item`, jobId);
}

async function waitForStatus(id: string, statuses: string[], timeoutMs = 60_000) {
  return waitFor(
    `job ${id} to be ${statuses.join("/")}`,
    async () => {
      const job = await jobRow(id);
      return statuses.includes(job.status) ? job : null;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  await installQueues([countItemsJob]);
  await ensureDiagTable();
  const team = await createTeam();
  ctx = await requireProject(team.members.editor, team.project.id, "jobs.run");
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await stopWorker(worker, "SIGKILL");
});

afterAll(async () => {
  await stopSender();
});

describe("enqueue", () => {
  it("writes the Job row and the pg-boss job in one transaction: a rollback leaves neither", async () => {
    let jobId = "";
    await expect(
      db.$transaction(async (tx) => {
        jobId = (await enqueueJob(ctx, countItemsJob, { items: 1 }, { tx })).id;
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(jobId).not.toBe("");
    expect(await db.job.count({ where: { id: jobId } })).toBe(0);
    const boss = await getSender();
    expect(await boss.getJobById("diagnostic", jobId)).toBeNull();

    const kept = await db.$transaction(async (tx) => enqueueJob(ctx, countItemsJob, { items: 1 }, { tx }));
    expect(await db.job.count({ where: { id: kept.id, status: "queued" } })).toBe(1);
    expect((await boss.getJobById("diagnostic", kept.id))?.state).toBe("created");
    await cancelJob(ctx, kept.id, findJobDefinition);
  });

  it("refuses a second active job where one per project is the rule", async () => {
    const exclusive = { ...countItemsJob, exclusiveWith: ["diagnostic" as const] };
    const first = await enqueueJob(ctx, exclusive, { items: 1 });
    await expect(enqueueJob(ctx, exclusive, { items: 1 })).rejects.toThrow(/already running for this project/);
    await cancelJob(ctx, first.id, findJobDefinition);
    const second = await enqueueJob(ctx, exclusive, { items: 1 });
    await cancelJob(ctx, second.id, findJobDefinition);
  });

  it("without a transaction writes both in one statement: pg-boss's insert is recognised, and a Job row that cannot be written leaves no pg-boss job", async () => {
    const boss = await getSender();
    const seen: string[] = [];
    const capture = {
      executeSql: async (text: string) => {
        seen.push(text);
        return { rows: [] };
      },
    };
    await boss.send("diagnostic", {}, { db: capture });
    await boss.insert("diagnostic", [{ data: {} }, { data: {} }], { db: capture, returnId: true });
    expect(seen).toHaveLength(2);
    for (const text of seen) expect(withJobRows(text)).not.toBeNull();

    const orphans = async () =>
      Number(
        (
          await db.$queryRawUnsafe<Array<{ n: bigint }>>(
            `SELECT count(*) AS n FROM pgboss.job j WHERE j.name = 'diagnostic' AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id::text = j.data->>'jobId')`,
          )
        )[0].n,
      );
    const before = await orphans();
    const gone = { ...ctx, projectId: crypto.randomUUID() };
    await expect(enqueueJob(gone, countItemsJob, { items: 1 })).rejects.toThrow();
    await expect(enqueueJobs(gone, countItemsJob, [{ items: 1 }, { items: 2 }])).rejects.toThrow();
    expect(await orphans()).toBe(before);
  });

  it("a batch pg-boss partly refuses (a clashing id) writes nothing at all", async () => {
    const boss = await getSender();
    const clash = nodeCrypto.randomUUID();
    const fresh = nodeCrypto.randomUUID();
    await boss.send("diagnostic", {}, { id: clash });
    const ids = vi.spyOn(nodeCrypto, "randomUUID").mockReturnValueOnce(fresh).mockReturnValueOnce(clash);
    try {
      await expect(enqueueJobs(ctx, countItemsJob, [{ items: 1 }, { items: 1 }])).rejects.toThrow(/nothing was enqueued/);
    } finally {
      ids.mockRestore();
      await boss.deleteJob("diagnostic", clash);
    }
    expect(await db.job.count({ where: { id: { in: [fresh, clash] } } })).toBe(0);
    expect(await boss.getJobById("diagnostic", fresh)).toBeNull();
  });

  it("a viewer cannot enqueue", async () => {
    const team = await createTeam();
    const viewer = await requireProject(team.members.viewer, team.project.id, "project.view");
    await expect(enqueueJob(viewer, countItemsJob, { items: 1 })).rejects.toThrow(/role does not allow/);
  });
});

describe("worker", () => {
  it("finishes every item exactly once although the worker is SIGKILLed mid-run twice", async () => {
    const items = 40;
    const { id } = await enqueueJob(ctx, countItemsJob, { items, delayMs: 60 });
    for (const killAfter of [8, 20]) {
      const worker = startWorker();
      await waitFor(`item ${killAfter}`, async () => (await jobRow(id)).itemsDone >= killAfter, 90_000);
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    startWorker();
    const done = await waitForStatus(id, ["success"], 120_000);
    const rows = await itemsOf(id);
    expect(rows.map((r) => r.item)).toEqual([...Array(items).keys()]);
    expect(new Set(rows.map((r) => r.attempt)).size).toBeGreaterThanOrEqual(3);
    expect(done.attempts).toBeGreaterThanOrEqual(3);
    expect(done.retryCount).toBe(0);
    expect(done.progressPct).toBe(100);
  }, 300_000);

  it("cancels a running job before it finishes and keeps what it made; retry continues from the checkpoint", async () => {
    startWorker();
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 300, delayMs: 50 });
    await waitFor("progress", async () => (await jobRow(id)).itemsDone >= 5, 60_000);
    await cancelJob(ctx, id, findJobDefinition);
    const cancelled = await waitForStatus(id, ["cancelled"], 10_000);
    const kept = await itemsOf(id);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    // Stopped at a checkpoint rather than running to the end.
    expect(kept.length).toBeLessThan(300);
    expect(cancelled.checkpoint).toEqual({ next: kept.length });

    await db.job.update({ where: { id }, data: { payload: { items: kept.length + 10, delayMs: 10 } } });
    await retryJob(ctx, id, findJobDefinition);
    await waitForStatus(id, ["success"], 60_000);
    const rows = await itemsOf(id);
    expect(rows.map((r) => r.item)).toEqual([...Array(kept.length + 10).keys()]);
  }, 120_000);

  it("fails at once with the message of a non-retryable error", async () => {
    startWorker();
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 5, delayMs: 1, failAt: 2, failMode: "fatal" });
    const failed = await waitForStatus(id, ["failed"]);
    expect(failed.errorMessage).toBe("Item 2 is not valid input.");
    expect(failed.attempts).toBe(1);
    expect(failed.retryCount).toBe(0);
    expect((await itemsOf(id)).length).toBe(2);
  }, 60_000);

  it("retries a retryable error with backoff, then fails with the last message", async () => {
    startWorker();
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 5, delayMs: 1, failAt: 3 });
    const failed = await waitForStatus(id, ["failed"], 60_000);
    expect(failed.errorMessage).toMatch(/^Temporary failure at item 3 \(error id [0-9a-f]+\)$/);
    expect(failed.retryCount).toBe(2);
    expect(failed.attempts).toBe(3);
    const logs = await db.appLog.findMany({ where: { jobId: id }, orderBy: { id: "asc" } });
    expect(logs.filter((l) => l.message.includes("Retrying with backoff"))).toHaveLength(2);
    const starts = logs.filter((l) => /Attempt \d started/.test(l.message)).map((l) => l.timestamp.getTime());
    expect(starts).toHaveLength(2);
    expect((await itemsOf(id)).map((r) => r.item)).toEqual([0, 1, 2]);
  }, 90_000);

  it("recovers when a retryable error clears up on a later attempt", async () => {
    startWorker();
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 5, delayMs: 1, failAt: 3, failTimes: 1 });
    const done = await waitForStatus(id, ["success"], 60_000);
    expect(done.retryCount).toBe(1);
    expect((await itemsOf(id)).map((r) => r.item)).toEqual([0, 1, 2, 3, 4]);
  }, 60_000);

  it("on SIGTERM finishes a job that fits in the grace period", async () => {
    const worker = startWorker({ WORKER_SHUTDOWN_GRACE_S: "20" });
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 30, delayMs: 50 });
    await waitFor("progress", async () => (await jobRow(id)).itemsDone >= 3, 60_000);
    expect(await stopWorker(worker, "SIGTERM")).toBe(0);
    expect((await jobRow(id)).status).toBe("success");
    expect((await itemsOf(id)).length).toBe(30);
  }, 90_000);

  it("on SIGTERM hands back a job that outlasts the grace period; the next worker resumes it before jobs sent after it", async () => {
    const worker = startWorker({ WORKER_SHUTDOWN_GRACE_S: "1", WORKER_CONCURRENCY: "diagnostic=1" });
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 60, delayMs: 50 });
    await waitFor("progress", async () => (await jobRow(id)).itemsDone >= 3, 60_000);
    // Sent while the first runs: it waits for the one slot.
    const later = await enqueueJob(ctx, countItemsJob, { items: 2, delayMs: 1 });
    expect(await stopWorker(worker, "SIGTERM")).toBe(0);
    const released = await jobRow(id);
    expect(released.status).toBe("queued");
    expect(released.progressMessage).toMatch(/resumes first/);
    expect(released.itemsDone).toBeLessThan(60);
    expect((await jobRow(later.id)).status).toBe("queued");
    startWorker({ WORKER_CONCURRENCY: "diagnostic=1" });
    const resumed = await waitForStatus(id, ["success"], 90_000);
    const next = await waitForStatus(later.id, ["success"], 90_000);
    // One slot: the handed-back job ran to the end before the later one started.
    expect(next.startedAt!.getTime()).toBeGreaterThanOrEqual(resumed.finishedAt!.getTime());
    expect((await itemsOf(id)).map((r) => r.item)).toEqual([...Array(60).keys()]);
  }, 150_000);

  it("runs batches enqueued together", async () => {
    startWorker();
    const jobs = await enqueueJobs(
      ctx,
      countItemsJob,
      Array.from({ length: 6 }, () => ({ items: 2, delayMs: 1 })),
    );
    for (const job of jobs) await waitForStatus(job.id, ["success"], 60_000);
  }, 90_000);
});

describe("recovery and status", () => {
  it("the sweeper marks a job whose queue job is gone as failed, and an orphaned one as recovering", async () => {
    const lost = await db.job.create({
      data: {
        projectId: ctx.projectId,
        type: "diagnostic",
        status: "running",
        queueJobId: "00000000-0000-4000-8000-00000000dead",
        heartbeatAt: new Date(Date.now() - 120_000),
      },
    });
    await sweepStaleJobs({ lostAfterSeconds: 0 });
    const swept = await jobRow(lost.id);
    expect(swept.status).toBe("failed");
    expect(swept.errorMessage).toMatch(/Retry it to continue/);

    const { id } = await enqueueJob(ctx, countItemsJob, { items: 1 });
    await db.job.update({ where: { id }, data: { status: "running", heartbeatAt: new Date(Date.now() - 60_000) } });
    await sweepStaleJobs({ lostAfterSeconds: 0 });
    expect((await jobRow(id)).status).toBe("retrying");
    await cancelJob(ctx, id, findJobDefinition);
  });

  it("the project's status follows its jobs", async () => {
    const team = await createTeam();
    const projectId = team.project.id;
    // Without the fixture's finished run (it would make the project "completed").
    await db.run.deleteMany({ where: { projectId } });
    await db.job.deleteMany({ where: { projectId, type: "train" } });
    const job = await db.job.create({ data: { projectId, type: "dataset_generate", status: "running", startedAt: new Date() } });
    expect(await refreshProjectStatus(projectId)).toBe("generating");
    await db.job.update({ where: { id: job.id }, data: { status: "failed", finishedAt: new Date(), errorMessage: "LLM unreachable" } });
    expect(await refreshProjectStatus(projectId)).toBe("failed");
    expect((await db.project.findUniqueOrThrow({ where: { id: projectId } })).errorMessage).toBe("LLM unreachable");
    // The fixture's valid train example does not hide the failure; a later successful run of the stage does.
    await db.job.create({ data: { projectId, type: "dataset_generate", status: "success", startedAt: new Date(), finishedAt: new Date(Date.now() + 1000) } });
    expect(await refreshProjectStatus(projectId)).toBe("ready_to_train");
    await db.job.create({ data: { projectId, type: "export", status: "failed", finishedAt: new Date(Date.now() + 2000), errorMessage: "disk full" } });
    expect(await refreshProjectStatus(projectId)).toBe("ready_to_train");
    const trained = await db.job.create({ data: { projectId, type: "train", status: "success", finishedAt: new Date(Date.now() + 3000) } });
    await db.run.create({ data: { projectId, jobId: trained.id, method: "lora", status: "success" } });
    expect(await refreshProjectStatus(projectId)).toBe("completed");
    // A failed training or evaluation stays with its run: the project still reads what it holds.
    const pipLog = `Setting up Python on lab-box failed: pip could not install the runner's packages.\n${"Collecting torch\n".repeat(100)}`;
    await db.job.create({ data: { projectId, type: "train", status: "failed", finishedAt: new Date(Date.now() + 4000), errorMessage: pipLog } });
    expect(await refreshProjectStatus(projectId)).toBe("completed");
    await db.job.create({
      data: { projectId, type: "eval", status: "failed", finishedAt: new Date(Date.now() + 5000), errorMessage: "No NVIDIA GPU on This server." },
    });
    expect(await refreshProjectStatus(projectId)).toBe("completed");
    await db.run.deleteMany({ where: { projectId } });
    expect(await refreshProjectStatus(projectId)).toBe("ready_to_train");
    expect((await db.project.findUniqueOrThrow({ where: { id: projectId } })).errorMessage).toBeNull();
  });

  it("a delivery claims its row in one step: never after a cancel, never when superseded or settled; a later attempt resumes", async () => {
    let started = 0;
    let seenAtStart: { attempt: number; message: string | null } | undefined;
    const probe = defineJob({
      ...countItemsJob,
      async handler(c) {
        started++;
        seenAtStart = { attempt: c.attempt, message: (await jobRow(c.jobId)).progressMessage };
      },
    });
    const delivery = (id: string) => ({ id, signal: new AbortController().signal, retryCount: 0 });
    const create = (data: { queueJobId?: string; cancelRequested?: boolean; status?: "retrying"; attempts?: number }) =>
      db.job.create({ data: { projectId: ctx.projectId, type: "diagnostic", payload: { items: 1 }, ...data } });

    const cancelled = await create({ queueJobId: "d0", cancelRequested: true });
    expect(await runJob(probe, delivery("d0"), cancelled.id, "w")).toBe("cancelled");
    expect(await jobRow(cancelled.id)).toMatchObject({ status: "cancelled", attempts: 0, startedAt: null, workerId: null });

    const superseded = await create({ queueJobId: "newer" });
    expect(await runJob(probe, delivery("older"), superseded.id, "w")).toBe("skipped");
    expect(await jobRow(superseded.id)).toMatchObject({ status: "queued", attempts: 0 });

    const fresh = await create({ queueJobId: "d1" });
    expect(await runJob(probe, delivery("d1"), fresh.id, "w1")).toBe("success");
    expect(seenAtStart).toEqual({ attempt: 1, message: "Starting" });
    expect(await jobRow(fresh.id)).toMatchObject({ status: "success", attempts: 1, workerId: "w1" });
    expect((await jobRow(fresh.id)).startedAt).not.toBeNull();
    expect(await runJob(probe, delivery("d1"), fresh.id, "w2")).toBe("skipped");

    const again = await create({ queueJobId: "d2", status: "retrying", attempts: 1 });
    expect(await runJob(probe, delivery("d2"), again.id, "w1")).toBe("success");
    expect(seenAtStart).toEqual({ attempt: 2, message: "Resuming (attempt 2)" });
    expect(started).toBe(2);
  });

  it("a job whose project is deleted under it stops as if cancelled (its onGiveUp tidies up) and writes nothing more", async () => {
    const doomed = await createTeam("Doomed");
    let sawAbort: unknown;
    let gaveUp: string | undefined;
    let markStarted = () => {};
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const waiting = defineJob({
      ...countItemsJob,
      async handler(c) {
        markStarted();
        await new Promise<void>((resolve) => c.signal.addEventListener("abort", () => resolve(), { once: true }));
        sawAbort = c.signal.reason;
      },
      async onGiveUp(_payload, outcome) {
        gaveUp = outcome;
      },
    });
    const row = await db.job.create({ data: { projectId: doomed.project.id, type: "diagnostic", payload: { items: 1 }, queueJobId: "gone" } });
    const outcome = runJob(waiting, { id: "gone", signal: new AbortController().signal, retryCount: 0 }, row.id, "w");
    await started;
    await db.project.delete({ where: { id: doomed.project.id } });
    // The next heartbeat (1.5 s) finds no row: the handler is told to stop, nothing is written back.
    expect(await outcome).toBe("cancelled");
    expect(sawAbort).toBe("cancelled");
    expect(gaveUp).toBe("cancelled");
    expect(await db.job.count({ where: { id: row.id } })).toBe(0);
  });

  it("a failure keeps a one-line cause on the job and the log behind it apart; a retry clears both", async () => {
    const log = `${"Collecting torch==2.15.0\n".repeat(60)}ERROR: No matching distribution found for torch==2.15.0`;
    const failing = defineJob({
      ...countItemsJob,
      async handler() {
        throw new NonRetryableError("torch could not be installed: 2.15.0 is not in this box's package index.\nSee the log.", { detail: log });
      },
    });
    const row = await db.job.create({ data: { projectId: ctx.projectId, type: "diagnostic", payload: { items: 1 } } });
    const delivery = { id: "in-process", signal: new AbortController().signal, retryCount: 0 };
    expect(await runJob(failing, delivery, row.id, "test")).toBe("failed");
    const failed = await jobRow(row.id);
    expect(failed.errorMessage).toBe("torch could not be installed: 2.15.0 is not in this box's package index.");
    expect(failed.errorDetail).toContain("See the log.");
    expect(failed.errorDetail).toMatch(/No matching distribution found for torch==2\.15\.0$/);
    await retryJob(ctx, row.id, findJobDefinition);
    expect(await jobRow(row.id)).toMatchObject({ status: "queued", errorMessage: null, errorDetail: null });
    await cancelJob(ctx, row.id, findJobDefinition);
  });
});
