// THE list of job types the worker runs. Each definition loads its handler lazily, so the web
// (which only enqueues) does not load the handlers' dependencies.
import type { JobType } from "@prisma/client";
import type { JobDefinition } from "./definition";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const JOB_DEFINITIONS: ReadonlyArray<JobDefinition<any>> = [];

export function findJobDefinition(type: JobType): JobDefinition<unknown> | undefined {
  return JOB_DEFINITIONS.find((d) => d.type === type) as JobDefinition<unknown> | undefined;
}

export const JOB_LABELS: Record<JobType, string> = {
  chunking: "Chunking",
  import: "Dataset import",
  dataset_preview: "Preview",
  dataset_generate: "Generation",
  train: "Training",
  eval: "Evaluation",
  export: "Export",
  diagnostic: "Diagnostic",
};
