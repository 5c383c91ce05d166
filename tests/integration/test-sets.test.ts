// Test sets on real parts: the worker writes questions of four types from chunks with the fake LLM
// server, a provider's model answers them (and the judge scores open answers) through the queue,
// the report scores each type exactly with intervals, and the arena tallies people's blind votes.
// (A run's base and tuned models answering on the runner: tests/integration/ship.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProjectContext, requireProject, requireWorkspace } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import {
  answerTestSet,
  arenaTally,
  createTestSet,
  nextArenaItem,
  providerModelKey,
  testSetReport,
  updateQuestion,
  voteArena,
} from "@/lib/evaluation/test-sets";
import { saveGenerationSettingsAction } from "@/lib/generation/actions";
import { stopSender } from "@/lib/jobs/boss";
import { createProvider } from "@/lib/llm";
import { getStorage } from "@/lib/storage";
import { type FakeLlm, type FakeMessage, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitForJob } from "../support/worker-process";

let llm: FakeLlm;
let team: Team;
let providerId: string;
let worker: WorkerProcess;
let ctx: ProjectContext;

/** The writer's questions per chunk, and a model that knows even sections and guesses odd ones. */
function responder(messages: FakeMessage[]): string {
  const user = messages.at(-1)?.content ?? "";
  if (user.startsWith("Read the source text below and write test questions")) {
    const n = Number(/Section (\d+):/.exec(user)?.[1] ?? 0);
    return JSON.stringify({
      questions: [
        { type: "true_false", question: `Refunds for order type ${n} take ${n + 3} days.`, answer: true },
        {
          type: "multiple_choice",
          question: `Who issues refunds for order type ${n}?`,
          options: ["The billing team", "Sales", "Legal", "Support"],
          answer: "The billing team",
        },
        { type: "short_answer", question: `How many days do refunds for order type ${n} take?`, answer: `${n + 3} days`, accepted: [`${n + 3}`] },
        {
          type: "open_answer",
          question: `Explain how refunds for order type ${n} work.`,
          answer: `The billing team issues them within ${n + 3} days.`,
          rubric: "Names the billing team and the days.",
        },
        // Unusable: the answer is not an option.
        { type: "multiple_choice", question: "Which region?", options: ["North", "South"], answer: "East" },
      ],
    });
  }
  if (user.startsWith("Grade the assistant's answer")) {
    const good = /billing team/i.test(user.split("Assistant's answer to grade:")[1] ?? "");
    return JSON.stringify({
      faithfulness: good ? 5 : 1,
      correctness: good ? 5 : 1,
      helpfulness: good ? 5 : 1,
      score: good ? 5 : 1,
      reason: good ? "Right." : "Wrong.",
    });
  }
  const n = Number(/order type (\d+)/.exec(user)?.[1] ?? 0);
  const knows = n % 2 === 0;
  if (user.startsWith("Is the following statement true or false?")) return knows ? "True." : "False.";
  if (user.includes("Answer with the letter of the correct option only.")) {
    const options = [...user.matchAll(/^([A-F])\. (.*)$/gm)];
    const pick = options.find((o) => (o[2] === "The billing team") === knows);
    return pick?.[1] ?? "A";
  }
  if (user.includes("Answer in a few words only.")) return knows ? `It takes ${n + 3} days.` : "A week.";
  return knows ? "The billing team refunds you within days." : "Ask the shop.";
}

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: "sk-test" });
  llm.setResponder(responder);
  team = await createTeam();
  const wctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
  const provider = await createProvider(wctx, {
    name: "Fake OpenAI",
    kind: "openai",
    baseUrl: fakeBaseUrl(llm, "openai"),
    defaultModel: "fake-chat",
    apiKey: "sk-test",
    options: { concurrency: 4, requestsPerMinute: 0, timeoutMs: 10_000 },
  });
  providerId = provider.id;
  worker = spawnTestWorker();
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  await llm.stop();
});

describe("test sets", () => {
  let testSetId: string;

  it("writes questions of each type from chunks spread across the sources, each traceable to its chunk, and flags those that overlap training data", async () => {
    const project = await createProjectIn(team.workspace.id, "Test set project");
    const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "handbook.md", storagePath: "unused" } });
    await db.chunk.createMany({
      data: Array.from({ length: 6 }, (_, i) => ({
        projectId: project.id,
        sourceFileId: file.id,
        chunkIndex: i,
        content: `Section ${i}: refunds for order type ${i} are issued within ${i + 3} days by the billing team.`,
        tokenCount: 20,
      })),
    });
    // A training example that states a test question word for word: that question leaks.
    await db.datasetExample.create({
      data: {
        projectId: project.id,
        naturalKey: "train:leak",
        split: "train",
        data: { question: "Explain how refunds for order type 0 work.", answer: "The billing team issues them within 3 days." },
      },
    });
    // A frozen dataset version a past run trained on, holding another question and its answer (the example itself is gone since).
    const trainPath = `test/${project.id}/version-1/train.jsonl`;
    await getStorage().put(
      trainPath,
      Buffer.from(
        `${JSON.stringify({
          id: "x",
          messages: [
            { role: "user", content: "Who issues refunds for order type 5?" },
            { role: "assistant", content: "The billing team" },
          ],
        })}\n`,
      ),
    );
    await db.datasetVersion.create({ data: { projectId: project.id, version: 1, contentHash: "v".repeat(64), numTrain: 1, trainPath } });
    await actAs(team.members.editor);
    expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { provider_id: providerId, model: "fake-chat" } })).ok).toBe(true);
    ctx = await requireProject(team.members.editor, project.id, "jobs.run");
    await expect(createTestSet(ctx, { name: "Bad", types: [], perType: 1, chunks: 3 })).rejects.toThrow(/at least one question type/);
    const { testSet, jobId } = await createTestSet(ctx, {
      name: "Handbook check",
      types: ["true_false", "multiple_choice", "short_answer", "open_answer"],
      perType: 1,
      chunks: 3,
    });
    testSetId = testSet.id;
    const job = await waitForJob(jobId, ["success", "failed"], 60_000);
    expect(job.errorMessage).toBeNull();
    const questions = await db.testQuestion.findMany({ where: { testSetId }, include: { sourceChunk: true } });
    expect(questions).toHaveLength(12);
    // Three chunks spread over six: the first, a middle one and the last.
    expect([...new Set(questions.map((q) => q.sourceChunk!.chunkIndex))].sort()).toEqual([0, 3, 5]);
    const mc = questions.find((q) => q.type === "multiple_choice")!;
    expect(mc.options).toHaveLength(4);
    expect(mc.options).toContain(mc.answer);
    expect(questions.find((q) => q.type === "short_answer" && q.sourceChunk!.chunkIndex === 0)).toMatchObject({ answer: "3 days", accepted: ["3"] });
    const leaked = questions.filter((q) => (q.trainOverlap ?? 0) >= 0.5);
    expect(leaked.map((q) => q.question).sort()).toEqual(["Explain how refunds for order type 0 work.", "Who issues refunds for order type 5?"]);
    const logs = await db.appLog.findMany({ where: { jobId } });
    expect(logs.some((l) => l.message.includes("A multiple-choice answer was not one of its options."))).toBe(true);
  });

  it("a provider's model answers; exact types are scored by the option, the word or the variant, open answers by the judge; the report gives intervals per type and source", async () => {
    const job = await answerTestSet(ctx, testSetId, { kind: "provider", providerId, model: "", judgeProviderId: providerId });
    expect((await waitForJob(job.id, ["success", "failed"], 60_000)).errorMessage).toBeNull();
    const key = providerModelKey(providerId, "fake-chat");
    const answers = await db.testAnswer.findMany({ where: { testSetId, model: key }, include: { question: { include: { sourceChunk: true } } } });
    expect(answers).toHaveLength(12);
    for (const answer of answers) {
      const knows = answer.question.sourceChunk!.chunkIndex % 2 === 0;
      expect(answer.score, `${answer.question.type}: ${answer.answer}`).toBe(knows ? 1 : 0);
    }
    expect(answers.find((a) => a.question.type === "open_answer" && a.score === 1)?.judgeReason).toBe("Right.");

    const report = await testSetReport(ctx, testSetId);
    expect(report).toMatchObject({ questions: 12, rejected: 0, leaked: 2 });
    const [model] = report.models;
    expect(model.label).toBe("Fake OpenAI · fake-chat");
    // 10 questions scored (chunk 0's open question and chunk 5's multiple choice leaked): chunk 0's answered right, chunks 3 and 5's wrong.
    expect(model.byType.true_false).toMatchObject({ n: 3, correct: 1 });
    expect(model.byType.multiple_choice).toMatchObject({ n: 2, correct: 1 });
    expect(model.byType.open_answer).toMatchObject({ n: 2, correct: 0 });
    expect(model.overall).toMatchObject({ n: 10, correct: 3 });
    expect(model.overall.low).toBeLessThan(model.overall.accuracy);
    expect(model.overall.high).toBeGreaterThan(model.overall.accuracy);
    expect(report.bySource).toEqual([{ source: "handbook.md", models: { [key]: expect.objectContaining({ n: 10 }) } }]);
  });

  it("an edited question's answers are asked again; a true/false answer must stay true or false", async () => {
    const question = await db.testQuestion.findFirstOrThrow({ where: { testSetId, type: "true_false" } });
    await expect(updateQuestion(ctx, question.id, { question: question.question, answer: "maybe" })).rejects.toThrow(/true or false/);
    await updateQuestion(ctx, question.id, { question: `${question.question} (checked)`, answer: "true" });
    expect(await db.testAnswer.count({ where: { questionId: question.id } })).toBe(0);
    // The model's answers are now to an earlier version of the set, until it answers again (the changed question only).
    const stale = await testSetReport(ctx, testSetId);
    expect(stale.models[0].answeredVersion).toBeLessThan(stale.version);
    const before = llm.stats.total;
    const job = await answerTestSet(ctx, testSetId, { kind: "provider", providerId, model: "" });
    expect((await waitForJob(job.id, ["success", "failed"], 60_000)).errorMessage).toBeNull();
    expect(llm.stats.total - before).toBe(1);
    const fresh = await testSetReport(ctx, testSetId);
    expect(fresh.models[0].answeredVersion).toBe(fresh.version);
  });

  it("the arena shows two anonymised answers; votes are tallied per pair with the judge's agreement", async () => {
    // A second model: a copy of the first one's answers with every open answer judged the other way round.
    const first = providerModelKey(providerId, "fake-chat");
    const second = providerModelKey(providerId, "other-model");
    const answers = await db.testAnswer.findMany({ where: { testSetId, model: first } });
    await db.testAnswer.createMany({
      data: answers.map((a) => ({
        testSetId,
        questionId: a.questionId,
        model: second,
        answer: `Other: ${a.answer}`,
        score: a.score === null ? null : 1 - a.score,
      })),
    });
    const voter = await requireProject(team.members.viewer, ctx.projectId, "project.view");
    const item = await nextArenaItem(voter, testSetId, first, second);
    expect(item).not.toBeNull();
    // Neither model's key reaches the browser: only the answers and a sealed ticket.
    expect(JSON.stringify(item)).not.toContain(providerId);
    const tampered = item!.ticket.slice(0, -4) + (item!.ticket.endsWith("AAAA") ? "BBBB" : "AAAA");
    await expect(voteArena(voter, { ticket: tampered, choice: "left" })).rejects.toThrow(/not valid/);
    await expect(voteArena(ctx, { ticket: item!.ticket, choice: "left" })).rejects.toThrow(/not yours/);
    // The viewer votes on every question for whichever answer the judge scored higher, as people who agree with it would.
    let votes = 0;
    for (let next = item; next; next = await nextArenaItem(voter, testSetId, first, second)) {
      const [left, right] = await Promise.all(
        [next.left, next.right].map((text) => db.testAnswer.findFirstOrThrow({ where: { questionId: next!.questionId, answer: text } })),
      );
      const choice = left.score === right.score || left.score === null || right.score === null ? "tie" : left.score > right.score ? "left" : "right";
      await voteArena(voter, { ticket: next.ticket, choice });
      votes++;
      if (votes > 20) throw new Error("the arena keeps offering voted questions");
    }
    expect(votes).toBe(12);
    const [pair] = await arenaTally(ctx, testSetId);
    expect(pair.votes).toBe(12);
    expect(pair.winsA + pair.winsB + pair.ties).toBe(12);
    expect(pair.judged).toBe(3);
    expect(pair.judgeAgrees).toBe(3);
    expect(pair.rateA.low).toBeLessThanOrEqual(pair.rateA.accuracy);
  });
});
