// A team's first steps in a real browser: sign up, create a project, invite a colleague who
// accepts in another browser, roles limit what they can do, and sign out.
import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";

const appUrl = inject("appUrl");
const PASSWORD = "a long enough passphrase";
const suffix = crypto.randomBytes(3).toString("hex");
const ownerEmail = `owner-${suffix}@example.com`;
const colleagueEmail = `colleague-${suffix}@example.com`;

let browser: Browser;
let owner: Page;
let colleague: Page;
let workspacePath = "";
let projectPath = "";

beforeAll(async () => {
  browser = await launchBrowser();
  owner = await (await browser.newContext({ baseURL: appUrl, viewport: { width: 1280, height: 800 } })).newPage();
  colleague = await (await browser.newContext({ baseURL: appUrl, viewport: { width: 1280, height: 800 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
});

async function signUp(page: Page, name: string, email?: string) {
  await page.getByLabel("Name").fill(name);
  if (email) await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

describe("a team in the browser", () => {
  it("signs up into a personal workspace that says what to do first", async () => {
    await owner.goto("/");
    await expect.poll(() => owner.url()).toContain("/sign-in");
    await owner.getByRole("link", { name: "Create an account" }).click();
    await signUp(owner, "Olivia Owner", ownerEmail);
    await owner.waitForURL(/\/w\/[^/]+$/);
    workspacePath = new URL(owner.url()).pathname;
    await owner.getByText("Create your first project").waitFor();
    await screenshot(owner, "dashboard-empty");
  });

  it("shows field-level messages for a weak password and a duplicate email", async () => {
    const page = await (await browser.newContext({ baseURL: appUrl })).newPage();
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill("Someone");
    await page.getByLabel("Email").fill(ownerEmail);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Use at least 10 characters.").waitFor();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page
      .getByText(/already exists/)
      .first()
      .waitFor();
    await page.context().close();
  });

  it("creates a project and opens its pipeline", async () => {
    await owner.getByRole("button", { name: "New project" }).first().click();
    await owner.getByLabel("Name").fill("Support handbook");
    await owner.getByLabel("Description").fill("Answer customer questions from our handbook.");
    await owner.getByLabel("Task type").selectOption("qa");
    await owner.getByLabel("Base model").fill("meta-llama/Llama-3.1-8B");
    await owner.getByRole("button", { name: "Create project" }).click();
    await owner.waitForURL(/\/p\/[0-9a-f-]{36}$/);
    projectPath = new URL(owner.url()).pathname;
    await owner.getByTestId("project-title").getByText("Support handbook").waitFor();
    for (const step of ["Sources", "Dataset", "Train", "Evaluate", "Export"]) {
      await owner.getByRole("list", { name: "Pipeline" }).getByText(step, { exact: true }).waitFor();
    }
    await screenshot(owner, "project-page");
    await owner.goto(workspacePath);
    await owner.getByTestId("project-list").getByText("Support handbook").waitFor();
    await screenshot(owner, "dashboard");
  });

  it("sets the project's OCR languages and Word comments, and they stay set", async () => {
    await owner.goto(`${projectPath}/settings`);
    await owner.getByText("Dataset, chunking and OCR settings").click();
    await owner.getByLabel("OCR languages").fill("eng+deu");
    await owner.getByLabel("Include Word comments").check();
    await screenshot(owner, "project-settings-sources");
    await owner.getByRole("button", { name: "Save changes" }).click();
    await owner.getByText(/saved/i).first().waitFor();
    await owner.reload();
    await owner.getByText("Dataset, chunking and OCR settings").click();
    expect(await owner.getByLabel("OCR languages").inputValue()).toBe("eng+deu");
    expect(await owner.getByLabel("Include Word comments").isChecked()).toBe(true);
    // The app's worker reports what its Tesseract reads (English here): German is named as missing.
    await owner.getByText(/The workers read: .*eng.*Not installed: deu \(install tesseract-ocr-deu/).waitFor();
  });

  it("invites a colleague, who accepts in another browser as a viewer", async () => {
    await owner.goto(`${workspacePath}/members`);
    await owner.getByLabel("Email").fill(colleagueEmail);
    await owner.getByLabel("Role").selectOption("viewer");
    await owner.getByRole("button", { name: "Invite" }).click();
    const link = await owner.getByTestId("invitation-link").inputValue();
    expect(link).toContain("/invite/");
    await owner.getByTestId(`invitation-${colleagueEmail}`).getByText("pending").waitFor();

    await colleague.goto(link);
    await colleague.getByRole("link", { name: "Create an account and join" }).click();
    expect(await colleague.getByLabel("Email").inputValue()).toBe(colleagueEmail);
    await signUp(colleague, "Carl Colleague");
    await colleague.waitForURL((url) => url.pathname === workspacePath);
    await colleague.getByText("Support handbook").first().waitFor();
  });

  it("a viewer can neither create nor delete a project", async () => {
    await colleague.goto(workspacePath);
    await colleague.getByText("Support handbook").first().waitFor();
    expect(await colleague.getByRole("button", { name: "New project" }).count()).toBe(0);
    await colleague.goto(`${projectPath}/settings`);
    await colleague.getByText("Dataset, chunking and OCR settings").waitFor();
    expect(await colleague.getByRole("button", { name: "Delete project" }).count()).toBe(0);
    expect(await colleague.getByRole("button", { name: "Save changes" }).count()).toBe(0);
  });

  it("the owner makes the colleague an editor, who can then create projects", async () => {
    await owner.goto(`${workspacePath}/members`);
    await owner.getByLabel(`Role of ${colleagueEmail}`).selectOption("editor");
    await owner.getByText("Role changed.").waitFor();
    await colleague.goto(workspacePath);
    await colleague.getByRole("button", { name: "New project" }).first().waitFor();
    await screenshot(owner, "members");
  });

  it("another workspace's project is not found", async () => {
    await colleague.goto(`${workspacePath}/p/00000000-0000-4000-8000-000000000000`);
    await colleague
      .getByText(/could not be found|not found/i)
      .first()
      .waitFor();
    const response = await colleague.goto(`/w/no-such-workspace-${suffix}`);
    expect(response?.status()).toBe(404);
  });

  it("signs out", async () => {
    await colleague.goto(workspacePath);
    await colleague.getByRole("button", { name: "Account menu" }).click();
    await colleague.getByRole("menuitem", { name: "Sign out" }).click();
    await colleague.waitForURL(/\/sign-in/);
    await colleague.goto(workspacePath);
    await expect.poll(() => colleague.url()).toContain("/sign-in");
  });
});
