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

/**
 * About how many bytes the merged weights take, before merging: every parameter in 16 bits (the
 * merge's dtype on a GPU, and most bases' own), 32 for a base saved in float32. Null when the
 * base's size is unknown or the project's base is no longer the run's.
 */
export function mergedSizeEstimate(info: { model_id?: string; num_parameters?: number; torch_dtype?: string | null } | null, runBaseModel: string | null) {
  if (!info?.num_parameters || !runBaseModel || info.model_id !== runBaseModel) return null;
  return info.num_parameters * (info.torch_dtype === "float32" ? 4 : 2);
}

export function mergedModelOf(metrics: unknown): MergedModel | null {
  return ((metrics as Record<string, unknown> | null)?.merged as MergedModel | undefined) ?? null;
}
