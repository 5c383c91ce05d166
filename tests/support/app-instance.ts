// The real app started by our launcher (build if needed, migrate, web + worker) against a
// database of its own, on a free port: the browser tests' app (tests/setup/global-app.ts), and a
// second one for a test that needs other settings (the real trainer, tests/e2e/real-training.test.ts).
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "../../lib/db/embedded";
import { createTestDatabase } from "./postgres";

export type AppInstance = { url: string; databaseUrl: string; storageDir: string; stop: () => Promise<void> };

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The app exited early (code ${child.exitCode}); see the output above.`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`The app did not become healthy within ${timeoutMs / 1000} s.`);
}

export async function startAppInstance(pgServerUrl: string, prefix: string, extraEnv: Record<string, string>): Promise<AppInstance> {
  const databaseUrl = await createTestDatabase(pgServerUrl, prefix);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), `ftf-${prefix}-storage-`));
  const port = await findFreePort(0);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["lib/launcher/main.ts", "start"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      STORAGE_DIR: storageDir,
      APP_URL: url,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      WORKER_SHUTDOWN_GRACE_S: "3",
      ...extraEnv,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForHealth(url, child, 600_000);
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(undefined);
      }, 15_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    fs.rmSync(storageDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  return { url, databaseUrl, storageDir, stop };
}
