// A project's status follows its jobs and its data:
// a running job sets it (chunking, generating, training, evaluating); otherwise it reads what
// the project holds — a last dataset job (preview, generation) that failed: failed (with its
// one-line cause); a finished run: completed; valid train examples: ready_to_train; else draft.
// A failed training or evaluation belongs to its run and the Train/Evaluate step, not to the
// project: the project still holds its dataset and earlier runs, so it reads as before the run.
// Exports are side trips and never fail the project. A source that cannot be read fails on its
// own row (chunking, import) and does not fail the project.
import type { JobType, ProjectStatus } from "@prisma/client";
import { USABLE_EXAMPLE } from "@/lib/datasets/example";
import { db } from "@/lib/db/client";

const BUSY: Partial<Record<JobType, ProjectStatus>> = {
  chunking: "chunking",
  import: "chunking",
  dataset_preview: "generating",
  dataset_generate: "generating",
  train: "training",
  eval: "evaluating",
};

const PIPELINE: JobType[] = ["dataset_preview", "dataset_generate", "train", "eval"];
/** Pipeline jobs whose failure stays with their run. */
const RUN_JOBS: JobType[] = ["train", "eval"];

export async function refreshProjectStatus(projectId: string, busy?: ProjectStatus): Promise<ProjectStatus> {
  const [active, lastFinished, doneRuns, validTrain] = await Promise.all([
    db.job.findFirst({
      where: { projectId, status: { in: ["running", "retrying"] } },
      orderBy: { startedAt: "desc" },
      select: { type: true },
    }),
    db.job.findFirst({
      where: { projectId, status: { in: ["success", "failed", "cancelled"] }, type: { in: PIPELINE } },
      orderBy: { finishedAt: { sort: "desc", nulls: "last" } },
      select: { status: true, type: true, errorMessage: true },
    }),
    db.run.count({ where: { projectId, status: "success" } }),
    db.datasetExample.count({ where: { projectId, ...USABLE_EXAMPLE, split: "train" } }),
  ]);
  let status: ProjectStatus;
  let errorMessage: string | null = null;
  if (busy) status = busy;
  else if (active && BUSY[active.type]) status = BUSY[active.type]!;
  else if (lastFinished?.status === "failed" && !RUN_JOBS.includes(lastFinished.type)) {
    status = "failed";
    errorMessage = lastFinished.errorMessage;
  } else if (doneRuns > 0) status = "completed";
  else if (validTrain > 0) status = "ready_to_train";
  else status = "draft";
  await db.project.updateMany({ where: { id: projectId }, data: { status, errorMessage } });
  return status;
}
