// Issue 15, items 6–8: every page of the loop, at a 1440×900 desktop and a 390×844 phone, fits
// the screen's width (no horizontal overflow) and logs no console errors (the favicon's 404
// among them).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db/client";
import { launchBrowser, screenshot } from "../support/browser";
import { createTeam, TEST_PASSWORD, type Team } from "../support/fixtures";

let browser: Browser;
let team: Team;

let testSetId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  team = await createTeam("Layout team");
  // A test set with a long question and two models' answers, so its page, report and arena have content.
  const testSet = await db.testSet.create({ data: { projectId: team.project.id, name: "Layout test set" } });
  testSetId = testSet.id;
  const question = await db.testQuestion.create({
    data: {
      testSetId,
      naturalKey: "layout:1",
      type: "multiple_choice",
      question: "Which team issues refunds for customers on the extended enterprise support plan with a negotiated service-level agreement?",
      options: ["The billing team", "Sales", "Legal", "Customer support"],
      answer: "The billing team",
    },
  });
  await db.testAnswer.createMany({
    data: [
      { testSetId, questionId: question.id, model: `base:${team.run.id}`, answer: "B", score: 0 },
      { testSetId, questionId: question.id, model: `tuned:${team.run.id}`, answer: "A", score: 1 },
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

function pages(t: Team): string[] {
  const w = `/w/${t.workspace.slug}`;
  const p = `${w}/p/${t.project.id}`;
  return [
    w,
    `${w}/members`,
    `${w}/settings`,
    `${w}/audit`,
    `${w}/logs`,
    `${w}/usage`,
    "/admin",
    `${w}/account`,
    p,
    `${p}/sources`,
    `${p}/dataset`,
    `${p}/dataset/generate`,
    `${p}/dataset/export`,
    `${p}/train`,
    `${p}/evaluate`,
    `${p}/evaluate/test-sets`,
    `${p}/evaluate/test-sets/${testSetId}`,
    `${p}/evaluate/test-sets/${testSetId}/arena`,
    `${p}/export`,
    `${p}/jobs`,
    `${p}/settings`,
  ];
}

async function signIn(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ baseURL: inject("appUrl"), viewport });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(team.members.owner.email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  return page;
}

describe.each([
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
])("every page at $name size ($width px)", ({ name, width, height }) => {
  it("fits the width and logs no console errors", async () => {
    const page = await signIn({ width, height });
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
    const overflowing: string[] = [];
    for (const path of pages(team)) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide > width + 1) {
        overflowing.push(`${path}: ${wide} px`);
        await screenshot(page, `overflow-${name}-${path.split("/").slice(3).join("-") || "workspace"}`);
      }
    }
    expect(overflowing).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
