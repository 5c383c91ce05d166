// The one launcher: `npm start` (build if needed, database, migrations, web + worker),
// `npm run dev` (the same with next dev), `npm run web`, `npm run worker`.
// A web or worker process that dies is started again (./supervisor). Ctrl-C / SIGTERM stops
// the children first and the embedded database last: the launcher runs in a process group of
// its own (./detach), so the terminal's Ctrl-C does not reach PostgreSQL at the same moment as
// the worker whose last writes it must still take.
import fs from "node:fs";
import path from "node:path";
import { stopDatabaseOnSignalsOurselves } from "@/lib/db/embedded";
import { migrate, migrationStatus } from "@/lib/db/migrator";
import { type DatabaseHandle, ensureDatabase } from "@/lib/db/server";
import { ConfigError, childProcessEnv, env, resetEnvCache, setProcessEnv } from "@/lib/env";
import { installQueues } from "@/lib/jobs/boss";
import { JOB_DEFINITIONS } from "@/worker/registry";
import { buildIfNeeded } from "./build";
import { runDetached } from "./detach";
import { nodeVersionProblem } from "./node-version";
import { ensureLocalSecrets } from "./secrets";
import { type ChildSpec, Supervisor } from "./supervisor";
import { aptInstallInBackground, aptUnavailable, missingPackages, OCR_PACKAGES } from "./system-packages";

type Mode = "start" | "dev" | "web" | "worker";
const MODES: Mode[] = ["start", "dev", "web", "worker"];

const log = (message: string) => console.log(`[finetuneflow] ${message}`);
const BIN = (name: string) => path.resolve(process.cwd(), "node_modules/.bin", name);

function loadDotEnv(): void {
  for (const file of [".env", ".env.local"]) {
    if (fs.existsSync(file)) process.loadEnvFile(file);
  }
  resetEnvCache();
}

async function main(): Promise<void> {
  const tooOld = nodeVersionProblem(process.version);
  if (tooOld) throw new Error(tooOld);
  const mode = process.argv[2] as Mode;
  if (!MODES.includes(mode)) throw new Error(`Usage: launcher ${MODES.join("|")}`);
  loadDotEnv();
  const e = env();
  const secrets = ensureLocalSecrets(log);

  let database: DatabaseHandle | undefined;
  const supervisor = new Supervisor(log);
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("Stopping …");
    await supervisor.stop((e.WORKER_SHUTDOWN_GRACE_S + 5) * 1000);
    await database?.stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  stopDatabaseOnSignalsOurselves();

  database = await ensureDatabase(log);
  try {
    if (e.MIGRATE_ON_START || database.embedded) await migrate(e.DATABASE_DIRECT_URL ?? database.url, { log });
    else await assertMigrated(e.DATABASE_DIRECT_URL ?? database.url);
    // The job queues (pg-boss's own schema) are ready before the web can enqueue into them.
    setProcessEnv("DATABASE_URL", database.url);
    await installQueues(JOB_DEFINITIONS);
  } catch (error) {
    await database.stop().catch(() => {});
    throw error;
  }

  const childEnv: Record<string, string | undefined> = {
    DATABASE_URL: database.url,
    AUTH_SECRET: secrets.authSecret,
    SECRET_KEY: secrets.secretKey,
    // next-auth: a fixed public URL when configured, otherwise trust the Host header.
    NEXTAUTH_URL: e.APP_URL,
    AUTH_TRUST_HOST: e.APP_URL ? undefined : "1",
    // One machine, one team: its GPU (if any) is a runner unless the administrator says otherwise.
    ALLOW_LOCAL_RUNNERS: String(e.ALLOW_LOCAL_RUNNERS ?? database.embedded),
    // ... and its local Ollama is the one private address the server may reach unless told more.
    OUTBOUND_ALLOW: e.OUTBOUND_ALLOW ?? (database.embedded ? defaultOutboundAllow(e.OLLAMA_URL) : undefined),
  };

  const withWeb = mode !== "worker";
  const withWorker = mode !== "web";
  const specs: ChildSpec[] = [];
  if (withWeb) {
    const port = String(e.PORT);
    if (mode === "dev") {
      specs.push({
        name: "web",
        command: BIN("next"),
        args: ["dev", "-p", port, "-H", e.HOSTNAME],
        env: childProcessEnv({ ...childEnv, NODE_ENV: "development" }),
      });
    } else {
      try {
        await buildIfNeeded(log, childProcessEnv({ ...childEnv, NODE_ENV: "production" }));
      } catch (error) {
        await database.stop().catch(() => {});
        throw error;
      }
      // Our own HTTP server around Next's handler: it decides which forwarded headers to believe.
      specs.push({
        name: "web",
        command: process.execPath,
        args: ["--import", "tsx", "lib/launcher/web-server.ts"],
        env: childProcessEnv({ ...childEnv, NODE_ENV: "production", PORT: port, HOSTNAME: e.HOSTNAME }),
      });
    }
    log(`Web: http://localhost:${port}`);
  }
  if (withWorker) ensureOcrPackages(e.INSTALL_SYSTEM_PACKAGES);
  if (withWorker && fs.existsSync(path.resolve("worker/index.ts"))) {
    // node with tsx as a loader, so that signals reach the worker process itself.
    const args = mode === "dev" ? ["--import", "tsx", "--watch", "worker/index.ts"] : ["--import", "tsx", "worker/index.ts"];
    specs.push({ name: "worker", command: process.execPath, args, env: childProcessEnv(childEnv) });
  }
  for (const spec of specs) supervisor.start(spec);
}

/** With MIGRATE_ON_START=false the schema must be current already (a deploy step migrated it). */
async function assertMigrated(url: string): Promise<void> {
  const { pending } = await migrationStatus(url);
  if (pending.length === 0) return;
  throw new ConfigError(
    `The database has ${pending.length} pending migration${pending.length === 1 ? "" : "s"} (first: ${pending[0]}). Run \`npm run db:migrate\` first, or set MIGRATE_ON_START=true.`,
  );
}

runDetached(main).catch(async (error) => {
  console.error(error instanceof ConfigError ? error.message : `[finetuneflow] Could not start: ${(error as Error).message}`);
  process.exit(1);
});

/**
 * The worker reads scans with Tesseract. Missing, it is installed in the background when we are
 * root and may (INSTALL_SYSTEM_PACKAGES); the worker looks for it again before each OCR, so
 * scans processed after the install are read. Otherwise the log says what to install.
 */
function ensureOcrPackages(allowed: boolean): void {
  const pkgs = missingPackages([OCR_PACKAGES]);
  if (!pkgs.length) return;
  const cannot = allowed ? aptUnavailable() : "INSTALL_SYSTEM_PACKAGES=false";
  if (cannot) {
    log(
      `OCR needs Tesseract, which is not installed (${cannot}): scans and images will wait for it. Install it with: sudo apt-get install -y ${pkgs.join(" ")}`,
    );
    return;
  }
  log(`Installing ${pkgs.join(", ")} for OCR in the background …`);
  aptInstallInBackground(pkgs, (ok, output) =>
    log(
      ok
        ? "Tesseract is installed: scans and images can be read."
        : `Could not install Tesseract with apt-get; OCR stays off until it is installed.\n${output}`,
    ),
  );
}

/** The embedded install's allow-list: the default Ollama's host and port (OLLAMA_URL). */
function defaultOutboundAllow(ollamaUrl: string): string {
  const url = new URL(ollamaUrl);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const hosts = new Set([url.hostname, ...(["127.0.0.1", "localhost"].includes(url.hostname) ? ["127.0.0.1", "localhost", "[::1]"] : [])]);
  return [...hosts].map((host) => `${host}:${port}`).join(",");
}
