// The split deployment, as a team would run it past one machine: PostgreSQL from Debian's packages
// (not the embedded one), an S3-compatible bucket, `npm run db:migrate` as a deploy step, the web
// app from its production build as an unprivileged user who cannot write to the checkout, and
// workers as processes of their own. A browser uploads 50 MB straight to the bucket, a worker
// chunks it, a generation runs while a second worker joins (nothing is done twice), a training
// run on the loopback GPU box leaves its artifacts in the bucket, and the web process leaves
// nothing on local disk.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { db, disconnectDb } from "@/lib/db/client";
import { findFreePort } from "@/lib/db/embedded";
import { resetEnvCache } from "@/lib/env";
import { saveGenerationSettings, startGeneration } from "@/lib/generation";
import { stopSender } from "@/lib/jobs/boss";
import { createProvider } from "@/lib/llm";
import { confirmRunnerHostKey, createRunner, probeRunnerHostKey } from "@/lib/runners";
import { getStorage, resetStorage } from "@/lib/storage";
import { startTraining } from "@/lib/training";
import { launchBrowser, screenshot } from "../support/browser";
import { writeLargeManual } from "../support/corpus";
import { type DebianPostgres, debianPostgresUnavailable, startDebianPostgres } from "../support/debian-postgres";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createTeam, TEST_PASSWORD, type Team } from "../support/fixtures";
import { BROWSER_UPLOAD_CORS, type S3TestServer, startS3Server } from "../support/s3-server";
import { startSshd, type TestSshd } from "../support/sshd";
import { waitFor, waitForJob } from "../support/worker-process";

const TSX = path.resolve("node_modules/.bin/tsx");
const unavailable = debianPostgresUnavailable();
if (unavailable) console.warn(`The split-deployment test is skipped: ${unavailable}.`);

let pg: DebianPostgres;
let s3: S3TestServer;
let llm: FakeLlm;
let sshd: TestSshd;
let browser: Browser;
let page: Page;
let team: Team;
let scratch: string;
let webUrl: string;
let webStorage: string;
let env: Record<string, string>;
const processes: Array<{ name: string; child: ChildProcess; output: () => string }> = [];
const requests: string[] = [];

function start(name: string, args: string[], extra: Record<string, string>, user?: { uid: number; gid: number }) {
  let output = "";
  const child = spawn(TSX, args, { env: { ...process.env, ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"], ...(user ?? {}) });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const entry = { name, child, output: () => output };
  processes.push(entry);
  return entry;
}

/** Every file under `dir` with its size and modification time, for "nothing was written". */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const stat = fs.statSync(full);
        out.set(path.relative(dir, full), `${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

let checkoutBefore: Map<string, string>;
const watched = [".next", "app", "lib", "components", "prisma", "worker"].filter((dir) => fs.existsSync(dir));

describe.skipIf(unavailable)("split deployment: Debian PostgreSQL, a bucket, a read-only web tier and separate workers", () => {
  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-e2e-split-"));
    writeLargeManual(path.join(scratch, "plant-manual.md"), 50 * 1024 * 1024);

    [pg, s3, llm] = await Promise.all([startDebianPostgres(), startS3Server("ftf-split", { cors: BROWSER_UPLOAD_CORS }), startFakeLlm()]);
    const port = await findFreePort(0);
    webUrl = `http://127.0.0.1:${port}`;
    // The web tier's storage folder is one it may not write to: nothing should need it.
    webStorage = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-split-web-"));
    fs.chmodSync(webStorage, 0o700);
    env = {
      NODE_ENV: "production",
      DATABASE_URL: pg.url,
      AUTH_SECRET: crypto.randomBytes(32).toString("hex"),
      SECRET_KEY: crypto.randomBytes(32).toString("base64"),
      STORAGE_DRIVER: "s3",
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
      MIGRATE_ON_START: "false",
      OUTBOUND_ALLOW: "127.0.0.1,localhost,::1",
      LOG_LEVEL: "warn",
      WORKER_SHUTDOWN_GRACE_S: "3",
      // Training runs the stand-in trainer over SSH on the loopback "GPU box".
      RUNNER_PROGRAM_DIR: path.resolve("tests/support/fake-runner"),
      TRAIN_POLL_MS: "300",
      TRAIN_STALL_CHECK_S: "3",
    };

    // The deploy step: migrations first, from the command.
    execFileSync(TSX, ["lib/db/cli.ts", "migrate"], { env: { ...process.env, ...env }, stdio: "pipe" });

    // This test's own data goes to the same database and bucket.
    await disconnectDb();
    Object.assign(process.env, { DATABASE_URL: pg.url, STORAGE_DRIVER: "s3", S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint });
    Object.assign(process.env, { S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: "true" });
    // Secrets sealed here (the runner's key) are opened by the workers: the same SECRET_KEY.
    Object.assign(process.env, { SECRET_KEY: env.SECRET_KEY, AUTH_SECRET: env.AUTH_SECRET, OUTBOUND_ALLOW: env.OUTBOUND_ALLOW });
    resetEnvCache();
    resetStorage();
    sshd = await startSshd();

    checkoutBefore = new Map(watched.flatMap((dir) => [...snapshot(dir)].map(([k, v]) => [`${dir}/${k}`, v] as [string, string])));
    // Its own temporary folder (tsx keeps its IPC socket there): the run's is not nobody's.
    const webTmp = fs.mkdtempSync(path.join(scratch, "web-tmp-"));
    fs.chmodSync(scratch, 0o755);
    fs.chownSync(webTmp, 65534, 65534);
    const web = { PORT: String(port), HOSTNAME: "127.0.0.1", APP_URL: webUrl, STORAGE_DIR: webStorage, TMPDIR: webTmp };
    start("web", ["lib/launcher/main.ts", "web"], web, { uid: 65534, gid: 65534 });
    start("worker-1", ["lib/launcher/main.ts", "worker"], { STORAGE_DIR: path.join(scratch, "worker-1"), INSTALL_SYSTEM_PACKAGES: "false" });
    await waitFor(
      "the web tier and a worker to be ready",
      async () => {
        const dead = processes.find((p) => p.child.exitCode !== null);
        if (dead) throw new Error(`${dead.name} exited:\n${dead.output()}`);
        return (await fetch(`${webUrl}/api/health`).catch(() => null))?.status === 200;
      },
      240_000,
      500,
    );

    team = await createTeam("Split team");
    browser = await launchBrowser();
    page = await (await browser.newContext({ baseURL: webUrl, viewport: { width: 1280, height: 900 } })).newPage();
    page.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
  }, 10 * 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const { child } of processes) child.kill("SIGTERM");
    await Promise.all(processes.map(({ child }) => (child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : null)));
    await stopSender();
    await disconnectDb();
    await llm?.stop();
    await sshd?.stop();
    await s3?.stop();
    pg?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(webStorage, { recursive: true, force: true });
  });

  it("a browser uploads 50 MB straight to the bucket and a worker chunks it", async () => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(team.members.editor.email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    await page.goto(`/w/${team.workspace.slug}/p/${team.project.id}/sources`);
    await page.getByTestId("file-input").setInputFiles(path.join(scratch, "plant-manual.md"));
    const row = page.getByTestId("source-plant-manual.md");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 240_000 }).toBe("ready");
    await screenshot(page, "split-deployment-sources");
    const puts = requests.filter((r) => r.startsWith(`PUT ${s3.endpoint}/`));
    expect(puts).toHaveLength(4);
    expect(requests.filter((r) => r.startsWith(`PUT ${webUrl}`) || r.startsWith(`POST ${webUrl}/api/projects/`))).toEqual([]);
    const file = await db.file.findFirstOrThrow({ where: { projectId: team.project.id, filename: "plant-manual.md" } });
    expect(Number(file.sizeBytes)).toBeGreaterThan(50 * 1024 * 1024);
    expect(await db.chunk.count({ where: { sourceFileId: file.id } })).toBeGreaterThan(1000);
  }, 300_000);

  it("a generation runs on a worker; a second worker joining mid-job does none of its work twice", async () => {
    llm.setMode("slow", { latencyMs: 400 });
    const admin = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
    const provider = await createProvider(admin, {
      name: "Fake OpenAI",
      kind: "openai",
      baseUrl: fakeBaseUrl(llm, "openai"),
      defaultModel: "fake-chat",
      options: { concurrency: 4, requestsPerMinute: 0, timeoutMs: 10_000 },
    });
    const ctx = await requireProject(team.members.editor, team.project.id, "jobs.run");
    await db.project.update({ where: { id: team.project.id }, data: { taskType: "qa", config: { examples_per_chunk: 1, num_examples_target: 160 } } });
    await saveGenerationSettings(ctx, { provider_id: provider.id, model: "fake-chat" });
    const before = llm.requests.length;
    const job = await startGeneration(ctx);
    await waitFor("some chunks", async () => (await db.generationTask.count({ where: { jobId: job.id, status: "done" } })) >= 10, 120_000, 200);
    const joined = start("worker-2", ["lib/launcher/main.ts", "worker"], { STORAGE_DIR: path.join(scratch, "worker-2"), INSTALL_SYSTEM_PACKAGES: "false" });
    await waitFor(
      "the second worker's heartbeat",
      async () => /Worker \S+ started/.test(joined.output()) || (await db.setting.count({ where: { key: { startsWith: "worker.heartbeat." } } })) >= 2,
      120_000,
      500,
    );
    const done = await waitForJob(job.id, ["success", "failed"], 300_000);
    expect(done.status, done.errorMessage ?? "").toBe("success");
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, isValid: true } })).toBeGreaterThanOrEqual(160);
    // Each chunk asked once: the calls the server saw are the attempts the job recorded.
    const calls = llm.requests.slice(before).filter((r) => r.path.endsWith("/chat/completions")).length;
    const attempts = await db.generationTask.aggregate({ where: { jobId: job.id }, _sum: { attempts: true } });
    expect(calls).toBe(attempts._sum.attempts);
    expect(await db.generationTask.count({ where: { jobId: job.id, attempts: { gt: 1 } } })).toBe(0);
    const examples = await db.datasetExample.findMany({ where: { jobId: job.id }, select: { naturalKey: true } });
    expect(new Set(examples.map((e) => e.naturalKey)).size).toBe(examples.length);
  }, 600_000);

  it("a training run on the GPU box (the stand-in trainer over SSH) finishes with its artifacts in the bucket", async () => {
    await db.project.update({ where: { id: team.project.id }, data: { baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" } });
    const admin = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "settings.manage");
    const runner = await createRunner(admin, {
      name: "gpu-box",
      kind: "ssh",
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      workDir: path.join(sshd.workDir, crypto.randomUUID()),
      pythonPath: "python3",
      privateKey: sshd.privateKey,
    });
    await confirmRunnerHostKey(admin, runner.id, (await probeRunnerHostKey(admin, runner.id)).fingerprint);
    const ctx = await requireProject(team.members.editor, team.project.id, "training.launch");
    const { runId, jobId } = await startTraining(ctx, { runnerId: runner.id, presetId: "builtin:lora-quick" });
    await db.run.update({ where: { id: runId }, data: { parameters: { runner_extra: { fake: { steps: 12, step_ms: 100, eval_every: 4, save_every: 4 } } } } });
    const job = await waitForJob(jobId, ["success", "failed"], 300_000);
    expect(job.status, job.errorMessage ?? "").toBe("success");
    const files = await db.file.findMany({ where: { runId }, select: { filename: true, storagePath: true, sizeBytes: true } });
    expect(files.map((f) => f.filename)).toEqual(expect.arrayContaining([expect.stringMatching(/adapter_model\.safetensors$/)]));
    for (const file of files) expect((await getStorage().stat(file.storagePath))?.size, file.filename).toBe(Number(file.sizeBytes));
    expect(getStorage().name).toBe("s3");
  }, 400_000);

  it("the web tier wrote nothing to local disk: not its storage folder, not the checkout", () => {
    expect(fs.readdirSync(webStorage)).toEqual([]);
    const after = new Map(watched.flatMap((dir) => [...snapshot(dir)].map(([k, v]) => [`${dir}/${k}`, v] as [string, string])));
    const changed = [...after].filter(([k, v]) => checkoutBefore.get(k) !== v).map(([k]) => k);
    expect(changed).toEqual([]);
    const web = processes.find((p) => p.name === "web");
    expect(web?.output()).not.toMatch(/EACCES|permission denied/i);
  });
});
