// Issue 19, item 3: LLM-judge scores on examples, through the worker, the real queue and a fake
// LLM server over HTTP: the estimate first, scores and reasons on each example, the filter by
// score and "approve all above N" with its count; a second run scores only what is left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { countExamplesAction, reviewExamplesAction } from "@/lib/datasets/actions";
import { contentHash } from "@/lib/datasets/hash";
import { listExamples } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { estimateJudgeAction, saveGenerationSettingsAction, startJudgeAction } from "@/lib/generation/actions";
import { stopSender } from "@/lib/jobs/boss";
import { createProvider } from "@/lib/llm";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitForJob } from "../support/worker-process";

let llm: FakeLlm;
let team: Team;
let worker: WorkerProcess;
let projectId: string;
const asked: string[] = [];

beforeAll(async () => {
  llm = await startFakeLlm({});
  team = await createTeam();
  projectId = (await createProjectIn(team.workspace.id, "Judged")).id;
  await db.project.update({ where: { id: projectId }, data: { taskType: "qa" } });
  const file = await db.file.create({ data: { projectId, kind: "raw_doc", status: "ready", filename: "policy.md", storagePath: "unused" } });
  const chunk = await db.chunk.create({
    data: { projectId, sourceFileId: file.id, chunkIndex: 0, content: "Refunds are paid within 14 days to the original card.", tokenCount: 12 },
  });
  const examples = [
    { question: "How long do refunds take?", answer: "Refunds are paid within 14 days to the original card." },
    { question: "Where does the refund go?", answer: "Back to the original card." },
    { question: "What is the capital of France?", answer: "Paris, which has nothing to do with refunds." },
  ];
  await db.datasetExample.createMany({
    data: examples.map((data, i) => ({
      projectId,
      sourceChunkId: chunk.id,
      sourceFileId: file.id,
      naturalKey: `j:${i}`,
      data,
      contentHash: contentHash(data),
    })),
  });
  // Invalid examples are not scored.
  await db.datasetExample.create({ data: { projectId, naturalKey: "j:bad", data: { raw: "??" }, isValid: false } });

  const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
  const provider = await createProvider(ctx, {
    name: "Judge server",
    kind: "openai",
    baseUrl: fakeBaseUrl(llm, "openai"),
    defaultModel: "fake-judge",
    options: { concurrency: 2, requestsPerMinute: 0, timeoutMs: 10_000, prices: { inputPer1M: 2, outputPer1M: 8 } },
  });
  await actAs(team.members.editor);
  expect((await saveGenerationSettingsAction({ projectId, settings: { provider_id: provider.id, model: "fake-judge" } })).ok).toBe(true);
  llm.setResponder((messages) => {
    const user = messages.at(-1)?.content ?? "";
    asked.push(user);
    if (user.includes("Paris")) return JSON.stringify({ faithfulness: 1, helpfulness: 2, clarity: 3, tone: 3, reason: "Not supported by the source." });
    if (user.includes("Back to the original card."))
      return `Sure! {"faithfulness": 5, "helpfulness": 3, "clarity": 4, "tone": 4, "reason": "Correct but terse."}`;
    return JSON.stringify({ faithfulness: 5, helpfulness: 5, clarity: 5, tone: 5, reason: "Faithful and complete." });
  });
  worker = spawnTestWorker();
});

afterAll(async () => {
  llm.setResponder(null);
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  await llm.stop();
});

describe("scoring examples with the LLM judge", () => {
  it("estimates first, then scores every valid example by the rubric with a reason; filters and bulk approval use the score", async () => {
    const estimate = await estimateJudgeAction({ projectId });
    expect(estimate.ok).toBe(true);
    if (!estimate.ok) return;
    expect(estimate.data).toMatchObject({ examples: 3, model: "fake-judge", provider: "Judge server" });
    expect(estimate.data.tokensIn).toBeGreaterThan(3 * 100);
    expect(estimate.data.costUsd).toBeGreaterThan(0);

    const rubric = `${estimate.data.rubric}\n- tone: friendly and professional.`;
    const bad = await startJudgeAction({ projectId, rubric: "Be nice." });
    expect(!bad.ok && bad.error.fieldErrors?.rubric).toMatch(/Name at least one criterion/);
    const started = await startJudgeAction({ projectId, rubric });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const job = await waitForJob(started.data.jobId, ["success", "failed"], 60_000);
    expect(job.status).toBe("success");
    expect(job.resultSummary).toMatchObject({ scored: 3, not_scored: 0 });
    expect(asked.every((prompt) => prompt.includes("- tone: friendly and professional.") && prompt.includes("Refunds are paid within 14 days"))).toBe(true);

    const scores = await db.datasetExample.findMany({
      where: { projectId, isValid: true },
      orderBy: { naturalKey: "asc" },
      select: { judgeScore: true, judgeReason: true },
    });
    expect(scores).toEqual([
      { judgeScore: 5, judgeReason: "Faithful and complete." },
      { judgeScore: 4, judgeReason: "Correct but terse." },
      { judgeScore: 2.25, judgeReason: "Not supported by the source." },
    ]);
    expect(await db.datasetExample.findFirstOrThrow({ where: { projectId, isValid: false }, select: { judgeScore: true } })).toEqual({ judgeScore: null });

    const ctx = await requireProject(team.members.viewer, projectId, "project.view");
    expect((await listExamples(ctx, { score: "4" })).total).toBe(2);
    expect((await listExamples(ctx, { score: "unscored" })).total).toBe(1);
    // Sorted by score, high or low first, unscored last, page after page.
    const first = await listExamples(ctx, { sort: "score_desc" }, undefined, 2);
    const rest = await listExamples(ctx, { sort: "score_desc" }, first.nextCursor!, 2);
    expect([...first.items, ...rest.items].map((e) => e.judgeScore)).toEqual([5, 4, 2.25, null]);
    const low = await listExamples(ctx, { sort: "score_asc" }, undefined, 3);
    const lowRest = await listExamples(ctx, { sort: "score_asc" }, low.nextCursor!, 3);
    expect([...low.items, ...lowRest.items].map((e) => e.judgeScore)).toEqual([2.25, 4, 5, null]);
    // "Approve all scored 4 and up": the count first, then the approval.
    const count = await countExamplesAction({ projectId, target: { filter: { score: "4" } } });
    expect(count.ok && count.data.count).toBe(2);
    const approved = await reviewExamplesAction({ projectId, target: { filter: { score: "4" } }, status: "approved" });
    expect(approved.ok && approved.data.count).toBe(2);
  }, 90_000);

  it("a second run scores only what is left", async () => {
    const before = asked.length;
    const data = { question: "Can refunds go to a bank account?", answer: "No, refunds are paid to the original card." };
    await db.datasetExample.create({ data: { projectId, naturalKey: "j:new", data, contentHash: contentHash(data) } });
    const estimate = await estimateJudgeAction({ projectId });
    expect(estimate.ok && estimate.data.examples).toBe(1);
    const started = await startJudgeAction({ projectId, rubric: null });
    if (!started.ok) throw new Error(started.error.message);
    const job = await waitForJob(started.data.jobId, ["success", "failed"], 60_000);
    expect(job.resultSummary).toMatchObject({ scored: 1 });
    expect(asked.length - before).toBe(1);
  }, 90_000);
});
