// A job's LLM spend on its row, through the real runtime and a real HTTP LLM server: every
// answered call counts as it happens, across attempts, and a job that fails or is cancelled
// half-way still counts in the workspace's usage (a tenant cannot spend tokens past the quota by
// letting jobs fail before they report).
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { completeChat } from "@/lib/llm";
import { tokensThisMonth, workspaceUsage } from "@/lib/usage";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "@/tests/support/fake-llm";
import { createTeam, type Team } from "@/tests/support/fixtures";
import { defineJob, NonRetryableError } from "./definition";
import { runJob } from "./runtime";

let server: FakeLlm;
let team: Team;
let provider: Awaited<ReturnType<typeof db.llmProvider.create>>;

beforeAll(async () => {
  server = await startFakeLlm();
  team = await createTeam("Spend team");
  provider = await db.llmProvider.create({
    data: {
      workspaceId: team.workspace.id,
      name: "Priced",
      kind: "openai",
      baseUrl: fakeBaseUrl(server, "openai"),
      defaultModel: "fake-model",
      options: { prices: { inputPer1M: 1, outputPer1M: 2 } },
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

/** A job that asks `calls` questions, then does what `end` says. */
function askingJob(calls: number, end: "fail" | "succeed" | "throw") {
  return defineJob({
    type: "dataset_judge",
    label: "Spend probe",
    payload: z.object({}),
    retry: { limit: 1, delaySeconds: 1, maxDelaySeconds: 1 },
    timeoutSeconds: 60,
    concurrency: 1,
    async handler() {
      const answers = [];
      for (let i = 0; i < calls; i++) answers.push(await completeChat(provider, [{ role: "user", content: `Question ${i}: 5 examples` }]));
      if (end === "fail") throw new NonRetryableError("The verdicts could not be read.");
      if (end === "throw") throw new Error("The database went away.");
      // A handler's summary that undercounts (as old ones reported only their last attempt) does not lower the count.
      return { tokens_in: 1, tokens_out: 1 };
    },
  });
}

const delivery = (id: string) => ({ id, signal: new AbortController().signal, retryCount: 0 });

async function newJob() {
  return db.job.create({
    data: { projectId: team.project.id, type: "dataset_judge", payload: {}, queueJobId: crypto.randomUUID(), createdById: team.members.editor.id },
  });
}

describe("job LLM spend", () => {
  it("counts every answered call of a failed job on its row and in the workspace's usage, and adds a retry's to the first attempt's", async () => {
    const before = await tokensThisMonth(team.workspace.id);
    const calls = server.stats.total;
    const failing = await newJob();
    expect(await runJob(askingJob(3, "fail"), delivery(failing.queueJobId!), failing.id, "w1")).toBe("failed");
    const failed = await db.job.findUniqueOrThrow({ where: { id: failing.id } });
    expect(server.stats.total - calls).toBe(3);
    expect(failed).toMatchObject({ status: "failed", resultSummary: {} });
    expect(failed.llmTokensIn).toBeGreaterThan(0);
    expect(failed.llmTokensOut).toBeGreaterThan(0);
    expect(failed.llmCostUsd).toBeCloseTo((failed.llmTokensIn * 1 + failed.llmTokensOut * 2) / 1e6, 12);
    const spentByFailed = failed.llmTokensIn + failed.llmTokensOut;
    expect(await tokensThisMonth(team.workspace.id)).toBe(before + spentByFailed);

    // An attempt that errors (retried) and the attempt that finishes: both attempts' calls count.
    const retried = await newJob();
    // A retryable failure goes back to pg-boss, which delivers it again.
    await expect(runJob(askingJob(2, "throw"), delivery(retried.queueJobId!), retried.id, "w1")).rejects.toThrow("The database went away.");
    const afterFirst = await db.job.findUniqueOrThrow({ where: { id: retried.id } });
    expect(afterFirst).toMatchObject({ status: "retrying" });
    expect(await runJob(askingJob(2, "succeed"), delivery(retried.queueJobId!), retried.id, "w2")).toBe("success");
    const done = await db.job.findUniqueOrThrow({ where: { id: retried.id } });
    expect(done.llmTokensIn).toBe(afterFirst.llmTokensIn * 2);
    expect(done.llmTokensOut).toBe(afterFirst.llmTokensOut * 2);
    expect(await tokensThisMonth(team.workspace.id)).toBe(before + spentByFailed + done.llmTokensIn + done.llmTokensOut);

    // The member who started them sees them too, with their cost.
    const usage = await workspaceUsage({ workspace: { id: team.workspace.id } } as Parameters<typeof workspaceUsage>[0]);
    const editor = usage.members.find((m) => m.name === team.members.editor.name);
    expect(editor?.tokens).toBe(spentByFailed + done.llmTokensIn + done.llmTokensOut);
    expect(editor?.cost).toBeCloseTo((failed.llmCostUsd ?? 0) + (done.llmCostUsd ?? 0), 12);
  });

  it("counts nothing for calls made outside a job", async () => {
    const before = await tokensThisMonth(team.workspace.id);
    await completeChat(provider, [{ role: "user", content: "A settings page's Test button: 1 example" }]);
    expect(await tokensThisMonth(team.workspace.id)).toBe(before);
  });
});
