// Issue 13, finding 9: the running app sends its security headers, and pages still render and
// run under that CSP (a browser signs up and reaches the workspace).
import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "../support/browser";

const appUrl = inject("appUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("security headers", () => {
  it("every page carries CSP with frame-ancestors 'none', X-Frame-Options, nosniff and a Referrer-Policy", async () => {
    for (const route of ["/sign-in", "/api/health"]) {
      const response = await fetch(`${appUrl}${route}`);
      expect(response.headers.get("content-security-policy"), route).toContain("frame-ancestors 'none'");
      expect(response.headers.get("content-security-policy"), route).not.toContain("unsafe-eval");
      expect(response.headers.get("x-frame-options"), route).toBe("DENY");
      expect(response.headers.get("x-content-type-options"), route).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), route).toBe("strict-origin-when-cross-origin");
    }
  });

  it("the app still works under the CSP: no violations while signing up", async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${appUrl}/sign-up`);
    const email = `csp-${crypto.randomBytes(4).toString("hex")}@example.com`;
    await page.getByLabel("Name").fill("Csp Tester");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long enough passphrase 42");
    await page.getByRole("button", { name: /create account|sign up/i }).click();
    await page.waitForURL(/\/w\//, { timeout: 60_000 });
    expect(violations).toEqual([]);
    await page.close();
  });
});
