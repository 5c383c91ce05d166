// With S3 storage, a browser uploads straight to the bucket: an app started with STORAGE_DRIVER=s3
// (s3rver on loopback, with the CORS rules the README gives), a 20 MB document dropped on the
// Sources page goes up in two presigned parts, the worker checks and chunks it, and nothing of it
// passes through the web server (its upload route is never called).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppInstance, startAppInstance } from "../support/app-instance";
import { launchBrowser, screenshot } from "../support/browser";
import { writeLargeManual } from "../support/corpus";
import { BROWSER_UPLOAD_CORS, type S3TestServer, startS3Server } from "../support/s3-server";

let s3: S3TestServer;
let app: AppInstance;
let browser: Browser;
let page: Page;
let scratch: string;
const requests: string[] = [];

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-e2e-direct-"));
  // 20 MB of Markdown: sections of plain sentences, so chunking has real work.
  writeLargeManual(path.join(scratch, "procedures.md"), 20 * 1024 * 1024);
  s3 = await startS3Server("ftf-e2e", { cors: BROWSER_UPLOAD_CORS });
  app = await startAppInstance(inject("pgServerUrl"), "e2e_s3", {
    STORAGE_DRIVER: "s3",
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
    OUTBOUND_ALLOW: "127.0.0.1,localhost,::1",
  });
  browser = await launchBrowser();
  page = await (await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })).newPage();
  page.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
}, 10 * 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await s3?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("browser uploads with S3 storage", () => {
  it("a 20 MB document goes from the browser to the bucket in presigned parts, then is checked and chunked", async () => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill("Sam Storage");
    await page.getByLabel("Email").fill(`s3-${crypto.randomBytes(4).toString("hex")}@example.com`);
    await page.getByLabel("Password").fill("a long enough passphrase 42");
    await page.getByRole("button", { name: /create account/i }).click();
    await page.waitForURL(/\/w\/[^/]+$/, { timeout: 60_000 });
    await page.getByRole("button", { name: "New project" }).first().click();
    await page.getByLabel("Name").fill("Procedures");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/p\/[0-9a-f-]{36}$/);
    await page.goto(`${new URL(page.url()).pathname}/sources`);

    await page.getByTestId("file-input").setInputFiles(path.join(scratch, "procedures.md"));
    const row = page.getByTestId("source-procedures.md");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 120_000 }).toBe("ready");
    await screenshot(page, "sources-direct-upload");
    expect(Number((await row.getByTestId("chunk-count").textContent())?.replace(/,/g, ""))).toBeGreaterThan(100);

    const puts = requests.filter((r) => r.startsWith(`PUT ${s3.endpoint}/`));
    expect(puts).toHaveLength(2);
    expect(puts.every((r) => /[?&]partNumber=[12](&|$)/.test(r) && /X-Amz-Signature=/.test(r))).toBe(true);
    expect(requests.filter((r) => r.includes("/api/projects/") && r.includes("/files"))).toEqual([]);
    expect(violations).toEqual([]);
  });
});
