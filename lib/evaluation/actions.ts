"use server";
// Server actions for the Evaluate step.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { estimateJudge, startEvaluation } from "@/lib/evaluation";

const base = z.object({ projectId: z.string(), runId: z.uuid() });

export const startEvaluationAction = projectAction(
  "startEvaluation",
  "jobs.run",
  base.extend({ numPrompts: z.number().int().min(1).max(500).default(20), judgeProviderId: z.uuid().nullable().default(null) }),
  async (ctx, input) => {
    const job = await startEvaluation(ctx, { runId: input.runId, numPrompts: input.numPrompts, judgeProviderId: input.judgeProviderId });
    revalidatePath(`/w/${ctx.workspace.slug}/p/${ctx.projectId}/evaluate`);
    return { jobId: job.id };
  },
);

/** The judge's token count and cost for this run's prompts, shown before it starts. */
export const estimateJudgeAction = projectAction(
  "estimateJudge",
  "project.view",
  base.extend({ providerId: z.uuid(), numPrompts: z.number().int().min(1).max(500).default(20) }),
  async (ctx, input) => estimateJudge(ctx, input.runId, input.providerId, input.numPrompts),
);
