// Test sets: evaluation sets written from the project's documents, answered by any model (a run's
// base and tuned models on the runner, a workspace provider's model through its API), scored per
// question type with confidence intervals, and compared blind by people in the arena. Every read
// and write is scoped to the caller's project; another project's ids are "not found".
import crypto from "node:crypto";
import type { TestQuestionType } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission, isUuid } from "@/lib/access/guard";
import { seal, unseal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { conflict, invalidInput, notFound } from "@/lib/errors";
import { estimateJudgeCost } from "@/lib/evaluation/judge";
import { startEvaluation } from "@/lib/evaluation/queue";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { assertWithinQuota } from "@/lib/usage";
import { testSetAnswerJob } from "./answer-job";
import { testSetGenerateJob } from "./generate-job";
import { modelLabels, providerModelKey } from "./models";
import { LEAK_OVERLAP } from "./overlap";
import { QUESTION_TYPES, wilson } from "./questions";

export const createTestSetSchema = z.object({
  name: z.string().trim().min(1, "Name the test set.").max(200),
  types: z.array(z.enum(["true_false", "multiple_choice", "short_answer", "open_answer"])).min(1, "Choose at least one question type."),
  perType: z.number().int().min(1, "At least 1.").max(5, "At most 5."),
  chunks: z.number().int().min(1, "At least 1.").max(500, "At most 500."),
  sourceFileIds: z.array(z.uuid()).max(500).default([]),
});

async function findTestSet(ctx: ProjectContext, testSetId: string) {
  if (!isUuid(testSetId)) throw notFound("Test set");
  const testSet = await db.testSet.findFirst({ where: { id: testSetId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } });
  if (!testSet) throw notFound("Test set");
  return testSet;
}

async function findQuestion(ctx: ProjectContext, questionId: string) {
  if (!isUuid(questionId)) throw notFound("Question");
  const question = await db.testQuestion.findFirst({
    where: { id: questionId, testSet: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } } },
  });
  if (!question) throw notFound("Question");
  return question;
}

/** A change to the set's questions: answers given before it say they answered an earlier version. */
async function bumpVersion(testSetId: string): Promise<void> {
  await db.testSet.update({ where: { id: testSetId }, data: { version: { increment: 1 } } });
}

export async function createTestSet(ctx: ProjectContext, input: z.input<typeof createTestSetSchema>) {
  assertPermission(ctx.role, "jobs.run");
  const parsed = createTestSetSchema.parse(input);
  await assertWithinQuota(ctx, "tokens");
  if (parsed.sourceFileIds.length) {
    const found = await db.file.count({ where: { id: { in: parsed.sourceFileIds }, projectId: ctx.projectId, kind: "raw_doc" } });
    if (found !== new Set(parsed.sourceFileIds).size)
      throw invalidInput("Choose sources of this project.", { sourceFileIds: "Choose sources of this project." });
  }
  return db.$transaction(async (tx) => {
    const testSet = await tx.testSet.create({
      data: {
        projectId: ctx.projectId,
        name: parsed.name,
        createdById: ctx.actor.id,
        settings: { types: parsed.types, per_type: parsed.perType, chunks: parsed.chunks, source_file_ids: parsed.sourceFileIds },
      },
    });
    const job = await enqueueJob(ctx, testSetGenerateJob, { testSetId: testSet.id }, { tx });
    return { testSet, jobId: job.id };
  });
}

export async function listTestSets(ctx: ProjectContext) {
  const sets = await db.testSet.findMany({
    where: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    orderBy: { createdAt: "desc" },
    include: { _count: { select: { questions: true, votes: true } } },
  });
  return sets.map((s) => ({ id: s.id, name: s.name, createdAt: s.createdAt, questions: s._count.questions, votes: s._count.votes }));
}

export async function getTestSet(ctx: ProjectContext, testSetId: string) {
  return findTestSet(ctx, testSetId);
}

export async function deleteTestSet(ctx: ProjectContext, testSetId: string): Promise<void> {
  assertPermission(ctx.role, "dataset.edit");
  const testSet = await findTestSet(ctx, testSetId);
  await db.testSet.delete({ where: { id: testSet.id } });
}

export async function listQuestions(ctx: ProjectContext, testSetId: string) {
  const testSet = await findTestSet(ctx, testSetId);
  return db.testQuestion.findMany({
    where: { testSetId: testSet.id },
    orderBy: [{ createdAt: "asc" }, { naturalKey: "asc" }],
    include: { sourceChunk: { select: { chunkIndex: true, sourceFile: { select: { filename: true } } } } },
  });
}

export const questionEditSchema = z.object({
  question: z.string().trim().min(1, "Write the question.").max(4000),
  answer: z.string().trim().min(1, "Give the answer.").max(8000),
  options: z.array(z.string().trim().min(1)).max(6).default([]),
  accepted: z.array(z.string().trim().min(1)).max(20).default([]),
  rubric: z.string().trim().max(4000).nullable().default(null),
});

/** An edit keeps the question's type; its answer must fit it (true/false, one of the options). */
export async function updateQuestion(ctx: ProjectContext, questionId: string, input: z.input<typeof questionEditSchema>) {
  assertPermission(ctx.role, "dataset.edit");
  const question = await findQuestion(ctx, questionId);
  const edit = questionEditSchema.parse(input);
  if (question.type === "true_false" && !["true", "false"].includes(edit.answer.toLowerCase())) {
    throw invalidInput("A true/false answer is true or false.", { answer: "Write true or false." });
  }
  if (question.type === "multiple_choice" && (edit.options.length < 2 || !edit.options.includes(edit.answer))) {
    throw invalidInput("The answer must be one of at least two options.", { answer: "Make the answer one of the options." });
  }
  await bumpVersion(question.testSetId);
  const updated = await db.testQuestion.update({
    where: { id: question.id },
    data: {
      question: edit.question,
      answer: question.type === "true_false" ? edit.answer.toLowerCase() : edit.answer,
      options: question.type === "multiple_choice" ? edit.options : [],
      accepted: question.type === "short_answer" ? edit.accepted : [],
      rubric: question.type === "open_answer" ? edit.rubric : null,
    },
  });
  // Answers were scored against the old question: they are asked again.
  await db.testAnswer.deleteMany({ where: { questionId: question.id } });
  return updated;
}

export async function reviewQuestion(ctx: ProjectContext, questionId: string, status: "pending" | "approved" | "rejected") {
  assertPermission(ctx.role, "dataset.edit");
  const question = await findQuestion(ctx, questionId);
  if (question.reviewStatus !== status) await bumpVersion(question.testSetId);
  return db.testQuestion.update({ where: { id: question.id }, data: { reviewStatus: status } });
}

/** The models that can answer: each finished run (its base and tuned models), each provider (its default model, or one named). */
export async function modelChoices(ctx: ProjectContext): Promise<{
  runs: Array<{ id: string; name: string; baseModelId: string }>;
  providers: Array<{ id: string; name: string; defaultModel: string | null }>;
}> {
  const [runs, providers] = await Promise.all([
    db.run.findMany({
      where: { projectId: ctx.projectId, status: "success", project: { workspaceId: ctx.workspace.id } },
      orderBy: { createdAt: "desc" },
      select: { id: true, name: true, baseModelId: true },
    }),
    db.llmProvider.findMany({
      where: { workspaceId: ctx.workspace.id },
      orderBy: [{ isDefault: "desc" }, { name: "asc" }],
      select: { id: true, name: true, defaultModel: true },
    }),
  ]);
  return { runs: runs.map((r) => ({ id: r.id, name: r.name, baseModelId: r.baseModelId ?? "unknown" })), providers };
}

export const answerWithSchema = z.union([
  z.object({ kind: z.literal("run"), runId: z.uuid(), judgeProviderId: z.uuid().nullable().default(null) }),
  z.object({
    kind: z.literal("provider"),
    providerId: z.uuid(),
    model: z.string().trim().max(255).default(""),
    judgeProviderId: z.uuid().nullable().default(null),
  }),
]);

/** Has a model answer the set: a run's base and tuned models on its runner (an evaluation), or a provider's model. */
export async function answerTestSet(ctx: ProjectContext, testSetId: string, input: z.input<typeof answerWithSchema>) {
  const testSet = await findTestSet(ctx, testSetId);
  if ((await db.testQuestion.count({ where: { testSetId: testSet.id, reviewStatus: { not: "rejected" } } })) === 0) {
    throw conflict("The test set has no questions to answer yet.");
  }
  const choice = answerWithSchema.parse(input);
  if (choice.judgeProviderId && !(await db.llmProvider.findFirst({ where: { id: choice.judgeProviderId, workspaceId: ctx.workspace.id } }))) {
    throw invalidInput("That judge provider is not in this workspace.", { judgeProviderId: "Choose a provider of this workspace." });
  }
  if (choice.kind === "run") {
    return startEvaluation(ctx, { runId: choice.runId, testSetId: testSet.id, judgeProviderId: choice.judgeProviderId });
  }
  const provider = await db.llmProvider.findFirst({ where: { id: choice.providerId, workspaceId: ctx.workspace.id } });
  if (!provider) throw notFound("Provider");
  await assertWithinQuota(ctx, "tokens");
  const model = choice.model || provider.defaultModel || "";
  if (!model) throw invalidInput("Name the model to ask.", { model: "This provider has no default model: name one." });
  return enqueueJob(ctx, testSetAnswerJob, { testSetId: testSet.id, providerId: provider.id, model, judgeProviderId: choice.judgeProviderId });
}

export type Share = { n: number; correct: number; accuracy: number; low: number; high: number };

function share(correct: number, n: number): Share {
  return { n, correct, accuracy: n ? correct / n : 0, ...wilson(correct, n) };
}

export type ModelReport = {
  key: string;
  label: string;
  overall: Share;
  byType: Partial<Record<TestQuestionType, Share>>;
  /** Open answers still waiting for the judge. */
  unscored: number;
  /** The oldest version of the set this model's answers were given at (below the set's version: answer again to compare fairly). */
  answeredVersion: number;
};

export type TestSetReport = {
  /** The set's version now. */
  version: number;
  questions: number;
  /** Questions left out of the scores: rejected in review, or overlapping the training data. */
  rejected: number;
  leaked: number;
  models: ModelReport[];
  bySource: Array<{ source: string; models: Record<string, Share> }>;
  /** Per run that has both: where the tuned model beats its base, and where it loses, with examples. */
  tunedVsBase: Array<{
    runId: string;
    label: string;
    wins: number;
    losses: number;
    better: boolean;
    examples: Array<{ question: string; type: TestQuestionType; reference: string; base: string; tuned: string; tunedWins: boolean }>;
  }>;
};

/**
 * The scores of every model that answered: accuracy (the mean score; exact types score 0 or 1,
 * judged open answers 0–1) per question type and overall with Wilson intervals, per source
 * document, ranked; and each run's tuned model against its base. Scored: questions not rejected
 * and not overlapping the training data.
 */
export async function testSetReport(ctx: ProjectContext, testSetId: string): Promise<TestSetReport> {
  const testSet = await findTestSet(ctx, testSetId);
  return reportOf(ctx.projectId, testSet.id);
}

export async function reportOf(projectId: string, testSetId: string): Promise<TestSetReport> {
  const questions = await db.testQuestion.findMany({
    where: { testSetId },
    include: { answers: true, sourceChunk: { select: { sourceFile: { select: { filename: true } } } } },
  });
  const scored = questions.filter((q) => q.reviewStatus !== "rejected" && (q.trainOverlap ?? 0) < LEAK_OVERLAP);
  const keys = [...new Set(scored.flatMap((q) => q.answers.map((a) => a.model)))];
  const labels = await modelLabels(projectId, keys);
  const models: ModelReport[] = keys.map((key) => {
    const byType: Partial<Record<TestQuestionType, Share>> = {};
    let sum = 0;
    let n = 0;
    let unscored = 0;
    for (const type of QUESTION_TYPES) {
      const answers = scored.filter((q) => q.type === type).flatMap((q) => q.answers.filter((a) => a.model === key));
      const judged = answers.filter((a) => a.score !== null);
      unscored += answers.length - judged.length;
      if (!judged.length) continue;
      const total = judged.reduce((acc, a) => acc + (a.score ?? 0), 0);
      byType[type] = share(total, judged.length);
      sum += total;
      n += judged.length;
    }
    const versions = scored.flatMap((q) => q.answers.filter((a) => a.model === key).map((a) => a.setVersion));
    return { key, label: labels.get(key) ?? key, overall: share(sum, n), byType, unscored, answeredVersion: Math.min(...versions) };
  });
  models.sort((a, b) => b.overall.accuracy - a.overall.accuracy);

  const sources = [...new Set(scored.map((q) => q.sourceChunk?.sourceFile.filename ?? "A deleted source"))].sort();
  const bySource = sources.map((source) => {
    const own = scored.filter((q) => (q.sourceChunk?.sourceFile.filename ?? "A deleted source") === source);
    const perModel: Record<string, Share> = {};
    for (const key of keys) {
      const answers = own.flatMap((q) => q.answers.filter((a) => a.model === key && a.score !== null));
      if (answers.length)
        perModel[key] = share(
          answers.reduce((acc, a) => acc + (a.score ?? 0), 0),
          answers.length,
        );
    }
    return { source, models: perModel };
  });

  const runIds = [...new Set(keys.filter((k) => k.startsWith("tuned:")).map((k) => k.slice("tuned:".length)))].filter((id) => keys.includes(`base:${id}`));
  const tunedVsBase = runIds.map((runId) => {
    let wins = 0;
    let losses = 0;
    const examples: TestSetReport["tunedVsBase"][number]["examples"] = [];
    for (const q of scored) {
      const base = q.answers.find((a) => a.model === `base:${runId}`);
      const tuned = q.answers.find((a) => a.model === `tuned:${runId}`);
      if (base?.score == null || tuned?.score == null || base.score === tuned.score) continue;
      const tunedWins = tuned.score > base.score;
      if (tunedWins) wins++;
      else losses++;
      if (examples.filter((e) => e.tunedWins === tunedWins).length < 3) {
        examples.push({ question: q.question, type: q.type, reference: q.answer, base: base.answer, tuned: tuned.answer, tunedWins });
      }
    }
    const tuned = models.find((m) => m.key === `tuned:${runId}`)!;
    const base = models.find((m) => m.key === `base:${runId}`)!;
    return { runId, label: tuned.label, wins, losses, better: tuned.overall.accuracy > base.overall.accuracy, examples };
  });
  return {
    version: (await db.testSet.findUniqueOrThrow({ where: { id: testSetId }, select: { version: true } })).version,
    questions: questions.length,
    rejected: questions.filter((q) => q.reviewStatus === "rejected").length,
    leaked: questions.filter((q) => q.reviewStatus !== "rejected" && (q.trainOverlap ?? 0) >= LEAK_OVERLAP).length,
    models,
    bySource,
    tunedVsBase,
  };
}

// ---- The arena: blind side-by-side by people ----

export type ArenaItem = {
  questionId: string;
  question: string;
  type: TestQuestionType;
  options: string[];
  /** The two answers in the order shown; which model wrote which is not sent to the browser. */
  left: string;
  right: string;
  /** Sealed with the server's key: which model is on which side, opened when the vote comes back. */
  ticket: string;
  remaining: number;
};

function sealTicket(ticket: Ticket): string {
  return seal(JSON.stringify(ticket));
}

function openTicket(sealed: string): Ticket {
  try {
    return JSON.parse(unseal(sealed)) as Ticket;
  } catch {
    throw invalidInput("This vote's ticket is not valid. Reload the arena.");
  }
}

type Ticket = { testSetId: string; questionId: string; left: string; right: string; userId: string };

/** Models of the set with answers, for choosing the pair. */
export async function arenaModels(ctx: ProjectContext, testSetId: string): Promise<Array<{ key: string; label: string }>> {
  const testSet = await findTestSet(ctx, testSetId);
  const keys = (await db.testAnswer.findMany({ where: { testSetId: testSet.id }, distinct: ["model"], select: { model: true } })).map((a) => a.model);
  const labels = await modelLabels(ctx.projectId, keys);
  return keys.map((key) => ({ key, label: labels.get(key) ?? key })).sort((a, b) => a.label.localeCompare(b.label));
}

/** A question both models answered and the caller has not voted on, the answers on random sides; null when none is left. */
export async function nextArenaItem(ctx: ProjectContext, testSetId: string, modelA: string, modelB: string): Promise<ArenaItem | null> {
  const testSet = await findTestSet(ctx, testSetId);
  if (modelA === modelB) throw invalidInput("Choose two different models.");
  const [a, b] = [modelA, modelB].sort();
  const candidates = await db.testQuestion.findMany({
    where: {
      testSetId: testSet.id,
      reviewStatus: { not: "rejected" },
      AND: [{ answers: { some: { model: a } } }, { answers: { some: { model: b } } }],
      votes: { none: { userId: ctx.actor.id, modelA: a, modelB: b } },
    },
    include: { answers: { where: { model: { in: [a, b] } } } },
  });
  if (candidates.length === 0) return null;
  const question = candidates[crypto.randomInt(candidates.length)];
  const [left, right] = crypto.randomInt(2) === 0 ? [a, b] : [b, a];
  const answerOf = (key: string) => question.answers.find((x) => x.model === key)?.answer ?? "";
  return {
    questionId: question.id,
    question: question.question,
    type: question.type,
    options: question.options,
    left: answerOf(left),
    right: answerOf(right),
    ticket: sealTicket({ testSetId: testSet.id, questionId: question.id, left, right, userId: ctx.actor.id }),
    remaining: candidates.length,
  };
}

/** Any member may vote (viewers are part of the team judging it). */
export async function voteArena(ctx: ProjectContext, input: { ticket: string; choice: "left" | "right" | "tie" }): Promise<void> {
  const ticket = openTicket(input.ticket);
  if (ticket.userId !== ctx.actor.id) throw invalidInput("This vote's ticket is not yours. Reload the arena.");
  await findTestSet(ctx, ticket.testSetId);
  const [modelA, modelB] = [ticket.left, ticket.right].sort();
  const chosen = input.choice === "tie" ? null : input.choice === "left" ? ticket.left : ticket.right;
  const winner = chosen === null ? "tie" : chosen === modelA ? "a" : "b";
  await db.arenaVote.upsert({
    where: { questionId_modelA_modelB_userId: { questionId: ticket.questionId, modelA, modelB, userId: ctx.actor.id } },
    create: { testSetId: ticket.testSetId, questionId: ticket.questionId, modelA, modelB, winner, userId: ctx.actor.id },
    update: { winner },
  });
}

export type ArenaTally = Array<{
  modelA: string;
  modelB: string;
  labelA: string;
  labelB: string;
  votes: number;
  winsA: number;
  winsB: number;
  ties: number;
  /** A's win rate counting a tie as half a win, with its Wilson interval. */
  rateA: Share;
  /** Votes on questions the judge scored for both answers, and how many of them it called the same way. */
  judged: number;
  judgeAgrees: number;
}>;

/** Each compared pair's votes: wins, ties, A's win rate with its interval, and how often the LLM judge agrees with people. */
export async function arenaTally(ctx: ProjectContext, testSetId: string): Promise<ArenaTally> {
  const testSet = await findTestSet(ctx, testSetId);
  const votes = await db.arenaVote.findMany({ where: { testSetId: testSet.id }, include: { question: { include: { answers: true } } } });
  const pairs = new Map<string, typeof votes>();
  for (const vote of votes) pairs.set(`${vote.modelA}\n${vote.modelB}`, [...(pairs.get(`${vote.modelA}\n${vote.modelB}`) ?? []), vote]);
  const labels = await modelLabels(ctx.projectId, [...new Set(votes.flatMap((v) => [v.modelA, v.modelB]))]);
  return [...pairs.values()].map((group) => {
    const { modelA, modelB } = group[0];
    const winsA = group.filter((v) => v.winner === "a").length;
    const winsB = group.filter((v) => v.winner === "b").length;
    const ties = group.length - winsA - winsB;
    let judged = 0;
    let judgeAgrees = 0;
    for (const vote of group) {
      if (vote.question.type !== "open_answer") continue;
      const scoreA = vote.question.answers.find((a) => a.model === modelA)?.score;
      const scoreB = vote.question.answers.find((a) => a.model === modelB)?.score;
      if (scoreA == null || scoreB == null) continue;
      judged++;
      const judge = scoreA > scoreB ? "a" : scoreA < scoreB ? "b" : "tie";
      if (judge === vote.winner) judgeAgrees++;
    }
    return {
      modelA,
      modelB,
      labelA: labels.get(modelA) ?? modelA,
      labelB: labels.get(modelB) ?? modelB,
      votes: group.length,
      winsA,
      winsB,
      ties,
      rateA: share(winsA + ties / 2, group.length),
      judged,
      judgeAgrees,
    };
  });
}

export { LEAK_OVERLAP, providerModelKey };

export type RunTestSetResult = {
  testSetId: string;
  name: string;
  tuned: Share;
  base: Share | null;
  /** People's blind votes between this run's base and tuned answers. */
  arena: { votes: number; tunedWins: number; baseWins: number; ties: number } | null;
  better: boolean | null;
  summary: string;
  report: TestSetReport;
};

const percent = (s: Share) => `${Math.round(s.accuracy * 100)} % (95 % interval ${Math.round(s.low * 100)}–${Math.round(s.high * 100)} %, ${s.n} questions)`;

/** Each test set this run answered: tuned against base, with the arena's votes between them (the Export step's gate and the bundle). */
export async function runTestSetResults(projectId: string, runId: string): Promise<RunTestSetResult[]> {
  const tunedKey = `tuned:${runId}`;
  const baseKey = `base:${runId}`;
  const sets = await db.testSet.findMany({ where: { projectId, answers: { some: { model: tunedKey } } }, orderBy: { createdAt: "asc" } });
  const results: RunTestSetResult[] = [];
  for (const set of sets) {
    const report = await reportOf(projectId, set.id);
    const tuned = report.models.find((m) => m.key === tunedKey);
    if (!tuned) continue;
    const base = report.models.find((m) => m.key === baseKey)?.overall ?? null;
    const [a, b] = [baseKey, tunedKey].sort();
    const votes = await db.arenaVote.findMany({ where: { testSetId: set.id, modelA: a, modelB: b }, select: { winner: true } });
    const tunedSide = a === tunedKey ? "a" : "b";
    const arena = votes.length
      ? {
          votes: votes.length,
          tunedWins: votes.filter((v) => v.winner === tunedSide).length,
          baseWins: votes.filter((v) => v.winner !== tunedSide && v.winner !== "tie").length,
          ties: votes.filter((v) => v.winner === "tie").length,
        }
      : null;
    const better = base ? tuned.overall.accuracy > base.accuracy && (!arena || arena.tunedWins >= arena.baseWins) : null;
    const people = arena ? `; people preferred the tuned answer ${arena.tunedWins} times, the base ${arena.baseWins} times (${arena.ties} ties)` : "";
    const figures = `tuned ${percent(tuned.overall)}${base ? ` vs base ${percent(base)}` : ""}${people}`;
    results.push({
      testSetId: set.id,
      name: set.name,
      tuned: tuned.overall,
      base,
      arena,
      better,
      summary:
        better === false
          ? `On the test set "${set.name}" the tuned model is not better than the base model: ${figures}. Check the dataset and the run before shipping it.`
          : `Test set "${set.name}": ${figures}.`,
      report,
    });
  }
  return results;
}

/** What judging the set's open answers with this provider would send and cost (the reference stands in for each answer). */
export async function estimateTestSetJudge(ctx: ProjectContext, testSetId: string, providerId: string) {
  const testSet = await findTestSet(ctx, testSetId);
  const provider = await db.llmProvider.findFirst({ where: { id: providerId, workspaceId: ctx.workspace.id }, select: { options: true } });
  if (!provider) throw notFound("Provider");
  const open = await db.testQuestion.findMany({
    where: { testSetId: testSet.id, type: "open_answer", reviewStatus: { not: "rejected" } },
    include: { sourceChunk: { select: { content: true } } },
  });
  return estimateJudgeCost({
    provider,
    samples: open.map((q) => ({
      prompt: q.question,
      reference: q.rubric ? `${q.answer}\n\nA good answer: ${q.rubric}` : q.answer,
      answer: q.answer,
      sourceChunk: q.sourceChunk?.content,
    })),
  });
}
