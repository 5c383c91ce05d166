"use server";
// Server actions for test sets and the arena (the Evaluate step).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import type { ProjectContext } from "@/lib/access/guard";
import {
  answerTestSet,
  answerWithSchema,
  createTestSet,
  createTestSetSchema,
  deleteTestSet,
  estimateTestSetJudge,
  nextArenaItem,
  questionEditSchema,
  reviewQuestion,
  updateQuestion,
  voteArena,
} from "./index";

const base = z.object({ projectId: z.string() });
const refresh = (ctx: ProjectContext) => revalidatePath(`/w/${ctx.workspace.slug}/p/${ctx.projectId}/evaluate`, "layout");

export const createTestSetAction = projectAction("createTestSet", "jobs.run", base.extend(createTestSetSchema.shape), async (ctx, input) => {
  const { projectId: _, ...rest } = input;
  const { testSet, jobId } = await createTestSet(ctx, rest);
  refresh(ctx);
  return { testSetId: testSet.id, jobId };
});

export const deleteTestSetAction = projectAction("deleteTestSet", "dataset.edit", base.extend({ testSetId: z.uuid() }), async (ctx, input) => {
  await deleteTestSet(ctx, input.testSetId);
  refresh(ctx);
  return { deleted: true };
});

export const updateTestQuestionAction = projectAction(
  "updateTestQuestion",
  "dataset.edit",
  base.extend({ questionId: z.uuid() }).extend(questionEditSchema.shape),
  async (ctx, input) => {
    const { projectId: _, questionId, ...edit } = input;
    const updated = await updateQuestion(ctx, questionId, edit);
    refresh(ctx);
    return { id: updated.id };
  },
);

export const reviewTestQuestionAction = projectAction(
  "reviewTestQuestion",
  "dataset.edit",
  base.extend({ questionId: z.uuid(), status: z.enum(["pending", "approved", "rejected"]) }),
  async (ctx, input) => {
    await reviewQuestion(ctx, input.questionId, input.status);
    refresh(ctx);
    return { status: input.status };
  },
);

export const answerTestSetAction = projectAction(
  "answerTestSet",
  "jobs.run",
  base.extend({ testSetId: z.uuid(), with: answerWithSchema }),
  async (ctx, input) => {
    const job = await answerTestSet(ctx, input.testSetId, input.with);
    refresh(ctx);
    return { jobId: job.id };
  },
);

export const nextArenaItemAction = projectAction(
  "nextArenaItem",
  "project.view",
  base.extend({ testSetId: z.uuid(), modelA: z.string().min(1).max(300), modelB: z.string().min(1).max(300) }),
  async (ctx, input) => nextArenaItem(ctx, input.testSetId, input.modelA, input.modelB),
);

export const voteArenaAction = projectAction(
  "voteArena",
  "project.view",
  base.extend({ ticket: z.string().min(1).max(4000), choice: z.enum(["left", "right", "tie"]) }),
  async (ctx, input) => {
    await voteArena(ctx, { ticket: input.ticket, choice: input.choice });
    return { voted: true };
  },
);

/** The judge's token count and cost for the set's open answers, shown before they are answered. */
export const estimateTestSetJudgeAction = projectAction(
  "estimateTestSetJudge",
  "project.view",
  base.extend({ testSetId: z.uuid(), providerId: z.uuid() }),
  async (ctx, input) => estimateTestSetJudge(ctx, input.testSetId, input.providerId),
);
