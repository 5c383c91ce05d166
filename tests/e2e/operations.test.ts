// Running the app as a team in a real browser: the workspace's admin reads the logs (filtered by
// level, live tail of new lines); editors get no log viewer; runs are tagged, filtered and deleted.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { flushLogs, writeLog } from "@/lib/log";
import { launchBrowser, screenshot } from "../support/browser";
import { signedInPage } from "../support/e2e";
import { createTeam, type Team } from "../support/fixtures";

let browser: Browser;
let page: Page;
let team: Team;

beforeAll(async () => {
  team = await createTeam("Operations team");
  writeLog("info", "web", "Project opened.", { workspaceId: team.workspace.id });
  writeLog("warn", "job:generate", "Chunk 3: the model's answer was not JSON. Asking again (2 of 3).", { workspaceId: team.workspace.id, jobId: team.job.id });
  writeLog("error", "job:train", "Failed: CUDA out of memory on the runner.", { workspaceId: team.workspace.id, jobId: team.job.id, errorId: "abc1234567" });
  await flushLogs();
  browser = await launchBrowser();
  page = await signedInPage(browser, team.members.admin.email);
});

afterAll(async () => {
  await browser?.close();
});

describe("operations in the browser", () => {
  it("the admin reads the logs: counts per level, a level filter, and a live tail", async () => {
    await page.goto(`/w/${team.workspace.slug}/logs`);
    const lines = page.getByTestId("log-line");
    await expect.poll(() => lines.count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.getByTestId("log-counts").textContent()).toMatch(/warning\s*1.*error\s*1/);
    await page.getByLabel("Level and above").selectOption("error");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => lines.count()).toBe(1);
    expect(await lines.first().textContent()).toContain("CUDA out of memory");
    expect(await lines.first().textContent()).toContain("error id abc1234567");

    await page.getByTestId("log-live").click();
    writeLog("critical", "worker", "The worker could not start: the database is gone.", { workspaceId: team.workspace.id });
    await flushLogs();
    await expect.poll(() => lines.first().textContent(), { timeout: 15_000 }).toContain("The worker could not start");
    expect(await lines.first().getAttribute("data-level")).toBe("critical");
    await screenshot(page, "logs");
  });

  it("runs: tagged and described on their page, filtered by tag in the list, deleted after typing the name", async () => {
    const base = `/w/${team.workspace.slug}/p/${team.project.id}/train`;
    await page.goto(`${base}/${team.run.id}`);
    await page.getByLabel("Description").fill("Baseline for the refund handbook.");
    await page.getByLabel("Tags").fill("Baseline, handbook");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.").waitFor();
    await expect.poll(() => page.getByTestId("run-facts").textContent()).toContain("Peak CPU memory");
    await screenshot(page, "run-housekeeping");

    await page.goto(`${base}?tag=baseline`);
    await page.getByTestId(`run-${team.run.name}`).waitFor();
    await page.goto(`${base}?tag=nothing-tagged-so`);
    await expect.poll(() => page.getByTestId(`run-${team.run.name}`).count()).toBe(0);

    await page.goto(`${base}/${team.run.id}`);
    await page.getByTestId("delete-run").click();
    const dialog = page.getByTestId("delete-run-dialog");
    const confirm = dialog.getByRole("button", { name: `Delete run ${team.run.name}` });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the run's name").fill(team.run.name);
    await confirm.click();
    await page.waitForURL((url) => url.pathname.endsWith("/train"));
    await expect.poll(() => page.getByTestId(`run-${team.run.name}`).count()).toBe(0);
  });

  it("usage: this month's tokens, per-day charts, members and runners", async () => {
    await page.goto(`/w/${team.workspace.slug}/usage`);
    await expect.poll(() => page.getByTestId("usage-tokens").textContent()).toMatch(/^[\d,]+/);
    await page.getByTestId("usage-tokens-chart").waitFor();
    await page.getByTestId("usage-gpu-chart").waitFor();
    expect(await page.getByTestId("usage-members").textContent()).toContain("Member");
    await screenshot(page, "usage");
  });

  it("the instance's administrator deactivates an account (signed out at once) and reactivates it; sets a workspace's quota", async () => {
    // Without ADMIN_EMAILS the first account on the instance is its administrator.
    const first = await db.user.findFirstOrThrow({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const operator = await signedInPage(browser, first.email);
    const viewer = await signedInPage(browser, team.members.viewer.email);
    await viewer.goto(`/w/${team.workspace.slug}`);
    await viewer.getByText("Operations team").first().waitFor();

    await operator.goto("/admin");
    const row = operator.locator(`[data-testid="admin-user"][data-email="${team.members.viewer.email}"]`);
    await row.getByRole("button", { name: `Deactivate ${team.members.viewer.email}` }).click();
    await expect.poll(() => row.textContent()).toContain("deactivated");
    await viewer.goto(`/w/${team.workspace.slug}`);
    await viewer.waitForURL(/\/sign-in/);

    await operator.getByTestId(`quota-${team.workspace.slug}`).locator("summary").click();
    await operator.getByTestId(`quota-${team.workspace.slug}`).getByLabel("LLM tokens per month").fill("250000");
    await operator.getByTestId(`quota-${team.workspace.slug}`).getByRole("button", { name: "Save quota" }).click();
    await expect.poll(() => operator.getByTestId(`quota-${team.workspace.slug}`).locator("summary").textContent()).toContain("250,000 tokens/month");
    await screenshot(operator, "instance-admin");

    await row.getByRole("button", { name: `Reactivate ${team.members.viewer.email}` }).click();
    await expect.poll(() => row.textContent()).toContain("active");
    await operator.context().close();
    await viewer.context().close();
  });

  it("templates: a project's settings saved from its settings page start a new project", async () => {
    await db.project.update({ where: { id: team.project.id }, data: { taskType: "qa", baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" } });
    await page.goto(`/w/${team.workspace.slug}/p/${team.project.id}/settings`);
    await page.getByLabel("Template name").fill("Refund handbook");
    await page.getByRole("button", { name: "Save template" }).click();
    await page.getByText('Template "Refund handbook" saved.').waitFor();

    await page.goto(`/w/${team.workspace.slug}`);
    await page.getByRole("button", { name: "New project" }).first().click();
    await page.getByLabel("Start from").selectOption({ label: "Refund handbook" });
    await page.getByLabel("Name").fill("Second handbook");
    await screenshot(page, "new-project-from-template");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/p\/[0-9a-f-]{36}$/);
    const made = await db.project.findFirstOrThrow({ where: { workspaceId: team.workspace.id, name: "Second handbook" } });
    expect(made).toMatchObject({ taskType: "qa", baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" });

    // A copy with its sources and examples: made at once, filled by a job.
    await page.goto(`/w/${team.workspace.slug}/p/${team.project.id}/settings`);
    await page.getByLabel("Name of the copy").fill("Handbook copy");
    await page.getByLabel("With its examples").check();
    await page.getByRole("button", { name: "Copy project" }).click();
    await page.waitForURL((url) => url.pathname !== `/w/${team.workspace.slug}/p/${team.project.id}/settings` && /\/p\/[0-9a-f-]{36}$/.test(url.pathname));
    const copy = await db.project.findFirstOrThrow({ where: { workspaceId: team.workspace.id, name: "Handbook copy" } });
    await expect
      .poll(async () => (await db.job.findFirst({ where: { projectId: copy.id, type: "project_clone" } }))?.status, { timeout: 60_000 })
      .toBe("success");
    expect(await db.datasetExample.count({ where: { projectId: copy.id } })).toBe(
      await db.datasetExample.count({ where: { projectId: team.project.id, split: { not: "preview" } } }),
    );
  });

  it("an editor has no log viewer", async () => {
    const editor = await signedInPage(browser, team.members.editor.email);
    await editor.goto(`/w/${team.workspace.slug}/logs`);
    await editor.getByText("reading the logs").waitFor();
    await editor.context().close();
  });
});
