// What a `model_merge` job is asked to do and what the run keeps of its result; the job definition
// (./merge-job), its handler (./merge-handler), the bundle and the Export page read it.
import { z } from "zod";

export const mergePayload = z.object({ runId: z.uuid() });
export type MergePayload = z.infer<typeof mergePayload>;

/** Where the merged model's files are, relative to the run dir (and as the run's File rows name them). */
export const MERGED_PREFIX = "output/merged/";

/** What the run's metrics keep of the merge (shown on the Export step, read by the bundle). */
export type MergedModel = {
  model_type: string | null;
  architectures: string[];
  dtype: string | null;
  num_parameters: number | null;
  weights_bytes: number;
  weight_files: number;
  merged_at: string;
};

export function mergedModelOf(metrics: unknown): MergedModel | null {
  return ((metrics as Record<string, unknown> | null)?.merged as MergedModel | undefined) ?? null;
}
