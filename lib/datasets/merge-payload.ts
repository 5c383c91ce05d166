// What a `dataset_merge` job is asked to do; the job definition (./merge-job) and its handler (./merge-handler) both read it.
import { z } from "zod";

export const mergePayload = z
  .object({ fromProjectId: z.uuid().optional(), fromVersionId: z.uuid().optional(), freeze: z.boolean().default(true) })
  .refine((p) => Boolean(p.fromProjectId) !== Boolean(p.fromVersionId), "Name one project or one version to merge from.");
export type MergePayload = z.infer<typeof mergePayload>;
