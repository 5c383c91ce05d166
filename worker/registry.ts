// THE list of job types the worker runs (and the launcher installs as queues; the job actions
// look definitions up here for clean-up and exclusivity). Each definition loads its handler lazily, so the web
// (which only enqueues) does not load the handlers' dependencies.
import type { JobType } from "@prisma/client";
import { hubDatasetDownloadJob } from "@/lib/datasets/hub-import-job";
import { importJob } from "@/lib/datasets/import-job";
import { datasetMergeJob } from "@/lib/datasets/merge-job";
import { evalJob } from "@/lib/evaluation/eval-job";
import { testSetAnswerJob } from "@/lib/evaluation/test-sets/answer-job";
import { testSetGenerateJob } from "@/lib/evaluation/test-sets/generate-job";
import { exportJob } from "@/lib/exports/export-job";
import { modelMergeJob } from "@/lib/exports/merge-job";
import { generateJob } from "@/lib/generation/generate-job";
import { judgeJob } from "@/lib/generation/judge-job";
import { previewJob } from "@/lib/generation/preview-job";
import type { JobDefinition } from "@/lib/jobs/definition";
import { cloneJob } from "@/lib/projects/clone-job";
import { chunkingJob } from "@/lib/sources/chunking-job";
import { uploadCheckJob } from "@/lib/sources/upload-check-job";
import { runCleanupJob } from "@/lib/training/cleanup-job";
import { trainJob } from "@/lib/training/train-job";

export const JOB_DEFINITIONS: ReadonlyArray<JobDefinition<unknown>> = [
  chunkingJob,
  uploadCheckJob,
  importJob,
  previewJob,
  generateJob,
  judgeJob,
  datasetMergeJob,
  hubDatasetDownloadJob,
  testSetGenerateJob,
  testSetAnswerJob,
  cloneJob,
  trainJob,
  evalJob,
  modelMergeJob,
  exportJob,
  runCleanupJob,
] as ReadonlyArray<JobDefinition<unknown>>;

export function findJobDefinition(type: JobType): JobDefinition<unknown> | undefined {
  return JOB_DEFINITIONS.find((d) => d.type === type) as JobDefinition<unknown> | undefined;
}
