import path from "node:path";
import readline from "node:readline";
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { JudgeParseError, judgeSample } from "@/lib/evaluation/judge";
import { exactMatch, rougeL, summarizeSamples } from "@/lib/evaluation/metrics";
import { type JobContext, NonRetryableError } from "@/lib/jobs/definition";
import { loadProviderRecord } from "@/lib/llm";
import { STDERR_FILE, shellQuote } from "@/lib/runner-program/commands";
import type { ParsedChunk } from "@/lib/runner-program/events";
import { connectRemote, startRemote, uploadProgram } from "@/lib/runner-program/launch";
import { ensurePython } from "@/lib/runner-program/python-env";
import { RemoteProcess } from "@/lib/runner-program/remote-process";
import { ensureRunFiles, runnerExtras } from "@/lib/runner-program/run-files";
import { getStorage } from "@/lib/storage";
import { hyperparamsSchema } from "@/lib/training/presets";
import type { EvalPayload } from "./eval-payload";
import { refreshOverlap } from "./test-sets/overlap";
import { answerPrompt } from "./test-sets/questions";
import { type Judge, scoreAndStore } from "./test-sets/scoring";

const EVENTS = "eval-events.jsonl";
const PID = "eval.pid";
const PROMPTS = "data/prompts.jsonl";

type Checkpoint = { pid?: number; offset?: number; evalLoss?: number | null; perplexity?: number | null; phase?: "judge" };

type Message = { role: string; content: string };
/** A sample to answer: the last user turn, after its context (the system turn, a conversation's earlier exchanges). */
type Prompt = { index: number; prompt: string; reference: string; context: Message[]; exampleId: string };

/** The first `n` examples of the version's eval split (or train, when it has none), as frozen. */
async function loadPrompts(key: string, n: number): Promise<Prompt[]> {
  const prompts: Prompt[] = [];
  const lines = readline.createInterface({ input: await getStorage().get(key), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { id: string; messages: Message[] };
    const lastUser = row.messages.findLastIndex((m) => m.role === "user");
    const user = row.messages[lastUser]?.content ?? "";
    const assistant = row.messages.filter((m) => m.role === "assistant").at(-1)?.content ?? "";
    prompts.push({ index: prompts.length, prompt: user, reference: assistant, context: row.messages.slice(0, Math.max(0, lastUser)), exampleId: row.id });
    if (prompts.length >= n) break;
  }
  lines.close();
  return prompts;
}

/**
 * A test set's questions as prompts after the eval prompts (indexes from `offset`), asked as every
 * model is asked (lib/evaluation/test-sets/questions), after the system prompt the run trained with.
 */
async function testQuestionPrompts(testSetId: string, projectId: string, manifest: unknown, offset: number) {
  const testSet = await db.testSet.findFirst({ where: { id: testSetId, projectId } });
  if (!testSet) throw new NonRetryableError("The test set was deleted.");
  await refreshOverlap(testSetId, projectId);
  const questions = await db.testQuestion.findMany({
    where: { testSetId, reviewStatus: { not: "rejected" } },
    orderBy: [{ createdAt: "asc" }, { naturalKey: "asc" }],
    include: { sourceChunk: { select: { content: true } } },
  });
  const system = (manifest as { systemPrompt?: string | null } | null)?.systemPrompt;
  const context = system ? [{ role: "system", content: system }] : [];
  return {
    version: testSet.version,
    questions: questions.map((q) => ({ ...q, source: q.sourceChunk?.content ?? null })),
    prompts: questions.map((q, i) => ({ index: offset + i, prompt: answerPrompt(q), reference: q.answer, context, exampleId: "" })),
  };
}

async function loadRun(runId: string) {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: { runner: true, datasetVersion: true, project: { select: { workspaceId: true, taskType: true } } },
  });
  if (!run) throw new NonRetryableError("This run was deleted.");
  if (run.status !== "success") throw new NonRetryableError("Only a finished run can be evaluated.");
  if (!run.runner) throw new NonRetryableError("The runner this run trained on was deleted; add it again to evaluate on it.");
  if (!run.datasetVersion?.trainPath) throw new NonRetryableError("This run has no dataset version to take eval prompts from.");
  if (!run.remoteDir) throw new NonRetryableError("This run has no directory on its runner.");
  return run;
}

function scoresOf(reference: string, base: string | null | undefined, tuned: string | null | undefined) {
  const one = (answer: string | null | undefined) =>
    answer == null ? null : { rouge_l: rougeL(answer, reference).f1, exact_match: exactMatch(answer, reference) };
  return { base: one(base), tuned: one(tuned) };
}

export async function runEvaluation(ctx: JobContext<EvalPayload>): Promise<Record<string, unknown>> {
  const { runId, numPrompts, judgeProviderId, maxNewTokens, testSetId } = ctx.payload;
  const run = await loadRun(runId);
  const version = run.datasetVersion!;
  let checkpoint: Checkpoint = ctx.checkpoint.get<Checkpoint>() ?? {};
  const prompts = await loadPrompts(version.numEval > 0 ? version.evalPath! : version.trainPath!, numPrompts);
  // A test set's questions follow the eval prompts; their answers are scored as test answers.
  const sampleCount = prompts.length;
  const test = testSetId ? await testQuestionPrompts(testSetId, run.projectId, version.manifest, sampleCount) : null;
  if (test) prompts.push(...test.prompts);
  const testJudge: Judge | null =
    test && judgeProviderId ? { provider: await loadProviderRecord(run.project.workspaceId, judgeProviderId), signal: ctx.signal } : null;
  if (version.numEval === 0) ctx.log("warn", "The dataset version has no eval split; the samples come from train examples, which flatters the tuned model.");
  const chunkOf = new Map(
    (
      await db.datasetExample.findMany({
        where: { id: { in: prompts.slice(0, sampleCount).map((p) => p.exampleId) } },
        select: { id: true, sourceChunkId: true },
      })
    ).map((e) => [e.id, e.sourceChunkId]),
  );

  if (checkpoint.phase !== "judge") {
    const remote = new RemoteProcess(ctx, run.runner!, run.remoteDir!, { events: EVENTS, stderr: STDERR_FILE }, checkpoint.offset ?? 0);
    await ctx.progress({ message: `Connecting to ${run.runner!.name}`, done: 0, total: prompts.length });
    await connectRemote(remote);
    try {
      let pid = checkpoint.pid;
      if (!pid) {
        // A new evaluation replaces the run's earlier one (and its earlier answers to this test set).
        await db.evalSample.deleteMany({ where: { runId } });
        if (testSetId) await db.testAnswer.deleteMany({ where: { testSetId, model: { in: [`base:${runId}`, `tuned:${runId}`] } } });
        await remote.exec(`rm -f ${shellQuote(remote.path(EVENTS))} ${shellQuote(remote.path(PID))}`);
        await ensureRunFiles(remote, runId, version.numEval > 0 ? version.evalPath : null);
        await remote.withLink((conn) =>
          conn.writeFile(
            remote.path(PROMPTS),
            `${prompts.map((p) => JSON.stringify({ index: p.index, prompt: p.prompt, reference: p.reference, context: p.context })).join("\n")}\n`,
          ),
        );
        const hyper = hyperparamsSchema.parse(run.hyperparams);
        const config = {
          run_id: run.id,
          base_model: run.baseModelId,
          method: run.method,
          eval_file: version.numEval > 0 ? "data/eval.jsonl" : null,
          prompts_file: PROMPTS,
          max_seq_length: hyper.max_seq_length,
          max_new_tokens: maxNewTokens,
          seed: hyper.seed,
          // A run its launcher allowed on the CPU is evaluated there too.
          ...((run.parameters as Record<string, unknown> | null)?.allow_cpu === true ? { allow_cpu: true } : {}),
          ...runnerExtras(run.parameters),
        };
        await remote.withLink((conn) => conn.writeFile(remote.path("eval.json"), `${JSON.stringify(config, null, 2)}\n`));
        await uploadProgram(remote);
        const python = await ensurePython(remote, run.runner!, path.posix.dirname(path.posix.dirname(remote.dir)), (message) => ctx.progress({ message }), {
          qlora: run.method === "qlora",
        });
        pid = await startRemote(remote, python, "eval", "eval.json", run.project.workspaceId, PID);
        checkpoint = { pid, offset: 0 };
        await ctx.checkpoint.save(checkpoint);
        ctx.log("info", `Evaluation started on ${run.runner!.name} (PID ${pid}): ${prompts.length} prompts, base and tuned.`);
      } else {
        ctx.log("info", `Re-attached to the evaluation on ${run.runner!.name} (PID ${pid}).`);
      }

      let received =
        (await db.evalSample.count({ where: { runId } })) + (testSetId ? await db.testAnswer.count({ where: { testSetId, model: `tuned:${runId}` } }) : 0);
      const record = async (chunk: ParsedChunk, offsetAfter: number) => {
        const writes: Array<(tx: Prisma.TransactionClient) => Promise<unknown>> = [];
        for (const event of chunk.events) {
          if (event.type === "sample" && test && event.index >= sampleCount) {
            const question = test.questions[event.index - sampleCount];
            if (question) {
              for (const [model, output] of [
                [`base:${runId}`, event.base_output],
                [`tuned:${runId}`, event.tuned_output],
              ] as const) {
                if (typeof output === "string") await scoreAndStore(question, model, output.trim(), testJudge, test.version);
              }
            }
            received++;
          } else if (event.type === "sample") {
            const prompt = prompts[event.index];
            const data = {
              prompt: event.prompt,
              reference: event.reference,
              baseOutput: event.base_output ?? null,
              tunedOutput: event.tuned_output ?? null,
              scores: scoresOf(event.reference, event.base_output, event.tuned_output),
              sourceChunkId: prompt ? (chunkOf.get(prompt.exampleId) ?? null) : null,
            };
            writes.push((tx) =>
              tx.evalSample.upsert({
                where: { runId_position: { runId, position: event.index } },
                create: { runId, position: event.index, ...data },
                update: data,
              }),
            );
            received++;
          } else if (event.type === "eval") {
            checkpoint.evalLoss = event.eval_loss;
            checkpoint.perplexity = event.perplexity ?? null;
          } else if (event.type === "log") {
            ctx.log(event.level, event.message);
          }
        }
        checkpoint.offset = offsetAfter;
        await db.$transaction(async (tx) => {
          for (const write of writes) await write(tx);
          await ctx.checkpoint.saveIn(tx, checkpoint);
        });
        await ctx.progress({ done: received, total: prompts.length, message: `${received} of ${prompts.length} prompts answered by both models` });
      };
      const end = await remote.follow(pid, record);
      if (end.type === "error") throw new NonRetryableError(end.message);
      if (end.type === "stopped") {
        if (ctx.signal.reason === "cancelled") throw ctx.signal.reason;
        throw new NonRetryableError("The evaluation was stopped on the box. Start it again from the Evaluate step.");
      }
      const metrics = end.event.metrics as { eval_loss?: number | null; perplexity?: number | null };
      checkpoint = {
        ...checkpoint,
        evalLoss: metrics.eval_loss ?? checkpoint.evalLoss ?? null,
        perplexity: metrics.perplexity ?? checkpoint.perplexity ?? null,
        phase: "judge",
      };
      await ctx.checkpoint.save(checkpoint);
    } finally {
      await remote.conn?.close().catch(() => {});
    }
  }

  const judge = judgeProviderId ? await runJudge(ctx, runId, judgeProviderId) : null;
  const samples = await db.evalSample.findMany({ where: { runId }, orderBy: { position: "asc" } });
  const summary = summarizeSamples(
    samples.map((s) => ({ reference: s.reference, baseOutput: s.baseOutput ?? "", tunedOutput: s.tunedOutput ?? "", judgeScore: s.judgeScore })),
  );
  const evaluation = {
    eval_loss: checkpoint.evalLoss ?? null,
    perplexity: checkpoint.perplexity ?? null,
    num_samples: summary.count,
    rouge_l_base: summary.base.rougeL,
    rouge_l_tuned: summary.tuned.rougeL,
    exact_match_base: summary.base.exactMatch,
    exact_match_tuned: summary.tuned.exactMatch,
    wins: summary.tunedVsBase.wins,
    ties: summary.tunedVsBase.ties,
    losses: summary.tunedVsBase.losses,
    judge_score: summary.judgeScore,
    judged: summary.judged,
    judge: judge,
    evaluated_at: new Date().toISOString(),
  };
  const current = (await db.run.findUniqueOrThrow({ where: { id: runId }, select: { metrics: true } })).metrics as Record<string, unknown> | null;
  await db.run.update({ where: { id: runId }, data: { metrics: { ...(current ?? {}), evaluation } as Prisma.InputJsonValue } });
  ctx.log("info", `Evaluated ${summary.count} samples: ROUGE-L ${summary.base.rougeL.toFixed(3)} → ${summary.tuned.rougeL.toFixed(3)}.`);
  return evaluation;
}

/** Grades the tuned answers not graded yet; an unreadable verdict is noted on its sample, not fatal. */
async function runJudge(ctx: JobContext<EvalPayload>, runId: string, providerId: string) {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { project: { select: { workspaceId: true } } } });
  const provider = await loadProviderRecord(run.project.workspaceId, providerId);
  const pending = await db.evalSample.findMany({
    where: { runId, judgeScore: null, judgeReason: null },
    orderBy: { position: "asc" },
    include: { sourceChunk: { select: { content: true } } },
  });
  const total = await db.evalSample.count({ where: { runId } });
  let tokensIn = 0;
  let tokensOut = 0;
  let unreadable = 0;
  for (const [i, sample] of pending.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await ctx.progress({ done: total - pending.length + i, total, message: `Judging answer ${total - pending.length + i + 1} of ${total}` });
    try {
      const verdict = await judgeSample({
        provider,
        prompt: sample.prompt,
        reference: sample.reference,
        answer: sample.tunedOutput ?? "",
        sourceChunk: sample.sourceChunk?.content,
        signal: ctx.signal,
      });
      tokensIn += verdict.tokensIn;
      tokensOut += verdict.tokensOut;
      const scores = {
        ...(sample.scores as Record<string, unknown>),
        judge: { faithfulness: verdict.faithfulness, correctness: verdict.correctness, helpfulness: verdict.helpfulness },
      };
      await db.evalSample.update({ where: { id: sample.id }, data: { judgeScore: verdict.score, judgeReason: verdict.reason, scores } });
    } catch (error) {
      if (!(error instanceof JudgeParseError)) throw error;
      unreadable++;
      await db.evalSample.update({ where: { id: sample.id }, data: { judgeReason: error.message } });
    }
  }
  if (unreadable) ctx.log("warn", `${unreadable} judge verdicts could not be read; those samples have no judge score.`);
  return { provider_id: providerId, tokens_in: tokensIn, tokens_out: tokensOut, unreadable };
}
