// Global setup for browser tests: the real app started by our launcher (build if needed,
// migrate, web + worker) against a fresh database, on a free port.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startAppInstance } from "../support/app-instance";
import { startFakeHub } from "../support/hf-hub-server";

declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    appDatabaseUrl: string;
    appStorageDir: string;
  }
}

export default async function setup(project: TestProject) {
  // The Hub the app looks base models up on: recorded metadata of real models, on loopback.
  // Its one dataset has no data files of its own, only the Hub's Parquet conversion.
  const hub = await startFakeHub({
    tokens: [],
    datasets: {
      "acme/shutdown-steps": {
        files: { "README.md": "# Shutdown steps\n", "shutdown_steps.py": "# a loading script\n" },
        parquet: { "default/train/0000.parquet": fs.readFileSync(path.resolve("tests/fixtures/datasets/chat-zstd.parquet")) },
      },
    },
  });
  const app = await startAppInstance(project.getProvidedContext().pgServerUrl, "e2e", {
    HF_ENDPOINT: hub.url,
    // The fake LLM servers and sshd listen on loopback, listed as an administrator would.
    OUTBOUND_ALLOW: "127.0.0.1,localhost,::1",
    // Training in most browser tests runs the stand-in trainer (fast); tests/e2e/real-training.test.ts
    // starts its own app with the real one.
    RUNNER_PROGRAM_DIR: path.resolve("tests/support/fake-runner"),
    TRAIN_POLL_MS: "300",
    TRAIN_STALL_CHECK_S: "3",
  });
  // Beside the app's own worker: one that runs the test-only job types.
  const testWorker = spawn(process.execPath, ["--import", "tsx", "tests/support/test-worker.ts", "--only-diagnostic"], {
    env: {
      ...process.env,
      DATABASE_URL: app.databaseUrl,
      STORAGE_DIR: app.storageDir,
      LOG_LEVEL: "warn",
      AUTH_SECRET: "unused-by-the-worker-0123456789abcdef",
      SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  project.provide("appUrl", app.url);
  project.provide("appDatabaseUrl", app.databaseUrl);
  project.provide("appStorageDir", app.storageDir);
  return async () => {
    testWorker.kill("SIGKILL");
    await app.stop();
    await hub.stop();
  };
}
