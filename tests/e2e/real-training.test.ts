// Issue 12's "done when", as a new administrator would do it in the browser: on a machine whose
// Python has torch, transformers and peft, "This server" fine-tunes a tiny model end to end with
// the production runner (worker/runner), not the stand-in the other browser tests use. It runs
// its own app (the shared one trains with the stand-in) whose first account is the instance
// administrator, the only one who may add "This server". The base model is a folder on this
// machine (a 2-layer random Llama with a tokenizer trained offline): nothing is downloaded.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppInstance, startAppInstance } from "../support/app-instance";
import { launchBrowser, screenshot } from "../support/browser";
import { ensureRunnerVenv } from "../support/runner-venv";

const exec = promisify(execFile);
let app: AppInstance;
let browser: Browser;
let page: Page;
let python: string;
let modelDir: string;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-e2e-real-"));

beforeAll(async () => {
  python = await ensureRunnerVenv();
  await exec(python, [path.resolve("tests/support/tiny_model.py"), path.join(scratch, "tiny"), "--model"]);
  modelDir = path.join(scratch, "tiny", "model");
  const topics = ["warranty", "invoice", "router", "battery", "refund", "firmware", "shipping", "password"];
  const verbs = ["covers", "explains", "resets", "replaces", "includes", "requires", "lists", "describes"];
  fs.writeFileSync(
    path.join(scratch, "guides.jsonl"),
    Array.from({ length: 48 }, (_, i) =>
      JSON.stringify({ instruction: `What does the ${topics[i % 8]} guide say? (${i})`, output: `It ${verbs[(i * 3) % 8]} the ${topics[i % 8]} steps.` }),
    ).join("\n"),
  );
  app = await startAppInstance(inject("pgServerUrl"), "e2e_real", {
    RUNNER_PROGRAM_DIR: path.resolve("worker/runner"),
    ALLOW_LOCAL_RUNNERS: "true",
    // The Python an administrator allows "This server" to use: one with the runner's packages.
    LOCAL_RUNNER_PYTHONS: python,
    OUTBOUND_ALLOW: "127.0.0.1,localhost,::1",
    HF_ENDPOINT: "http://127.0.0.1:9",
    TRAIN_POLL_MS: "300",
    TRAIN_STALL_CHECK_S: "5",
  });
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('"This server" trains a real model from the browser', () => {
  it(
    "signs up as the administrator, adds This server, imports a dataset, trains, and gets the adapter back",
    async () => {
      await page.goto("/sign-up");
      await page.getByLabel("Name").fill("Ada Admin");
      await page.getByLabel("Email").fill(`admin-${crypto.randomBytes(4).toString("hex")}@example.com`);
      await page.getByLabel("Password").fill("a long enough passphrase 42");
      await page.getByRole("button", { name: /create account/i }).click();
      await page.waitForURL(/\/w\/[^/]+$/, { timeout: 60_000 });
      const workspace = new URL(page.url()).pathname;

      // This server, with the Python the administrator allowed; its Check finds torch and no GPU.
      await page.goto(`${workspace}/settings`);
      await page.getByRole("button", { name: "Add runner" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name").fill("here");
      await dialog.getByLabel("Kind").selectOption("local");
      await dialog.getByLabel("Python (optional)").fill(python);
      await dialog.getByRole("button", { name: "Add runner" }).click();
      const row = page.getByTestId("runner-here");
      await row.waitFor();
      await row.getByRole("button", { name: "Check" }).click();
      await expect.poll(() => row.getByTestId("runner-check").textContent(), { timeout: 60_000 }).toMatch(/Python 3\.\d+/);

      // A project whose base model is the folder on this machine.
      await page.goto(workspace);
      await page.getByRole("button", { name: "New project" }).first().click();
      await page.getByLabel("Name").fill("Tiny guides");
      await page.getByLabel("Task type").selectOption("instruction");
      await page.getByLabel("Base model").fill(modelDir);
      await page.getByRole("button", { name: "Create project" }).click();
      await page.waitForURL(/\/p\/[0-9a-f-]{36}$/);
      const project = new URL(page.url()).pathname;

      // The dataset comes in as a JSONL import.
      await page.goto(`${project}/sources`);
      await page.getByTestId("file-input").setInputFiles(path.join(scratch, "guides.jsonl"));
      const source = page.getByTestId("source-guides.jsonl");
      await source.getByRole("button", { name: /Import/ }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Import", exact: true }).click();
      await expect.poll(() => source.textContent(), { timeout: 60_000 }).toMatch(/Imported 48 rows: 48 valid/);

      // Train: the preflight says there is no GPU; the run allows the CPU and a high learning rate.
      await page.goto(`${project}/train`);
      // The only runner, chosen already; its last Check found no GPU.
      await expect.poll(() => page.getByLabel("Runner").locator("option:checked").textContent()).toBe("here · no GPU");
      await page.getByLabel("Learning rate").fill("0.01");
      // Packing is on: short sequences, so the 48 examples make a few dozen steps over 6 epochs.
      await page.getByLabel("Max sequence length").fill("128");
      await page.getByLabel("Epochs").fill("6");
      await page.getByLabel("Batch size").fill("2");
      await page.getByLabel("Gradient accumulation").fill("1");
      await page.getByLabel("Eval every (steps)").fill("10");
      await page.getByLabel("Checkpoint every (steps)").fill("10");
      await expect.poll(() => page.getByTestId("preflight-verdict").textContent(), { timeout: 30_000 }).toBe("No GPU");
      await page.getByLabel("Allow the CPU (tiny models, tests)").click();
      await expect.poll(() => page.getByTestId("launch-training").isDisabled()).toBe(false);
      await page.getByTestId("launch-training").click();
      await page.waitForURL(/\/train\/[0-9a-f-]{36}$/);

      // The real trainer reports as it goes: the chart fills, the run ends with its adapter.
      const chart = page.getByTestId("step-chart").first();
      await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 5 * 60_000, interval: 2000 }).toBeGreaterThan(3);
      await page.getByTestId("run-files").waitFor({ timeout: 5 * 60_000 });
      await expect.poll(() => page.getByTestId("run-files").textContent()).toMatch(/adapter_model\.safetensors/);
      await expect.poll(() => page.getByTestId("run-files").textContent()).toMatch(/adapter_config\.json/);
      const trainLoss = Number(await page.getByTestId("run-train-loss").textContent());
      // A random model starts near ln(vocabulary) ≈ 6; training brings it well down.
      expect(trainLoss).toBeGreaterThan(0);
      expect(trainLoss).toBeLessThan(5.7);
      await screenshot(page, "real-training-run");
      // The evaluation that follows a finished run runs the real model too; it ends before we leave.
      const projectId = project.split("/").pop()!;
      const jobs = async () =>
        ((await (await page.request.get(`/api/projects/${projectId}/jobs`)).json()) as { jobs: Array<{ type: string; status: string }> }).jobs;
      await expect
        .poll(async () => (await jobs()).filter((j) => ["queued", "running", "retrying"].includes(j.status)).length, { timeout: 5 * 60_000, interval: 1000 })
        .toBe(0);
      expect((await jobs()).find((j) => j.type === "eval")?.status).toBe("success");
    },
    10 * 60_000,
  );
});
