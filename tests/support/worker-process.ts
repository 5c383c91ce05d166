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

/** Waits until the job row reaches one of `statuses`; returns it. */
export async function waitForJob(jobId: string, statuses: string[], timeoutMs = 60_000) {
  return waitFor(
    `job to be ${statuses.join("/")}`,
    async () => {
      const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
      return statuses.includes(job.status) ? job : null;
    },
    timeoutMs,
    200,
  );
}
