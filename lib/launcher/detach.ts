// Ctrl-C in a terminal signals the whole foreground process group at once: npm, the launcher,
// the worker and the embedded PostgreSQL. PostgreSQL would then shut down while the worker still
// writes its last progress. So the launcher starts itself again as the leader of a process
// group of its own, and this first copy only forwards the signals it receives and waits: the
// second copy stops the web and the worker first and the database last. If the first copy dies
// without a word (SIGKILL), the second notices that its parent is gone and stops the same way.
import { spawn } from "node:child_process";

const DETACHED = "FTF_LAUNCHER_DETACHED";

export async function runDetached(main: () => Promise<void>): Promise<void> {
  if (process.env[DETACHED] === "1") {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
    }, 1000).unref();
    return main();
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: "inherit",
    env: { ...process.env, [DETACHED]: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
    });
  }
  const code = await new Promise<number>((resolve) => child.once("exit", (exit, signal) => resolve(exit ?? (signal ? 1 : 0))));
  process.exit(code);
}
