// Global setup for browser tests: the real app started by our launcher (build if needed,
// migrate, web + worker) against a fresh database, on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { findFreePort } from "../../lib/db/embedded";
import { startFakeHub } from "../support/hf-hub-server";
import { createTestDatabase } from "../support/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    appDatabaseUrl: string;
    appStorageDir: string;
  }
}

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

export default async function setup(project: TestProject) {
  const databaseUrl = await createTestDatabase(project.getProvidedContext().pgServerUrl, "e2e");
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-e2e-storage-"));
  const port = await findFreePort(0);
  // The Hub the app looks base models up on: recorded metadata of real models, on loopback.
  const hub = await startFakeHub({ tokens: [] });
  const appUrl = `http://127.0.0.1:${port}`;
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["lib/launcher/main.ts", "start"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      STORAGE_DIR: storage,
      APP_URL: appUrl,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      WORKER_SHUTDOWN_GRACE_S: "3",
      HF_ENDPOINT: hub.url,
      // The fake LLM servers and sshd listen on loopback, listed as an administrator would.
      OUTBOUND_ALLOW: "127.0.0.1,localhost,::1",
      // Training in the browser tests runs the stand-in trainer (the box has no PyTorch).
      RUNNER_PROGRAM_DIR: path.resolve("tests/support/fake-runner"),
      TRAIN_POLL_MS: "300",
      TRAIN_STALL_CHECK_S: "3",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForHealth(appUrl, child, 600_000);
  // Beside the app's own worker: one that runs the test-only job types.
  const testWorker = spawn(process.execPath, ["--import", "tsx", "tests/support/test-worker.ts", "--only-diagnostic"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, STORAGE_DIR: storage, LOG_LEVEL: "warn", AUTH_SECRET: "unused-by-the-worker-0123456789abcdef", SECRET_KEY: Buffer.alloc(32, 9).toString("base64") },
    stdio: ["ignore", "inherit", "inherit"],
  });
  project.provide("appUrl", appUrl);
  project.provide("appDatabaseUrl", databaseUrl);
  project.provide("appStorageDir", storage);
  return async () => {
    testWorker.kill("SIGKILL");
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
    fs.rmSync(storage, { recursive: true, force: true });
    await hub.stop();
  };
}
