// THE list of job types the worker runs. Each definition loads its handler lazily, so the web
// (which only enqueues) does not load the handlers' dependencies.
import type { JobType } from "@prisma/client";
import { importJob } from "@/lib/datasets/import-job";
import { exportJob } from "@/lib/exports/export-job";
import { generateJob, previewJob } from "@/lib/generation/jobs";
import { chunkingJob } from "@/lib/sources/chunking-job";
import { trainJob } from "@/lib/training/train-job";
import { evalJob } from "@/lib/evaluation/eval-job";
import type { JobDefinition } from "./definition";

export const JOB_DEFINITIONS: ReadonlyArray<JobDefinition<unknown>> = [chunkingJob, importJob, previewJob, generateJob, trainJob, evalJob, exportJob] as ReadonlyArray<JobDefinition<unknown>>;

export function findJobDefinition(type: JobType): JobDefinition<unknown> | undefined {
  return JOB_DEFINITIONS.find((d) => d.type === type) as JobDefinition<unknown> | undefined;
}
