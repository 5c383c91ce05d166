// Keeps the launcher's children running: a web or worker process that dies is started again
// after a back-off (1 s, doubling to 30 s; back to 1 s once a process has stayed up a minute),
// and each restart is logged. Stopping ends them all (SIGTERM, then SIGKILL after the grace).
import { type ChildProcess, spawn } from "node:child_process";

export type ChildSpec = { name: string; command: string; args: string[]; env: NodeJS.ProcessEnv };

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const STABLE_MS = 60_000;

/** The wait before the next start, after a run that lasted `upMs`, given the last wait. */
export function nextRestartDelay(lastDelayMs: number, upMs: number): number {
  if (upMs >= STABLE_MS || lastDelayMs === 0) return FIRST_DELAY_MS;
  return Math.min(MAX_DELAY_MS, lastDelayMs * 2);
}

export class Supervisor {
  private readonly running = new Map<string, ChildProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;

  constructor(private readonly log: (message: string) => void) {}

  start(spec: ChildSpec, delayMs = 0): void {
    if (this.stopping) return;
    const startedAt = Date.now();
    const child = spawn(spec.command, spec.args, { stdio: "inherit", env: spec.env });
    this.running.set(spec.name, child);
    child.once("exit", (code, signal) => {
      this.running.delete(spec.name);
      if (this.stopping) return;
      const wait = nextRestartDelay(delayMs, Date.now() - startedAt);
      this.log(`The ${spec.name} process stopped (${signal ?? `exit code ${code}`}); starting it again in ${Math.round(wait / 1000)} s.`);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.start(spec, wait);
      }, wait);
      this.timers.add(timer);
    });
  }

  pid(name: string): number | undefined {
    return this.running.get(name)?.pid;
  }

  /** SIGTERM to every child, SIGKILL to those still running after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(
      [...this.running.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => {
              child.kill("SIGKILL");
              resolve();
            }, graceMs);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  }
}
