// A member makes an API token in the browser and a script uses it against the running app over
// HTTP (no cookies): it reaches the workspace at the token's role, and stops at once when revoked.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser";
import { signedInPage } from "../support/e2e";
import { createTeam, type Team } from "../support/fixtures";

let browser: Browser;
let page: Page;
let team: Team;

beforeAll(async () => {
  team = await createTeam("Scripting team");
  browser = await launchBrowser();
  page = await signedInPage(browser, team.members.editor.email);
});

afterAll(async () => {
  await browser?.close();
});

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(new URL(path, inject("appUrl")), { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

describe("API tokens in the browser", () => {
  it("an editor makes a viewer token, sees it once, a script reads with it and cannot write; revoked, it is refused", async () => {
    await page.goto(`/w/${team.workspace.slug}/settings`);
    // An editor can hand out at most the editor role.
    expect(await page.locator("#t-role option").allTextContents()).toEqual(["editor", "viewer"]);
    await page.locator("#t-name").fill("nightly report");
    await page.locator("#t-role").selectOption("viewer");
    await page.getByTestId("create-token").click();
    const value = page.getByTestId("new-token-value");
    await value.waitFor();
    const token = (await value.textContent())!.trim();
    expect(token).toMatch(/^ftf_[A-Za-z0-9_-]{43}$/);
    await page.getByTestId("api-token-nightly report").waitFor();
    await screenshot(page, "api-tokens");

    const me = await api("/api/me", token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ workspaces: [{ id: team.workspace.id, role: "viewer" }] });
    const projects = await (await api(`/api/workspaces/${team.workspace.id}/projects`, token)).json();
    expect(projects.projects.map((p: { id: string }) => p.id)).toContain(team.project.id);
    const write = await api(`/api/projects/${team.project.id}/files?name=notes.md`, token, { method: "POST", body: "# Notes\n\nText.\n" });
    expect(write.status).toBe(403);
    const doc = await (await fetch(new URL("/api/openapi.json", inject("appUrl")))).json();
    expect(doc.paths["/api/me"].get.summary).toBeTruthy();

    // Shown once: after a reload only its prefix is listed.
    await page.reload();
    expect(await page.getByTestId("new-token").count()).toBe(0);
    expect(await page.getByTestId("api-token-nightly report").textContent()).toContain(`${token.slice(0, 10)}…`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId("api-tokens").scrollIntoViewIfNeeded();
    await screenshot(page, "api-tokens-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole("button", { name: "Revoke nightly report" }).click();
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect.poll(async () => page.getByTestId("api-token-nightly report").textContent()).toContain("revoked");
    expect((await api("/api/me", token)).status).toBe(401);
  }, 120_000);
});
