// Job `run_cleanup`: a deleted run's folder on its GPU box (base model links, checkpoints, the
// adapter: often gigabytes) is removed over SSH, after the run's rows and stored files are gone.
// Enqueued with the delete, in its transaction; retried while the box is unreachable. It removes
// only a folder of the form <runner work dir>/runs/<run id>, whatever the payload says.
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const runCleanupJob = defineJob({
  type: "run_cleanup",
  label: "Remote clean-up",
  payload: z.object({ runId: z.uuid(), runnerId: z.uuid(), remoteDir: z.string().min(1).max(4096), runName: z.string().max(255) }),
  // The box may be off for the night: an hour apart, for about a day.
  retry: { limit: 24, delaySeconds: 60, maxDelaySeconds: 3600 },
  timeoutSeconds: 15 * 60,
  concurrency: 2,
  async handler(ctx) {
    const { removeRunDir } = await import("./cleanup-handler");
    return removeRunDir(ctx);
  },
});
