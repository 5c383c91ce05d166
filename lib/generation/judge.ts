// Starting the LLM judge on a project's examples: what it will cost first, then the job.

import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { exampleSchemaFor } from "@/lib/datasets/example";
import { DEFAULT_RUBRIC, JUDGE_OUTPUT_TOKENS, judgeExampleMessages, rubricCriteria } from "@/lib/datasets/example-judge";
import { db } from "@/lib/db/client";
import { invalidInput } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { estimateCost, providerOptions } from "@/lib/llm";
import { countTokens } from "@/lib/tokens";
import { assertWithinQuota } from "@/lib/usage";
import { projectProvider } from "./context";
import { generationBlocker } from "./index";
import { judgeJob } from "./judge-job";
import { readGenerationSettings } from "./settings";

export const judgeRubricSchema = z
  .string()
  .trim()
  .max(4_000, "At most 4,000 characters.")
  .refine((rubric) => rubricCriteria(rubric).length > 0, 'Name at least one criterion, one per line, like "- faithfulness: …".');

/** How many examples it will take a sample of to estimate the whole run's tokens. */
const ESTIMATE_SAMPLE = 200;

export type JudgeEstimate = { examples: number; tokensIn: number; tokensOut: number; costUsd: number | null; model: string; provider: string; rubric: string };

async function projectJudgeSetup(ctx: ProjectContext) {
  const project = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { config: true, taskType: true } });
  const settings = readGenerationSettings(project.config);
  const provider = await projectProvider(ctx.workspace.id, settings.provider_id);
  return { project, settings, provider, rubric: settings.judge_rubric ?? DEFAULT_RUBRIC };
}

/** The unscored valid examples and what scoring them will send and cost (a sample's average, scaled). */
export async function estimateJudge(ctx: ProjectContext): Promise<JudgeEstimate> {
  const { project, settings, provider, rubric } = await projectJudgeSetup(ctx);
  const where = { projectId: ctx.projectId, split: { in: ["train", "eval"] as ("train" | "eval")[] }, isValid: true, judgeScore: null };
  const [examples, sample] = await Promise.all([
    db.datasetExample.count({ where }),
    db.datasetExample.findMany({ where, take: ESTIMATE_SAMPLE, select: { data: true, sourceChunk: { select: { content: true } } } }),
  ]);
  const schema = exampleSchemaFor(project.taskType);
  let sampleTokens = 0;
  for (const e of sample) {
    const data = schema.safeParse(e.data);
    if (!data.success) continue;
    sampleTokens += countTokens(
      judgeExampleMessages({ data: data.data, sourceText: e.sourceChunk?.content ?? null, rubric })
        .map((m) => m.content)
        .join("\n"),
    );
  }
  const tokensIn = sample.length ? Math.round((sampleTokens / sample.length) * examples) : 0;
  const tokensOut = examples * JUDGE_OUTPUT_TOKENS;
  return {
    examples,
    tokensIn,
    tokensOut,
    costUsd: provider ? estimateCost({ tokensIn, tokensOut }, providerOptions(provider).prices) : null,
    model: settings.model || provider?.defaultModel || "",
    provider: provider?.name ?? "",
    rubric,
  };
}

/** Saves the rubric (null: the built-in one) and starts scoring the unscored examples. */
export async function startJudge(ctx: ProjectContext, rubric: string | null) {
  assertPermission(ctx.role, "jobs.run");
  const blocker = await generationBlocker(ctx);
  if (blocker) throw invalidInput(blocker);
  await assertWithinQuota(ctx, "tokens");
  const project = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { config: true } });
  const settings = readGenerationSettings(project.config);
  const judge_rubric = rubric === null || rubric.trim() === DEFAULT_RUBRIC.trim() ? null : rubric;
  await db.project.update({
    where: { id: ctx.projectId },
    data: { config: { ...(project.config as object), generation: { ...settings, judge_rubric } } as Prisma.InputJsonObject },
  });
  return enqueueJob(ctx, judgeJob, {});
}
