// The dataset loop in a real browser: add a provider (the fake LLM server), preview, generate
// with live progress, review (edit one, reject one), export JSONL and read its lines.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { USABLE_EXAMPLE } from "@/lib/datasets/example";
import { contentHash } from "@/lib/datasets/hash";
import { db } from "@/lib/db/client";
import { launchBrowser, screenshot } from "../support/browser";
import { signedInPage } from "../support/e2e";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";

let browser: Browser;
let page: Page;
let team: Team;
let llm: FakeLlm;
let base: string;

function unzipText(buffer: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const files: Record<string, string> = {};
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const parts: Buffer[] = [];
          stream.on("data", (d: Buffer) => parts.push(d));
          stream.on("end", () => {
            files[entry.fileName] = Buffer.concat(parts).toString("utf8");
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(files));
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  llm = await startFakeLlm({ latencyMs: 150 });
  team = await createTeam("Dataset team");
  await db.project.update({ where: { id: team.project.id }, data: { name: "Handbook QA", taskType: "qa", config: { examples_per_chunk: 2 } } });
  await db.datasetExample.deleteMany({ where: { projectId: team.project.id } });
  await db.export.deleteMany({ where: { projectId: team.project.id } });
  await db.file.update({ where: { id: team.source.id }, data: { status: "ready" } });
  await db.chunk.createMany({
    data: Array.from({ length: 24 }, (_, i) => ({
      projectId: team.project.id,
      sourceFileId: team.source.id,
      chunkIndex: i,
      content: `Policy ${i}: customers on plan ${i} get a refund within ${i + 2} days; support answers within ${(i % 3) + 1} business days.`,
      tokenCount: 30,
      metadata: { section: `Plan ${i}` },
    })),
  });
  base = `/w/${team.workspace.slug}/p/${team.project.id}/dataset`;
  browser = await launchBrowser();
  page = await signedInPage(browser, team.members.owner.email);
});

afterAll(async () => {
  await browser?.close();
  await llm?.stop();
});

describe("the dataset loop in the browser", () => {
  it("adds a provider pointing at the LLM server and tests it", async () => {
    await page.goto(`/w/${team.workspace.slug}/settings`);
    await page.getByRole("button", { name: "Add provider" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Team vLLM");
    await dialog.getByLabel("Kind").selectOption("openai");
    await dialog.getByLabel("Base URL").fill(fakeBaseUrl(llm, "openai"));
    await dialog.getByLabel("Default model").fill("fake-chat");
    await dialog.getByLabel("API key").fill("sk-e2e-secret");
    await dialog.getByLabel("Calls at once").fill("8");
    await dialog.getByRole("button", { name: "Add provider" }).click();
    const row = page.getByTestId("provider-Team vLLM");
    await row.waitFor();
    expect(await page.content()).not.toContain("sk-e2e-secret");
    await row.getByRole("button", { name: "Test" }).click();
    await row
      .getByTestId("provider-test-result")
      .getByText(/Connected in \d+ ms · 2 models/)
      .waitFor();
    await screenshot(page, "providers");
    // On a 1440 px desktop every row's buttons are in view: the tables are not cut at a narrow card.
    await page.setViewportSize({ width: 1440, height: 900 });
    for (const table of await page.locator("[data-slot=table-container]").all()) {
      expect(await table.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    }
    const edit = row.getByRole("button", { name: /^Edit/ });
    const box = await edit.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(1440);
    await screenshot(page, "providers-1440");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("previews 10 examples beside their chunks", async () => {
    await page.goto(`${base}/generate`);
    await page.getByLabel("Provider").selectOption({ label: "Team vLLM" });
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Generation settings saved.").waitFor();
    await page.getByRole("button", { name: "Preview 10 examples" }).click();
    await page.getByTestId("preview-cards").waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId("preview-cards").locator("li").count(), { timeout: 30_000 }).toBe(10);
    await screenshot(page, "preview");
  });

  it("generates the dataset with visible progress", async () => {
    await page.getByRole("button", { name: "Generate dataset" }).click();
    const running = page.locator("[data-testid^=job-]").filter({ hasText: "Generation" }).first();
    await running.waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await running.textContent()) ?? "", { timeout: 60_000 }).toMatch(/examples ·/);
    await screenshot(page, "generation-running");
    await expect.poll(() => running.locator("[data-status]").getAttribute("data-status"), { timeout: 90_000 }).toBe("success");
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, split: { in: ["train", "eval"] } } })).toBe(48);
  });

  it("reviews: edits one example and rejects another", async () => {
    await page.goto(base);
    await page.getByTestId("split-stats").waitFor();
    const rows = page.getByTestId("example-row");
    await expect.poll(() => rows.count()).toBeGreaterThan(10);
    await rows.nth(0).click();
    await page.getByTestId("source-chunk").waitFor();
    await page.getByLabel("Answer").fill("Refunds arrive within two days; support answers the same day. (edited)");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.").waitFor();
    await screenshot(page, "review-drawer");
    await page.keyboard.press("Escape");
    await rows.nth(1).getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => rows.nth(1).getAttribute("data-review")).toBe("rejected");
    await screenshot(page, "review");
  });

  it("exports JSONL without the rejected example and with the edit", async () => {
    await page.goto(`${base}/export`);
    await page.getByLabel("Format").selectOption("alpaca");
    await page.getByRole("button", { name: /Export train and eval files/ }).click();
    const row = page.getByTestId("export-alpaca");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 60_000 }).toBe("success");
    const href = await row.getByRole("link", { name: /Download/ }).getAttribute("href");
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    const files = await unzipText(Buffer.from(await response.body()));
    expect(Object.keys(files).sort()).toEqual(["README.md", "dataset_info.json", "eval.jsonl", "train.jsonl"]);
    const lines = [...files["train.jsonl"].trim().split("\n"), ...files["eval.jsonl"].trim().split("\n")].filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(47);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(["input", "instruction", "output"]);
    expect(lines.some((l) => l.output.endsWith("(edited)"))).toBe(true);
    const rejected = await db.datasetExample.findFirstOrThrow({ where: { projectId: team.project.id, reviewStatus: "rejected" } });
    expect(lines.some((l) => l.output === (rejected.data as { answer: string }).answer)).toBe(false);
  });

  it("bulk actions say how many examples and which filters; deleting by filter asks for the count; re-split gives the share", async () => {
    await page.goto(base);
    await page.getByTestId("split-stats").waitFor();
    const total = await db.datasetExample.count({ where: { projectId: team.project.id, split: { in: ["train", "eval"] } } });
    const bar = page.getByTestId("bulk-bar");
    await bar.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByTestId("bulk-confirm");
    await expect.poll(() => dialog.getByRole("heading").textContent()).toBe(`Approve ${total} examples?`);
    expect(await dialog.textContent()).toContain("Every example matching: train and eval.");
    await screenshot(page, "review-bulk-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, reviewStatus: "approved" } })).toBe(0);

    await page.getByLabel("Split", { exact: true }).selectOption("eval");
    const evalCount = await db.datasetExample.count({ where: { projectId: team.project.id, split: "eval" } });
    await bar.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => dialog.getByRole("heading").textContent()).toBe(`Delete ${evalCount} example${evalCount === 1 ? "" : "s"}?`);
    expect(await dialog.textContent()).toContain("Every example matching: split = eval.");
    const confirm = dialog.getByRole("button", { name: "Delete" });
    if (evalCount > 1) {
      await dialog.getByLabel(`Type ${evalCount} to confirm`).fill(String(evalCount + 1));
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(`Type ${evalCount} to confirm`).fill(String(evalCount));
    }
    await confirm.click();
    await page.getByText(`${evalCount} example${evalCount === 1 ? "" : "s"} deleted.`).waitFor();
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, split: "eval" } })).toBe(0);

    await page.getByRole("button", { name: "Re-split" }).click();
    const resplit = page.getByRole("dialog");
    await resplit.getByLabel("Train share (%)").fill("80");
    await resplit.getByLabel("Examples").selectOption("all");
    await screenshot(page, "review-resplit");
    await resplit.getByRole("button", { name: "Re-split" }).click();
    await expect.poll(() => page.getByTestId("split-share").textContent()).toMatch(/\(target 80 %\)/);
    const after = await db.datasetExample.groupBy({
      by: ["split"],
      where: { projectId: team.project.id, split: { in: ["train", "eval"] }, ...USABLE_EXAMPLE },
      _count: true,
    });
    const share = after.find((r) => r.split === "train")!._count / after.reduce((n, r) => n + r._count, 0);
    expect(Math.abs(share - 0.8)).toBeLessThan(0.03);
    expect(await page.getByTestId("split-share").textContent()).toContain(`${(share * 100).toFixed(1)} % train`);
  });

  it("review tools: match counts and highlighted hits, keys to move, approve and rate, tags, and an LLM rewrite shown as a diff before it is saved", async () => {
    await page.goto(base);
    const rows = page.getByTestId("example-row");
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    // Search: the count of matches and the hits marked.
    await page.getByLabel("Search examples").fill("refund");
    const expected = await db.datasetExample.count({
      where: { projectId: team.project.id, split: { in: ["train", "eval"] }, searchText: { contains: "refund" } },
    });
    await expect.poll(() => page.getByTestId("match-count").textContent()).toMatch(new RegExp(`^${expected} examples? match`));
    expect(await rows.first().locator("mark").first().textContent()).toMatch(/^refund$/i);
    await screenshot(page, "review-search");
    await page.getByLabel("Search examples").fill("");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toMatch(/in train and eval/);

    // Keys: j moves down, a approves (and moves on), 4 rates the row under the cursor.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("j");
    await expect.poll(() => rows.nth(1).getAttribute("data-active")).toBe("true");
    const second = await rows.nth(1).getAttribute("data-review");
    expect(second).not.toBe("approved");
    await page.keyboard.press("a");
    await expect.poll(() => rows.nth(1).getAttribute("data-review")).toBe("approved");
    await expect.poll(() => rows.nth(2).getAttribute("data-active")).toBe("true");
    await page.keyboard.press("4");
    await rows.nth(2).getByTitle("Rated 4 of 5").waitFor();

    // The drawer: a tag, five stars, and a rewrite proposed by the model.
    await page.keyboard.press("e");
    const drawer = page.getByRole("dialog");
    await drawer.getByTestId("source-chunk").waitFor();
    await drawer.getByLabel("Add a tag").fill("checked");
    await drawer.getByLabel("Add a tag").press("Enter");
    await drawer.getByRole("button", { name: "Remove tag checked" }).waitFor();
    await drawer.getByRole("button", { name: "Rate 5 of 5" }).click();
    await expect.poll(() => drawer.getByRole("button", { name: "Rate 5 of 5" }).getAttribute("aria-pressed")).toBe("true");
    const before = await db.datasetExample.findFirstOrThrow({ where: { projectId: team.project.id, tags: { has: "checked" } } });
    expect(before.rating).toBe(5);
    llm.setResponder(() => JSON.stringify({ question: (before.data as { question: string }).question, answer: "Refunds arrive within days." }));
    try {
      await drawer.getByLabel("How should it change?").fill("Make the answer shorter");
      await drawer.getByRole("button", { name: "Rewrite", exact: true }).click();
      const proposal = drawer.getByTestId("rewrite-proposal");
      await proposal.waitFor();
      expect(await proposal.locator("ins").count()).toBeGreaterThan(0);
      expect(await proposal.locator("del").count()).toBeGreaterThan(0);
      await screenshot(page, "review-rewrite-diff");
      // Nothing saved yet.
      expect((await db.datasetExample.findUniqueOrThrow({ where: { id: before.id } })).data).toEqual(before.data);
      await proposal.getByRole("button", { name: "Accept" }).click();
      await page.getByText("Saved.").first().waitFor();
      await expect
        .poll(async () => ((await db.datasetExample.findUniqueOrThrow({ where: { id: before.id } })).data as { answer: string }).answer)
        .toBe("Refunds arrive within days.");
    } finally {
      llm.setResponder(null);
    }
    await page.keyboard.press("Escape");

    // Filter by the tag: only that example.
    await page.reload();
    await page.getByLabel("Tag", { exact: true }).selectOption("checked");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toMatch(/^1 example matches/);
    await expect.poll(() => rows.count()).toBe(1);
    await screenshot(page, "review-tag-filter");
  });

  it("removes duplicates in one step, keeping one of each", async () => {
    const original = await db.datasetExample.findFirstOrThrow({ where: { projectId: team.project.id, split: "train", isDuplicate: false } });
    await db.datasetExample.createMany({
      data: [1, 2].map((n) => ({
        projectId: team.project.id,
        naturalKey: `dup:${n}`,
        data: original.data as object,
        contentHash: original.contentHash,
        isDuplicate: true,
        split: "train" as const,
      })),
    });
    await page.goto(base);
    await page.getByRole("button", { name: "Remove duplicates" }).click();
    const dialog = page.getByTestId("dedupe-confirm");
    await dialog.getByRole("heading", { name: "Delete 2 duplicates?" }).waitFor();
    await dialog.getByRole("button", { name: "Delete 2 duplicates" }).click();
    await page.getByText("2 duplicates deleted.").waitFor();
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, contentHash: original.contentHash } })).toBe(1);
    expect(await db.datasetExample.count({ where: { id: original.id } })).toBe(1);
  });

  it("near-duplicates: found after generation, read side by side, and one kept per group", async () => {
    // Two rewordings of one example, as a model writes when it is asked twice about the same passage.
    const original = await db.datasetExample.findFirstOrThrow({ where: { projectId: team.project.id, split: "train", isDuplicate: false } });
    const data = original.data as { question: string; answer: string };
    const answer = "Customers get their refund back on the card they paid with within five working days of the return arriving at the warehouse.";
    await db.datasetExample.updateMany({ where: { id: original.id }, data: { data: { ...data, answer } } });
    await db.exampleMinhash.deleteMany({ where: { exampleId: original.id } });
    await db.datasetExample.createMany({
      data: [answer.replace("five", "5"), answer.replace("warehouse", "depot")].map((text, n) => ({
        projectId: team.project.id,
        naturalKey: `near:${n}`,
        data: { question: data.question, answer: text },
        split: "train" as const,
      })),
    });
    await page.goto(base);
    await page.getByRole("button", { name: "Find near-duplicates" }).click();
    await page
      .getByText(/groups of near-duplicates|No near-duplicates/)
      .first()
      .waitFor();
    const grouped = await db.datasetExample.findMany({
      where: { projectId: team.project.id, nearDupGroup: { not: null } },
      select: { id: true, nearDupGroup: true },
    });
    const extra = grouped.filter((e) => e.id !== e.nearDupGroup).length;
    expect(extra).toBeGreaterThanOrEqual(2);
    await page.getByLabel("Duplicates").selectOption("near");
    await expect.poll(() => page.getByTestId("match-count").textContent()).toMatch(new RegExp(`^${grouped.length} examples match`));
    const rows = page.getByTestId("example-row");
    await rows
      .first()
      .getByText(/near-dup/)
      .waitFor();
    await rows.first().click();
    await page.getByTestId("near-duplicates").waitFor();
    await screenshot(page, "review-near-duplicates");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Keep one per group" }).click();
    const dialog = page.getByTestId("near-dup-confirm");
    await dialog.getByRole("button", { name: `Delete ${extra} near-duplicate${extra === 1 ? "" : "s"}` }).click();
    await page.getByText(`${extra} near-duplicates deleted.`).waitFor();
    expect(await db.datasetExample.count({ where: { projectId: team.project.id, nearDupGroup: { not: null } } })).toBe(0);
  });

  it("scores examples with the LLM judge: the estimate first, then scores to filter and approve by", async () => {
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      const high = user.length % 2 === 0;
      return JSON.stringify({ faithfulness: high ? 5 : 2, helpfulness: high ? 4 : 2, clarity: high ? 5 : 3, reason: high ? "Faithful and clear." : "Vague." });
    });
    try {
      await page.goto(base);
      await page.getByRole("button", { name: "Score with LLM judge" }).click();
      const dialog = page.getByTestId("judge-dialog");
      await expect
        .poll(() => dialog.getByTestId("judge-estimate").textContent())
        .toMatch(/^\d+ examples to score with fake-chat on Team vLLM: about \d+k tokens in/);
      expect(await dialog.getByLabel("Rubric").inputValue()).toContain("- faithfulness:");
      await screenshot(page, "review-judge-dialog");
      await dialog.getByRole("button", { name: "Start scoring" }).click();
      const valid = await db.datasetExample.count({ where: { projectId: team.project.id, split: { in: ["train", "eval"] }, isValid: true } });
      await expect.poll(() => db.datasetExample.count({ where: { projectId: team.project.id, judgeScore: { not: null } } }), { timeout: 60_000 }).toBe(valid);
      await page.reload();
      await page.getByLabel("Judge score").selectOption("4");
      const high = await db.datasetExample.count({ where: { projectId: team.project.id, judgeScore: { gte: 4 } } });
      await expect.poll(() => page.getByTestId("match-count").textContent()).toMatch(new RegExp(`^${high} examples? match`));
      await page
        .getByTestId("example-row")
        .first()
        .getByText(/^judge 4\.7$/)
        .waitFor();
      await screenshot(page, "review-judge-filter");
    } finally {
      llm.setResponder(null);
    }
  });

  it("exports an Excel workbook per split", async () => {
    await page.goto(`${base}/export`);
    await page.getByLabel("Format").selectOption("xlsx");
    await page.getByRole("button", { name: /Export train and eval files/ }).click();
    const row = page.getByTestId("export-xlsx");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 60_000 }).toBe("success");
    const href = await row.getByRole("link", { name: /Download/ }).getAttribute("href");
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    const files = await unzipText(Buffer.from(await response.body()));
    expect(Object.keys(files).sort()).toEqual(["README.md", "eval.xlsx", "train.xlsx"]);
    expect(files["README.md"]).toContain("Excel");
  });

  it("merges another project's dataset: only what this one lacks comes in, and a new version is frozen", async () => {
    const other = await createProjectIn(team.workspace.id, "Handbook QA, Berlin office");
    await db.project.update({ where: { id: other.id }, data: { taskType: "qa" } });
    const mine = await db.datasetExample.findFirstOrThrow({ where: { projectId: team.project.id, ...USABLE_EXAMPLE } });
    const fresh = { question: "Where do Berlin refunds go?", answer: "To the Berlin billing desk." };
    await db.datasetExample.createMany({
      data: [
        // One the project already has, and one it does not.
        {
          projectId: other.id,
          naturalKey: "berlin:1",
          data: mine.data as object,
          contentHash: mine.contentHash,
          split: "train",
          isValid: true,
          tokenCount: 20,
        },
        { projectId: other.id, naturalKey: "berlin:2", data: fresh, contentHash: contentHash(fresh), split: "train", isValid: true, tokenCount: 20 },
      ],
    });
    const before = await db.datasetExample.count({ where: { projectId: team.project.id } });
    await page.goto(base);
    await page.getByTestId("merge-dataset").click();
    await page.getByLabel("From").selectOption(`project:${other.id}`);
    await screenshot(page, "dataset-merge");
    await page.getByTestId("start-merge").click();
    await expect
      .poll(async () => (await db.job.findFirst({ where: { projectId: team.project.id, type: "dataset_merge" } }))?.status, { timeout: 60_000 })
      .toBe("success");
    expect(await db.datasetExample.count({ where: { projectId: team.project.id } })).toBe(before + 1);
    await page.reload();
    await expect.poll(() => page.getByText("Dataset merge").first().isVisible()).toBe(true);
  });

  it("generation modes: questions first shows in the preview; a run with a topic plan shows the coverage", async () => {
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      const plan = /Policy (\d+):/.exec(user)?.[1] ?? "0";
      if (user.includes('{"topics": ["...", "..."]}')) return JSON.stringify({ topics: ["Refund times", "Support hours"] });
      if (user.includes('{"questions": ["...", "..."]}'))
        return JSON.stringify({ questions: [`When do plan ${plan} refunds arrive?`, `How fast does support answer plan ${plan}?`] });
      if (user.includes('{"answer": "..."}')) {
        return JSON.stringify({
          answer: user.includes("refunds arrive") ? `Customers on plan ${plan} get a refund within days.` : "Support answers within business days.",
        });
      }
      return JSON.stringify({
        examples: [
          { question: `When do plan ${plan} refunds arrive?`, answer: `Customers on plan ${plan} get a refund within days.`, topic: "Refund times" },
          { question: `How fast does support answer plan ${plan}?`, answer: "Support answers within business days.", topic: "support HOURS" },
        ],
      });
    });
    try {
      await page.goto(`${base}/generate`);
      await page.getByLabel("Mode", { exact: true }).selectOption("questions_first");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByText("Generation settings saved.").waitFor();
      await page.getByRole("button", { name: "Preview 10 examples" }).click();
      await expect.poll(() => page.getByTestId("preview-cards").textContent(), { timeout: 60_000 }).toMatch(/When do plan \d+ refunds arrive\?/);
      await screenshot(page, "preview-questions-first");

      await page.getByLabel("Mode", { exact: true }).selectOption("single");
      await page.getByLabel("Topic plan", { exact: true }).check();
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByText("Generation settings saved.").first().waitFor();
      await page.getByRole("button", { name: "Generate dataset" }).click();
      await expect
        .poll(() => db.datasetExample.count({ where: { projectId: team.project.id, tags: { has: "topic: Support hours" } } }), { timeout: 90_000 })
        .toBeGreaterThan(0);
      await expect
        .poll(
          async () =>
            (await db.job.findFirstOrThrow({ where: { projectId: team.project.id, type: "dataset_generate" }, orderBy: { createdAt: "desc" } })).status,
          {
            timeout: 90_000,
          },
        )
        .toBe("success");
      await page.goto(base);
      const coverage = page.getByTestId("topic-coverage");
      await coverage.waitFor();
      expect(await coverage.textContent()).toMatch(/Refund times\s*\d+/);
      expect(await coverage.textContent()).toMatch(/Support hours\s*\d+/);
      await screenshot(page, "review-topic-coverage");
    } finally {
      llm.setResponder(null);
    }
  });
  it("multi-turn conversations: the preview shows each conversation's earlier turns; review edits them", async () => {
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      const plan = /Policy (\d+):/.exec(user)?.[1] ?? "0";
      if (user.includes('{"topics": ["...", "..."]}')) return JSON.stringify({ topics: ["Refund times", "Support hours"] });
      return JSON.stringify({
        conversations: [
          {
            topic: "Refund times",
            turns: [
              { user: `When do plan ${plan} refunds arrive?`, assistant: `Customers on plan ${plan} get a refund within days.` },
              { user: "And if the refund is late?", assistant: "Support answers within business days and chases the refund." },
            ],
          },
        ],
      });
    });
    try {
      await page.goto(`${base}/generate`);
      await page.getByLabel("Mode", { exact: true }).selectOption("conversation");
      await page.getByLabel("Turns per conversation").fill("2");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByText("Generation settings saved.").first().waitFor();
      await page.getByRole("button", { name: "Preview 10 examples" }).click();
      const cards = page.getByTestId("preview-cards");
      await expect.poll(() => cards.textContent(), { timeout: 60_000 }).toContain("And if the refund is late?");
      expect(await cards.textContent()).toContain("1 earlier turn of the conversation");
      expect(await cards.textContent()).toContain("topic: Refund times");
      await cards.getByTestId("earlier-turns").first().locator("summary").click();
      await screenshot(page, "preview-conversations");

      // One conversation in the dataset, opened in review: its earlier turn is edited and saved with it.
      const example = await db.datasetExample.create({
        data: {
          projectId: team.project.id,
          naturalKey: "e2e:conversation",
          split: "train",
          data: { question: "And in Zanzibar?", answer: "Refunds there arrive within days.", history: [["Where do refunds go?", "Back to the card."]] },
          searchText: "and in zanzibar? refunds there arrive within days. where do refunds go? back to the card.",
          tokenCount: 20,
        },
      });
      await page.goto(base);
      await page.getByLabel("Search examples").fill("zanzibar");
      const row = page.getByTestId("example-row").filter({ hasText: "And in Zanzibar?" });
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      expect(await row.textContent()).toContain("last of 2 turns");
      await row.click();
      await page.getByTestId("edit-earlier-turns").waitFor();
      await page.getByLabel("Turn 1 · User").fill("Where do refunds go, please?");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByText("Saved.").waitFor();
      await screenshot(page, "review-drawer-conversation");
      await expect
        .poll(async () => (await db.datasetExample.findUniqueOrThrow({ where: { id: example.id } })).data)
        .toEqual({
          question: "And in Zanzibar?",
          answer: "Refunds there arrive within days.",
          history: [["Where do refunds go, please?", "Back to the card."]],
        });
      await page.keyboard.press("Escape");
    } finally {
      llm.setResponder(null);
    }
  });
});
