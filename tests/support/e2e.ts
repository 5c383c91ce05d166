// Browser-test helpers: sign in through the real form.
import type { Browser, Page } from "playwright-core";
import { inject } from "vitest";
import { TEST_PASSWORD } from "./fixtures";

export async function signedInPage(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: inject("appUrl"), viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  return page;
}
