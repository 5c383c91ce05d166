// Issue 13, findings 8 and 9, through the real web server and a browser: a client that sends a
// new X-Forwarded-For with every guess is still one address to the sign-in back-off (without
// TRUST_PROXY the server believes the socket, not the header); a signed-out session's cookie is
// dead even where it was copied; the account page changes the password.
import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";

const appUrl = inject("appUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** One password try through next-auth's credentials endpoint; the error it redirects with. */
async function tryPassword(email: string, password: string, forwardedFor: string): Promise<string | null> {
  const csrf = await fetch(`${appUrl}/api/auth/csrf`, { headers: { "x-forwarded-for": forwardedFor } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const response = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: appUrl, "x-forwarded-for": forwardedFor },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: "/", json: "true" }),
  });
  const target = response.headers.get("location") ?? ((await response.json()) as { url: string }).url;
  return new URL(target, appUrl).searchParams.get("error");
}

describe("sign-in throttling behind no proxy", () => {
  it("ignores a forged X-Forwarded-For: rotating it does not reset the back-off", async () => {
    const email = `guessed-${crypto.randomBytes(4).toString("hex")}@example.com`;
    const errors: Array<string | null> = [];
    for (let i = 0; i < 12; i++) errors.push(await tryPassword(email, `guess number ${i}`, `198.18.${i}.${i + 1}`));
    expect(errors.slice(0, 5).every((e) => e === "Wrong email or password.")).toBe(true);
    expect(errors.slice(5).every((e) => /^Too many failed attempts from here\. Try again in \d+ seconds?\.$/.test(e ?? ""))).toBe(true);
  });
});

describe("sessions and the account page", () => {
  it("a copied session cookie stops working once its owner signs out; the account page changes the password", async () => {
    const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto("/sign-up");
    const email = `session-${crypto.randomBytes(4).toString("hex")}@example.com`;
    await page.getByLabel("Name").fill("Session Tester");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("password12");
    await page.getByRole("button", { name: /create account/i }).click();
    await expect
      .poll(() =>
        page
          .getByText(/commonly used passwords/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await page.getByLabel("Password").fill("a long enough passphrase 42");
    await page.getByRole("button", { name: /create account/i }).click();
    await page.waitForURL(/\/w\/[^/]+$/, { timeout: 60_000 });
    const workspaceUrl = page.url();

    // The account page: a wrong current password is refused, a good change keeps us here.
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Account" }).click();
    await page.waitForURL(/\/account$/);
    await page.getByLabel("Current password").fill("not the password");
    await page.getByLabel("New password").fill("another long passphrase 7");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByText("This is not your current password.").isVisible()).toBe(true);
    await page.getByLabel("Current password").fill("a long enough passphrase 42");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByText(/Password changed/).isVisible()).toBe(true);
    await screenshot(page, "account-desktop");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "account-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Someone copies the cookie; then the owner signs out.
    const stolen = await context.cookies();
    await page.goto(workspaceUrl);
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    const thief = await browser.newContext({ baseURL: appUrl });
    await thief.addCookies(stolen);
    const thiefPage = await thief.newPage();
    await thiefPage.goto(workspaceUrl);
    expect(new URL(thiefPage.url()).pathname).toBe("/sign-in");
    await thief.close();
    await context.close();
  });
});
