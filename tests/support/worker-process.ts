// Starting, killing and stopping real worker processes in tests.
import { type ChildProcess, spawn } from "node:child_process";
import { db } from "@/lib/db/client";

export type WorkerProcess = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

export function spawnTestWorker(env: Record<string, string> = {}, args: string[] = []): WorkerProcess {
  let output = "";
  // node with tsx as a loader (not the tsx CLI, which runs a second process): signals reach the worker itself.
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/test-worker.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function stopWorker(worker: WorkerProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return worker.child.exitCode;
  worker.child.kill(signal);
  return worker.exited;
}

/** Waits until the job row reaches one of `statuses`; returns it. On a timeout the error says where the job was. */
export async function waitForJob(jobId: string, statuses: string[], timeoutMs = 60_000) {
  try {
    return await waitFor(
      `job to be ${statuses.join("/")}`,
      async () => {
        const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
        return statuses.includes(job.status) ? job : null;
      },
      timeoutMs,
      200,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await jobDiagnosis(jobId)}`);
  }
}

/** The job's row, its generation tasks by status and its last log lines: what a timed-out wait needs to be understood. */
async function jobDiagnosis(jobId: string): Promise<string> {
  const job = await db.job.findUnique({ where: { id: jobId } });
  const tasks = await db.generationTask.groupBy({ by: ["status"], where: { jobId }, _count: true });
  const logs = await db.appLog.findMany({ where: { jobId }, orderBy: { id: "desc" }, take: 15 });
  const queue = await db
    .$queryRawUnsafe<unknown[]>("SELECT name, state, retry_count, start_after, started_on FROM pgboss.job WHERE id::text = $1", job?.queueJobId ?? "")
    .catch((e: Error) => [`unreadable: ${e.message}`]);
  return [
    `job: ${JSON.stringify({ status: job?.status, items: `${job?.itemsDone}/${job?.itemsTotal}`, message: job?.progressMessage, error: job?.errorMessage, attempts: job?.attempts, worker: job?.workerId, startedAt: job?.startedAt, heartbeatAt: job?.heartbeatAt })}`,
    `queue: ${JSON.stringify(queue)}`,
    `tasks: ${tasks.map((t) => `${t.status} ${t._count}`).join(", ") || "none"}`,
    ...logs.reverse().map((l) => `${l.timestamp.toISOString()} ${l.level} ${l.message}`),
  ].join("\n");
}
