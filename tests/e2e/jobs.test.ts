// Live job progress in a real browser: progress moves and the final status shows without a
// reload (server-sent events); cancel and retry from the UI.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProjectContext, requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { stopSender } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { launchBrowser, screenshot } from "../support/browser";
import { signedInPage } from "../support/e2e";
import { createTeam } from "../support/fixtures";
import { countItemsJob } from "../support/jobs";

let browser: Browser;
let page: Page;
let ctx: ProjectContext;
let jobsUrl: string;

beforeAll(async () => {
  const team = await createTeam("Jobs team");
  ctx = await requireProject(team.members.editor, team.project.id, "jobs.run");
  jobsUrl = `/w/${team.workspace.slug}/p/${team.project.id}/jobs`;
  browser = await launchBrowser();
  page = await signedInPage(browser, team.members.editor.email);
});

afterAll(async () => {
  await browser?.close();
  await stopSender();
});

const pctOf = async (jobId: string) => Number((await page.getByTestId(`job-${jobId}`).getByTestId("job-pct").textContent())?.replace("%", ""));
const statusOf = async (jobId: string) => page.getByTestId(`job-${jobId}`).locator("[data-status]").getAttribute("data-status");

describe("jobs in the browser", () => {
  it("shows progress moving and the final status without reloading", async () => {
    await page.goto(jobsUrl);
    await page.getByText("● Live").waitFor();
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 30, delayMs: 150 });
    await page.getByTestId(`job-${id}`).waitFor({ timeout: 20_000 });
    await page.getByText("● Live").waitFor();
    await expect.poll(() => pctOf(id), { timeout: 30_000 }).toBeGreaterThan(10);
    const early = await pctOf(id);
    await screenshot(page, "jobs-running");
    await expect.poll(() => pctOf(id), { timeout: 30_000 }).toBeGreaterThan(early);
    await expect.poll(() => statusOf(id), { timeout: 30_000 }).toBe("success");
    expect(await pctOf(id)).toBe(100);
  });

  it("cancels from the UI within seconds, then retries and finishes", async () => {
    const { id } = await enqueueJob(ctx, countItemsJob, { items: 200, delayMs: 100 });
    const row = page.getByTestId(`job-${id}`);
    await expect.poll(() => statusOf(id), { timeout: 30_000 }).toBe("running");
    await expect.poll(() => pctOf(id), { timeout: 30_000 }).toBeGreaterThan(1);
    await row.getByRole("button", { name: /Cancel/ }).click();
    await expect.poll(() => statusOf(id), { timeout: 10_000 }).toBe("cancelled");
    // Stopped mid-run, not left to finish: most of its 200 items were never done.
    expect((await db.job.findUniqueOrThrow({ where: { id } })).itemsDone).toBeLessThan(200);

    await row.getByRole("button", { name: /Retry/ }).click();
    await expect.poll(() => statusOf(id), { timeout: 60_000 }).toBe("success");
    await row.locator("td").first().click();
    await page
      .getByTestId("job-log")
      .getByText(/Resuming at item/)
      .waitFor();
    await screenshot(page, "job-drawer");
  });
});
