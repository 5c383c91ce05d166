// The training loop in a real browser: register the loopback sshd as a GPU runner and trust its
// host key, look the base model up, read the preflight, launch, watch the loss chart move, get
// the adapter back; then evaluate, compare two runs and download the bundle.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash } from "@/lib/datasets/hash";
import { db } from "@/lib/db/client";
import { listZip, readZipEntry } from "@/lib/exports/zip";
import { launchBrowser, screenshot } from "../support/browser";
import { signedInPage } from "../support/e2e";
import { type FakeLlm, type FakeMessage, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createTeam, type Team } from "../support/fixtures";
import { startSshd, type TestSshd } from "../support/sshd";

let browser: Browser;
let page: Page;
let team: Team;
let sshd: TestSshd;
let base: string;
let llm: FakeLlm;

/** The test-set writer and answerer: four questions per chunk; answers that know the refund days. */
function testSetResponder(messages: FakeMessage[]): string {
  const user = messages.at(-1)?.content ?? "";
  if (user.startsWith("Read the source text below and write test questions")) {
    const plan = Number(/plan (\d+)/.exec(user)?.[1] ?? 0);
    return JSON.stringify({
      questions: [
        { type: "true_false", question: `Plan ${plan} refunds take ${plan + 2} days.`, answer: true },
        {
          type: "multiple_choice",
          question: `How fast does plan ${plan} refund?`,
          options: [`${plan + 2} days`, "A month", "Never", "A year"],
          answer: `${plan + 2} days`,
        },
        { type: "short_answer", question: `How many days do plan ${plan} refunds take?`, answer: `${plan + 2} days` },
        {
          type: "open_answer",
          question: `Explain plan ${plan}'s refunds.`,
          answer: `Plan ${plan} refunds within ${plan + 2} days.`,
          rubric: "Gives the days.",
        },
      ],
    });
  }
  if (user.startsWith("Grade the assistant's answer")) return JSON.stringify({ faithfulness: 4, correctness: 4, helpfulness: 4, score: 4, reason: "Fine." });
  if (user.startsWith("Is the following statement true or false?")) return "True";
  if (user.includes("Answer with the letter of the correct option only.")) return "A";
  return "It takes a few days.";
}

async function runIds(): Promise<string[]> {
  return (await db.run.findMany({ where: { projectId: team.project.id }, orderBy: { createdAt: "asc" }, select: { id: true } })).map((r) => r.id);
}

async function launchAndFinish(rank: number): Promise<void> {
  await page.goto(`${base}/train`);
  const box = await db.runner.findFirstOrThrow({ where: { workspaceId: team.workspace.id, name: "lab-box" } });
  await page.getByLabel("Runner").selectOption(box.id);
  await page.getByLabel("LoRA rank (r)").fill(String(rank));
  await page.getByTestId("preflight").waitFor();
  // The loopback box's check found no GPU: Launch waits until the run allows the CPU.
  await expect.poll(() => page.getByTestId("preflight-verdict").textContent()).toBe("No GPU");
  expect(await page.getByTestId("launch-training").isDisabled()).toBe(true);
  await page.getByLabel("Allow the CPU (tiny models, tests)").click();
  await expect.poll(() => page.getByTestId("launch-training").isDisabled()).toBe(false);
  await page.getByTestId("launch-training").click();
  await page.waitForURL(/\/train\/[0-9a-f-]{36}$/);
  // Live: the chart gains points while the run trains, without a reload.
  const chart = page.getByTestId("step-chart").first();
  await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 60_000 }).toBeGreaterThan(2);
  const early = Number(await chart.getAttribute("data-points"));
  await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 60_000 }).toBeGreaterThan(early);
  await page.getByTestId("run-files").waitFor({ timeout: 90_000 });
}

beforeAll(async () => {
  llm = await startFakeLlm({});
  llm.setResponder(testSetResponder);
  sshd = await startSshd();
  team = await createTeam("Training team");
  await db.run.deleteMany({ where: { projectId: team.project.id } });
  await db.project.update({ where: { id: team.project.id }, data: { name: "Handbook QA", baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" } });
  await db.datasetExample.createMany({
    data: Array.from({ length: 24 }, (_, i) => ({
      projectId: team.project.id,
      naturalKey: `e2e:${i}`,
      split: i % 6 === 0 ? ("eval" as const) : ("train" as const),
      data: { instruction: `How many days does refund plan ${i} take?`, input: "", output: `Plan ${i} refunds within ${i + 2} days.` },
      contentHash: contentHash({ instruction: `How many days does refund plan ${i} take?`, input: "", output: `Plan ${i} refunds within ${i + 2} days.` }),
      tokenCount: 20,
    })),
  });
  await db.datasetExample.deleteMany({ where: { projectId: team.project.id, naturalKey: { startsWith: "fixture:" } } });
  // Sources for a test set: three chunks of the fixture source, and the fake LLM as the project's generation model.
  await db.file.update({ where: { id: team.source.id }, data: { status: "ready" } });
  await db.chunk.createMany({
    data: [0, 1, 2].map((i) => ({
      projectId: team.project.id,
      sourceFileId: team.source.id,
      chunkIndex: i,
      content: `Refund plan ${i}: customers on plan ${i} get their money back within ${i + 2} days.`,
      tokenCount: 20,
    })),
  });
  const provider = await db.llmProvider.create({
    data: { workspaceId: team.workspace.id, name: "Test LLM", kind: "openai", baseUrl: fakeBaseUrl(llm, "openai"), defaultModel: "fake-chat", options: {} },
  });
  await db.project.update({ where: { id: team.project.id }, data: { config: { generation: { provider_id: provider.id, model: "fake-chat" } } } });
  base = `/w/${team.workspace.slug}/p/${team.project.id}`;
  browser = await launchBrowser();
  page = await signedInPage(browser, team.members.owner.email);
}, 120_000);

afterAll(async () => {
  await llm?.stop();
  await browser?.close();
  await sshd?.stop();
});

describe("training in the browser", () => {
  it("adds the loopback box as a runner and trusts its host key after comparing the fingerprint", async () => {
    await page.goto(`/w/${team.workspace.slug}/settings`);
    await page.getByRole("button", { name: "Add runner" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("lab-box");
    await dialog.getByLabel("Host").fill(sshd.host);
    await dialog.getByLabel("Port").fill(String(sshd.port));
    await dialog.getByLabel("User").fill(sshd.username);
    await dialog.getByLabel("Work directory").fill(fs.mkdtempSync(path.join(os.tmpdir(), "ftf-e2e-box-")));
    await dialog.getByLabel("Python (optional)").fill("python3");
    await dialog.getByLabel("Private key (optional)").fill(sshd.privateKey);
    await dialog.getByRole("button", { name: "Add runner" }).click();
    const row = page.getByTestId("runner-lab-box");
    await row.getByText("host key not confirmed").waitFor();
    await expect.poll(() => row.textContent()).toMatch(/python: python3/);
    // The private key never comes back to the browser; its public half does.
    expect(await page.content()).not.toContain("PRIVATE KEY");
    await expect.poll(() => row.getByTestId("runner-public-key").textContent()).toMatch(/^ssh-ed25519 /);

    await row.getByRole("button", { name: "Host key" }).click();
    await page.getByRole("button", { name: "Fetch the host key" }).click();
    await expect.poll(() => page.getByTestId("host-fingerprint").textContent()).toBe(sshd.hostFingerprint);
    await page.getByRole("button", { name: "Trust this key" }).click();
    await row.getByText("host key trusted").waitFor();
    await row.getByRole("button", { name: "Check" }).click();
    await row.getByTestId("runner-check").waitFor({ timeout: 30_000 });
    await expect.poll(() => row.getByTestId("runner-check").textContent()).toMatch(/Python 3\.\d+/);
    await screenshot(page, "training-01-runner");
  });

  it("looks the base model up and shows the preflight before launch", async () => {
    await page.goto(`${base}/train`);
    const box = await db.runner.findFirstOrThrow({ where: { workspaceId: team.workspace.id, name: "lab-box" } });
    await page.getByLabel("Runner").selectOption(box.id);
    await page.getByRole("button", { name: "Look up on the Hub" }).click();
    await expect.poll(() => page.getByTestId("model-info").textContent(), { timeout: 30_000 }).toMatch(/494 M/);
    await expect.poll(() => page.getByTestId("model-info").textContent()).toMatch(/apache-2\.0/);
    await page.getByTestId("preflight").waitFor();
    await expect.poll(() => page.getByTestId("preflight-vram").textContent()).toMatch(/≈ \d+(\.\d)? GB/);
    await expect.poll(() => page.getByTestId("preflight-steps").textContent()).toMatch(/^\d+$/);
    await expect.poll(() => page.getByTestId("preflight").textContent()).toMatch(/No NVIDIA GPU on lab-box: its last check found none/);
    expect(await page.getByTestId("preflight").textContent()).toMatch(/Tokens \(estimate\)/);
    await screenshot(page, "training-02-preflight");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "training-02-preflight-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("launches, the loss chart moves live, and the run completes with its adapter", async () => {
    await launchAndFinish(8);
    const files = page.getByTestId("run-files");
    await expect.poll(() => files.textContent()).toMatch(/adapter_model\.safetensors/);
    await expect.poll(() => files.textContent()).toMatch(/sha256 [0-9a-f]{12}/);
    await expect.poll(() => page.getByTestId("run-train-loss").textContent()).toMatch(/^\d\.\d{4}$/);
    const run = await db.run.findFirstOrThrow({ where: { projectId: team.project.id }, include: { runner: true } });
    expect(run.runner?.name).toBe("lab-box");
    expect(run.parameters).toMatchObject({ allow_cpu: true });
    // Throughput with its formula, and the exact counts of the prepare step.
    await expect.poll(() => page.getByTestId("run-mfu").textContent()).toMatch(/^\d+\.\d%$/);
    expect(await page.getByTestId("mfu-formula").textContent()).toMatch(
      /^MFU = tokens\/s × model FLOPs per token ÷ the GPU's peak bf16 FLOP\/s\. Model FLOPs: 3 GFLOP per token; peak: 165 TFLOP\/s/,
    );
    expect(await page.getByTestId("run-prepared").textContent()).toMatch(
      /train: 20 examples → \d+ packed sequences?, \d+ tokens, 0 truncated at max length, 0 dropped/,
    );
    await screenshot(page, "training-03-run");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "training-03-run-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    // The next preflight and the dataset stats count with the base model's tokenizer now.
    await page.goto(`${base}/train`);
    await expect
      .poll(() => page.getByTestId("preflight-exact").textContent(), { timeout: 30_000 })
      .toMatch(/with Qwen\/Qwen2\.5-0\.5B-Instruct's tokenizer .*20 examples → /);
    expect(await page.getByTestId("preflight").textContent()).toMatch(/Tokens \(exact\)/);
    await page.goto(`${base}/dataset`);
    await expect.poll(() => page.getByTestId("exact-token-counts").textContent()).toMatch(/train: 20 examples → \d+ packed sequences?/);
    await screenshot(page, "training-03-dataset-exact");
  }, 180_000);

  it("is evaluated by itself; after a second run, the two compare side by side", async () => {
    const [first] = await runIds();
    await page.goto(`${base}/evaluate?run=${first}`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId("eval-figures").count();
        },
        { timeout: 90_000, interval: 2000 },
      )
      .toBe(1);
    expect(await page.getByTestId("sample-row").count()).toBe(4);
    await screenshot(page, "training-04-evaluate");

    await launchAndFinish(16);
    const ids = await runIds();
    expect(ids).toHaveLength(2);
    await page.goto(`${base}/evaluate/compare?runs=${ids.join(",")}`);
    const metrics = page.getByTestId("compare-metrics");
    await expect.poll(() => metrics.locator("thead th").count()).toBe(3);
    await expect.poll(() => page.locator('[data-differs="true"]').first().textContent()).toMatch(/lora_r/);
    await screenshot(page, "training-05-compare");
  }, 240_000);

  it("test set: written from the documents, reviewed, answered by the run (base and tuned) and a provider's model, compared blind in the arena, and shown at the Export gate", async () => {
    const [first] = await runIds();
    await page.goto(`${base}/evaluate/test-sets`);
    await page.getByLabel("Name").fill("Refund check");
    await page.getByLabel("Chunks").fill("3");
    await page.getByRole("button", { name: "Write the test set" }).click();
    await page.waitForURL(/\/evaluate\/test-sets\/[0-9a-f-]{36}$/);
    const questions = page.getByTestId("test-question");
    await expect.poll(() => questions.count(), { timeout: 60_000 }).toBe(12);
    await screenshot(page, "test-set-01-questions");
    // Review: one question rejected is neither asked nor scored.
    await questions.first().getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => questions.first().getAttribute("data-review")).toBe("rejected");

    // The run answers with its base and tuned models on its runner; then the provider's model, its open answers judged after the estimate.
    // The second run's own evaluation must be done first: one evaluation runs per project at a time.
    await expect
      .poll(() => db.job.count({ where: { projectId: team.project.id, type: "eval", status: { in: ["queued", "running", "retrying"] } } }), { timeout: 90_000 })
      .toBe(0);
    await page.getByLabel("Model", { exact: true }).selectOption(`run:${first}`);
    await page.getByTestId("answer-test-set").click();
    const report = page.getByTestId("test-set-report");
    await expect.poll(async () => (await report.count()) && report.locator("tbody tr").count(), { timeout: 90_000 }).toBe(2);
    await page.getByLabel("Model", { exact: true }).selectOption({ label: "Test LLM" });
    await page.getByLabel("Judge for open answers").selectOption({ label: "Test LLM · fake-chat" });
    await expect.poll(() => page.getByTestId("judge-estimate").textContent()).toMatch(/Judging 3 open answers per model: about [\d,]+ tokens in/);
    await page.getByTestId("answer-test-set").click();
    await expect.poll(() => report.locator("tbody tr").count(), { timeout: 60_000 }).toBe(3);
    expect(await report.textContent()).toContain("Test LLM · fake-chat");
    expect(await page.getByTestId("tuned-vs-base").textContent()).toMatch(/better than its base on \d+ questions, worse on \d+/);
    await screenshot(page, "test-set-02-report");

    // The arena: two hidden answers, a pick each time, the tally after.
    await page.getByRole("link", { name: "Compare answers blind in the arena" }).click();
    await page.getByTestId("arena-item").waitFor();
    await page.getByLabel("One model").selectOption({ label: (await page.getByLabel("One model").locator("option", { hasText: "Base" }).textContent()) ?? "" });
    await page
      .getByLabel("The other")
      .selectOption({ label: (await page.getByLabel("The other").locator("option", { hasText: "Tuned" }).textContent()) ?? "" });
    for (let i = 0; i < 3; i++) {
      const before = await page.getByTestId("arena-item").textContent();
      await page.getByRole("button", { name: i === 2 ? "About the same" : "B is better" }).click();
      await expect
        .poll(async () => (await page.getByTestId("arena-item").count()) === 0 || (await page.getByTestId("arena-item").textContent()) !== before)
        .toBe(true);
    }
    await expect.poll(() => page.getByTestId("arena-tally").textContent()).toMatch(/3/);
    await screenshot(page, "test-set-03-arena");

    // The Export step shows the test set's verdict beside the eval split's.
    await page.goto(`${base}/export`);
    await page.getByLabel("Run").selectOption(first);
    await expect.poll(() => page.getByTestId("test-set-gate").textContent()).toMatch(/"Refund check"/);
    expect(await page.getByTestId("test-set-gate").textContent()).toMatch(/people preferred the tuned answer \d+ times, the base \d+ times \(\d+ ties\)/);
  }, 240_000);

  it("a failed run keeps its one-line cause on the run, the log behind Show details, and the project does not fail", async () => {
    const pipLog = `${"Collecting torch==2.15.0\n  Downloading from the local index …\n".repeat(40)}ERROR: Could not find a version that satisfies the requirement torch==2.15.0 (from versions: 2.13.0+cpu, 2.14.1)`;
    const cause = "torch could not be installed: 2.15.0 is not in this box's package index (available: 2.13.0+cpu, 2.14.1).";
    const job = await db.job.create({
      data: { projectId: team.project.id, type: "train", status: "failed", payload: {}, errorMessage: cause, errorDetail: pipLog, finishedAt: new Date() },
    });
    const runner = await db.runner.findFirstOrThrow({ where: { workspaceId: team.workspace.id, name: "lab-box" } });
    const failed = await db.run.create({
      data: {
        projectId: team.project.id,
        jobId: job.id,
        name: "broken-env",
        method: "lora",
        status: "failed",
        runnerId: runner.id,
        baseModelId: "Qwen/Qwen2.5-0.5B-Instruct",
        errorMessage: cause,
        errorDetail: pipLog,
      },
    });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${base}/train/${failed.id}`);
      expect(await page.getByTestId("failure-cause").textContent()).toBe(cause);
      expect(await page.getByTestId("failure-detail").isVisible()).toBe(false);
      // Nothing above the project's pages, and nothing wider than the phone.
      expect(await page.getByTestId("project-failure").count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByText("Show details").click();
      await expect.poll(() => page.getByTestId("failure-detail").textContent()).toMatch(/torch==2\.15\.0 \(from versions: 2\.13\.0\+cpu, 2\.14\.1\)$/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "training-07-failed-run-phone");
      await page.goto(`${base}/train`);
      await expect.poll(() => page.getByTestId("run-failure").first().textContent()).toBe(cause);
      await screenshot(page, "training-07-runs-phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
      await db.run.delete({ where: { id: failed.id } });
    }
  });

  it("builds the bundle and downloads a ZIP with the adapter, model card and Modelfile", async () => {
    const [first] = await runIds();
    // The first run's evaluation finished above; wait for it before shipping.
    await expect
      .poll(async () => Boolean(((await db.run.findUniqueOrThrow({ where: { id: first } })).metrics as { evaluation?: unknown }).evaluation), {
        timeout: 60_000,
      })
      .toBe(true);
    await page.goto(`${base}/export`);
    await page.getByLabel("Run").selectOption(first);
    // Before shipping, the run's tuned-vs-base verdict from its evaluation.
    expect(await page.getByTestId("eval-gate").textContent()).toMatch(/^The tuned model (beats|is not better than) the base model on the eval split/);
    await page.getByTestId("build-bundle").click();
    const link = page.getByTestId("download-bundle").first();
    await link.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const zip = fs.readFileSync((await download.path())!);
    const paths = (await listZip(zip)).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "README.md",
        "Modelfile",
        "manifest.json",
        "adapter/adapter_model.safetensors",
        "adapter/adapter_config.json",
        "dataset/train.jsonl",
        "eval/report.json",
        "metrics/loss-curve.svg",
      ]),
    );
    expect((await readZipEntry(zip, "README.md")).toString()).toMatch(/^---\nbase_model: Qwen\/Qwen2\.5-0\.5B-Instruct/m);
    expect((await readZipEntry(zip, "Modelfile")).toString()).toMatch(/^ADAPTER \.\/adapter$/m);
    await screenshot(page, "training-06-export");
  }, 120_000);

  it("merges the adapter into the base model on the box; the next bundle carries model/ and a Modelfile that imports it", async () => {
    const [first] = await runIds();
    await page.goto(`${base}/export`);
    await page.getByLabel("Run").selectOption(first);
    await expect
      .poll(async () => page.getByTestId("ollama-route").textContent())
      .toMatch(/not at all from Ollama 0\.12\.11.*stores about [\d.]+ [KMG]B \(the base model's size\)/s);
    await page.getByTestId("merge-model").click();
    await expect.poll(async () => page.getByTestId("ollama-route").textContent(), { timeout: 60_000 }).toMatch(/Merged model ready \(LlamaForCausalLM/);
    await screenshot(page, "training-08-merged");
    const bundlesBefore = await db.export.count({ where: { runId: first, format: "bundle" } });
    await page.getByTestId("build-bundle").click();
    // The new bundle (listed first once it is done), not the one built before the merge.
    await expect
      .poll(
        async () => {
          const rows = await db.export.findMany({ where: { runId: first, format: "bundle" }, orderBy: { createdAt: "desc" } });
          return rows.length > bundlesBefore ? rows[0].status : "not yet";
        },
        { timeout: 60_000 },
      )
      .toBe("success");
    await page.reload();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-bundle").first().click()]);
    const zip = fs.readFileSync((await download.path())!);
    const paths = (await listZip(zip)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["model/config.json", "model/model.safetensors", "adapter/adapter_model.safetensors"]));
    const modelfile = (await readZipEntry(zip, "Modelfile")).toString();
    expect(modelfile).toMatch(/^FROM \.\/model$/m);
    expect(modelfile).not.toMatch(/^ADAPTER/m);
    await page.setViewportSize({ width: 390, height: 844 });
    // The page came back with the newest run selected; the merged one again.
    await page.getByLabel("Run").selectOption(first);
    await expect.poll(async () => page.getByTestId("ollama-route").textContent()).toMatch(/Merged model ready/);
    await screenshot(page, "training-08-merged-phone");
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 120_000);
});
