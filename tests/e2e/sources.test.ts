// Sources in a real browser: upload four files (one broken, one with a scrambled page) → three
// ready with chunk counts, one failed with its reason, one with its warning → the chunk viewer; then import a dataset through the mapping dialog.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { launchBrowser, screenshot } from "../support/browser";
import { CORPUS, makePdf, makeRawFontPdf, makeScanImage, makeScannedPdf, symbolSoupPages, textOps } from "../support/corpus";
import { signedInPage } from "../support/e2e";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createTeam, type Team } from "../support/fixtures";
import { visionStandIn } from "../support/vision-stand-in";

let browser: Browser;
let page: Page;
let team: Team;
let dir: string;
let sourcesUrl: string;
let llm: FakeLlm;

const body = (topic: string) =>
  Array.from(
    { length: 12 },
    (_, i) => `${topic} ${i + 1}: our support team answers billing questions within one business day and escalates outages at once.`,
  ).join("\n\n");

beforeAll(async () => {
  team = await createTeam("Sources team");
  await db.file.deleteMany({ where: { projectId: team.project.id } });
  sourcesUrl = `/w/${team.workspace.slug}/p/${team.project.id}/sources`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-e2e-files-"));
  fs.writeFileSync(path.join(dir, "handbook.md"), `# Handbook\n\n${body("Rule")}\n\n## Escalation\n\n${body("Step")}\n`);
  const lines = (n: number) =>
    body(`Page ${n}`)
      .split("\n\n")
      .map((text) => ({ text: text.slice(0, 95) }));
  fs.writeFileSync(
    path.join(dir, "manual.pdf"),
    await makePdf([
      [{ text: "Manual", size: 22 }, ...lines(1)],
      [{ text: "Appendix", size: 22 }, ...lines(2)],
    ]),
  );
  fs.writeFileSync(path.join(dir, "broken.pdf"), await CORPUS.find((c) => c.name === "truncated PDF")!.bytes());
  // One readable page and one whose font maps every character to a wrong symbol.
  const helvetica = { Type: "Font", Subtype: "Type1", BaseFont: "Helvetica", Encoding: "WinAnsiEncoding" };
  fs.writeFileSync(
    path.join(dir, "scrambled.pdf"),
    await makeRawFontPdf([
      { font: helvetica, ops: textOps(["(Refunds are paid within five business days of the return.)"]) },
      ...symbolSoupPages([["Every character of this page maps to a wrong symbol."]]),
    ]),
  );
  // A scanned letter (an image) and a binder whose second page is a scan without a text layer.
  fs.writeFileSync(
    path.join(dir, "letter.png"),
    await makeScanImage(["Dear customer, your refund of 42 euros was paid today.", "Kind regards, the billing team."]),
  );
  fs.writeFileSync(
    path.join(dir, "binder.pdf"),
    await makeScannedPdf([
      { text: [{ text: "Binder, typed page: returns are accepted within thirty days." }] },
      { scan: ["Scanned page: opened software cannot be returned.", "Gift cards cannot be returned either."] },
    ]),
  );
  fs.writeFileSync(
    path.join(dir, "faq.jsonl"),
    [
      JSON.stringify({ question: "How fast do you answer?", answer: "Within one business day." }),
      "{ not json",
      JSON.stringify({ question: "Do you escalate outages?", answer: "Yes, at once." }),
    ].join("\n"),
  );
  browser = await launchBrowser();
  page = await signedInPage(browser, team.members.editor.email);
});

afterAll(async () => {
  await llm?.stop();
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const row = (name: string) => page.getByTestId(`source-${name}`);

describe("sources in the browser", () => {
  it("uploads four files: three become ready with chunks, the broken one says why, the scrambled page is named", async () => {
    await page.goto(sourcesUrl);
    await page.getByTestId("file-input").setInputFiles(["handbook.md", "manual.pdf", "broken.pdf", "scrambled.pdf"].map((f) => path.join(dir, f)));
    for (const name of ["handbook.md", "manual.pdf", "scrambled.pdf"]) {
      await expect.poll(() => row(name).getAttribute("data-status"), { timeout: 60_000 }).toBe("ready");
      expect(Number(await row(name).getByTestId("chunk-count").textContent())).toBeGreaterThan(0);
    }
    await expect.poll(() => row("broken.pdf").getAttribute("data-status"), { timeout: 60_000 }).toBe("failed");
    expect(await row("broken.pdf").getByTestId("source-error").textContent()).toMatch(/could not be read/i);
    expect(await row("scrambled.pdf").getByTestId("source-warnings").textContent()).toMatch(/Page 2 was left out/);
    expect(await row("manual.pdf").getByTestId("source-warnings").count()).toBe(0);
    await page.getByTestId("chunk-stats").waitFor();
    await screenshot(page, "sources");
  });

  it("opens the chunk viewer with token counts and page references", async () => {
    await row("manual.pdf").getByRole("link", { name: "Chunks" }).click();
    await page.getByTestId("chunk-list").waitFor();
    expect(await page.getByTestId("chunk-pages").first().textContent()).toMatch(/page/);
    expect(await page.getByText(/\d+ tokens/).count()).toBeGreaterThan(0);
    await screenshot(page, "chunk-viewer");
  });

  it("edits a chunk by hand, splits it at the cursor and merges it back", async () => {
    const file = await db.file.findFirstOrThrow({ where: { projectId: team.project.id, filename: "manual.pdf" } });
    const count = () => db.chunk.count({ where: { sourceFileId: file.id } });
    const before = await count();
    const list = page.getByTestId("chunk-list");
    await list.getByRole("button", { name: "Edit chunk 1" }).click();
    const editor = page.getByTestId("chunk-editor");
    const text = editor.getByLabel("Text of chunk 1");
    await text.fill("Edited by hand: the warranty covers two years.\n\nSecond part after the split.");
    await editor.getByRole("button", { name: "Save" }).click();
    await page.getByText("Chunk 1 saved.").waitFor();
    await expect.poll(async () => (await db.chunk.findFirstOrThrow({ where: { sourceFileId: file.id, chunkIndex: 0 } })).content).toMatch(/^Edited by hand/);
    await list.getByText("edited", { exact: true }).first().waitFor();

    await list.getByRole("button", { name: "Edit chunk 1" }).click();
    await text.evaluate((el: HTMLTextAreaElement) => {
      el.focus();
      el.setSelectionRange(el.value.indexOf("Second"), el.value.indexOf("Second"));
    });
    await editor.getByRole("button", { name: "Split at cursor" }).click();
    await page.getByText("Chunk 1 split in two.").waitFor();
    await expect.poll(count).toBe(before + 1);
    expect((await db.chunk.findFirstOrThrow({ where: { sourceFileId: file.id, chunkIndex: 1 } })).content).toBe("Second part after the split.");
    await screenshot(page, "chunk-viewer-edited");

    await list.getByRole("button", { name: "Merge chunk 1 with the next" }).click();
    await page.getByText("Chunks 1 and 2 merged.").waitFor();
    await expect.poll(count).toBe(before);
  });

  it("reads a scan and a PDF's scanned page by OCR, and says so in the source list and the chunk viewer", async () => {
    await page.goto(sourcesUrl);
    await page.getByTestId("file-input").setInputFiles(["letter.png", "binder.pdf"].map((f) => path.join(dir, f)));
    for (const name of ["letter.png", "binder.pdf"]) {
      await expect.poll(() => row(name).getAttribute("data-status"), { timeout: 90_000 }).toBe("ready");
    }
    expect(await row("letter.png").getByTestId("source-warnings").textContent()).toMatch(/The image was read by OCR \(confidence \d+ %\)/);
    expect(await row("binder.pdf").getByTestId("source-warnings").textContent()).toMatch(/Page 2 was read by OCR/);
    await row("binder.pdf").getByRole("link", { name: "Chunks" }).click();
    await page.getByTestId("chunk-list").waitFor();
    expect(await page.getByTestId("extraction-warnings").textContent()).toMatch(/Page 2 was read by OCR/);
    expect(await page.getByTestId("chunk-list").textContent()).toContain("Scanned page: opened software cannot be returned.");
    expect(await page.getByTestId("chunk-ocr").first().textContent()).toMatch(/^OCR \d+ %$/);
    await screenshot(page, "chunk-viewer-ocr");
  });

  it("switches the project to a vision model for OCR, with its cost estimate first, and re-reads the scans through it", async () => {
    const sent: Buffer[] = [];
    llm = await startFakeLlm({ models: ["fake-vision"] });
    llm.setResponder(visionStandIn((_prompt, image) => sent.push(image)));
    await db.llmProvider.create({
      data: {
        workspaceId: team.workspace.id,
        name: "Cloud vision",
        kind: "openai",
        baseUrl: fakeBaseUrl(llm, "openai"),
        defaultModel: "fake-vision",
        options: { prices: { inputPer1M: 2.5, outputPer1M: 10 } },
      },
    });
    await page.goto(`/w/${team.workspace.slug}/p/${team.project.id}/settings`);
    await page.getByText("Dataset, chunking and OCR settings").click();
    // Tesseract's languages show; the vision fields only once a vision model is chosen.
    expect(await page.locator("#config-ocr_languages").isVisible()).toBe(true);
    expect(await page.locator("#config-ocr_vision_model").isVisible()).toBe(false);
    await page.locator("#config-ocr_engine").selectOption("vision");
    await page.locator("#config-ocr_vision_provider").selectOption({ label: "Cloud vision" });
    expect(await page.locator("#config-ocr_languages").isVisible()).toBe(false);
    // 100 pages × (1,100 in × $2.50 + 650 out × $10) per million = $0.93.
    expect(await page.locator("#config-ocr_engine-hint").textContent()).toContain(
      "Estimate: fake-vision spends about 1,750 tokens a scanned page, about $0.93 per 100 pages at Cloud vision's prices.",
    );
    await screenshot(page, "settings-vision-ocr");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Project saved.").waitFor();

    // The scans read by Tesseract are now marked for a re-chunk; it reads them through the model.
    await page.goto(sourcesUrl);
    await page.getByRole("button", { name: "Re-chunk with current settings" }).click();
    await expect
      .poll(async () => row("letter.png").getByTestId("source-warnings").textContent(), { timeout: 90_000 })
      .toMatch(/The image was read by fake-vision on Cloud vision \(confidence 90 %\)/);
    await expect.poll(() => row("binder.pdf").getAttribute("data-status"), { timeout: 90_000 }).toBe("ready");
    expect(await row("binder.pdf").getByTestId("source-warnings").textContent()).toMatch(
      /Page 2 was read by fake-vision on Cloud vision \(confidence 90 %\).*Reading 1 page with the vision model took [\d,]+ tokens \(< \$0\.01\)\./,
    );
    // Two images went out: the letter and the binder's scanned page (its typed page was not sent).
    expect(sent).toHaveLength(2);
    await row("binder.pdf").getByRole("link", { name: "Chunks" }).click();
    await page.getByTestId("chunk-list").waitFor();
    expect(await page.getByTestId("chunk-list").textContent()).toContain("Scanned page: opened software cannot be returned.");
    expect(await page.getByTestId("chunk-ocr").first().textContent()).toBe("OCR 90 %");
    await screenshot(page, "sources-vision-ocr");
  });

  it("asks for an encrypted PDF's password on the source and reads it once given", async () => {
    fs.copyFileSync(path.resolve("tests/fixtures/encrypted.pdf"), path.join(dir, "locked.pdf"));
    await page.goto(sourcesUrl);
    await page.getByTestId("file-input").setInputFiles(path.join(dir, "locked.pdf"));
    await expect.poll(() => row("locked.pdf").getAttribute("data-status"), { timeout: 60_000 }).toBe("failed");
    const form = row("locked.pdf").getByTestId("unlock-pdf");
    await form.getByLabel("Password for locked.pdf").fill("user");
    await screenshot(page, "sources-pdf-password");
    await form.getByRole("button", { name: "Unlock" }).click();
    await expect.poll(() => row("locked.pdf").getAttribute("data-status"), { timeout: 60_000 }).toBe("ready");
    expect(Number(await row("locked.pdf").getByTestId("chunk-count").textContent())).toBeGreaterThan(0);
  });

  it("imports a dataset through the mapping dialog, keeping the broken row as invalid", async () => {
    await page.goto(sourcesUrl);
    await page.getByTestId("file-input").setInputFiles(path.join(dir, "faq.jsonl"));
    await row("faq.jsonl")
      .getByRole("button", { name: /Import/ })
      .click();
    await page.getByText(/Detected: Question \/ answer/).waitFor();
    await screenshot(page, "import-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Import", exact: true }).click();
    await expect.poll(() => row("faq.jsonl").textContent(), { timeout: 60_000 }).toMatch(/Imported 3 rows: 2 valid, 1 invalid/);
    const invalid = await db.datasetExample.findFirstOrThrow({ where: { projectId: team.project.id, isValid: false } });
    expect(invalid.validationError).toMatch(/^Line 2: /);
  });

  it("imports a dataset from the Hugging Face Hub by id: its Parquet conversion, downloaded by the worker, then mapped", async () => {
    await page.goto(sourcesUrl);
    const hub = page.getByTestId("hub-dataset");
    await hub.getByLabel("Hugging Face dataset").fill("acme/no-such-dataset");
    await hub.getByRole("button", { name: "Find files" }).click();
    await hub.getByText(/"acme\/no-such-dataset" was not found on the Hugging Face Hub/).waitFor();
    await hub.getByLabel("Hugging Face dataset").fill("acme/shutdown-steps");
    await hub.getByRole("button", { name: "Find files" }).click();
    await hub.getByText("the Hub's Parquet conversion").waitFor();
    expect(await hub.getByTestId("hub-dataset-files").getByRole("radio").count()).toBe(1);
    await screenshot(page, "sources-hub-dataset");
    await hub.getByRole("button", { name: "Import this file" }).click();
    await expect.poll(() => row("0000.parquet").getAttribute("data-status"), { timeout: 60_000 }).toBe("ready");
    await row("0000.parquet")
      .getByRole("button", { name: /Import/ })
      .click();
    await page
      .getByRole("dialog")
      .getByText(/Detected:/)
      .waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Import", exact: true }).click();
    await expect.poll(() => row("0000.parquet").textContent(), { timeout: 60_000 }).toMatch(/Imported 40 rows: 40 valid/);
  });
});
