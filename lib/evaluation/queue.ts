// Starting evaluations: by a person from the Evaluate step, or by the worker after training.
import type { ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { conflict, invalidInput, notFound } from "@/lib/errors";
import { enqueueFollowUpJob, enqueueJob } from "@/lib/jobs/enqueue";
import { assertMayUseLocalRunner } from "@/lib/runners";
import { type EvalPayload, evalJob } from "./eval-job";

/** After training: evaluate with the defaults (no judge: it may cost money, a person decides). */
export async function queueEvaluation(projectId: string, runId: string, actorId: string | null): Promise<void> {
  await enqueueFollowUpJob(projectId, evalJob, { runId }, actorId).catch((error: unknown) => {
    // Another evaluation is running for the project; this run can be evaluated from the Evaluate step.
    if (!(error instanceof Error && /already running/.test(error.message))) throw error;
  });
}

export async function startEvaluation(ctx: ProjectContext, input: Partial<EvalPayload> & { runId: string }) {
  const run = await db.run.findFirst({
    where: { id: input.runId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } },
    select: { status: true, runner: { select: { kind: true, pythonPath: true } } },
  });
  if (!run) throw notFound("Run");
  if (run.status !== "success") throw conflict("Only a finished run can be evaluated.");
  if (run.runner?.kind === "local") await assertMayUseLocalRunner(ctx, run.runner.pythonPath);
  if (input.judgeProviderId && !(await db.llmProvider.findFirst({ where: { id: input.judgeProviderId, workspaceId: ctx.workspace.id } }))) {
    throw invalidInput("That judge provider is not in this workspace.", { judgeProviderId: "Choose a provider of this workspace." });
  }
  return enqueueJob(ctx, evalJob, input);
}
