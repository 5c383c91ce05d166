// Job `project_clone`: fills a project made as a copy of another (./clone) with that project's
// sources (files copied in storage, chunks as they are) and, when asked, its examples (their
// chunks and files pointing at the copies). Every step can run again: a copied file is found by
// its `cloned_from`, chunks and examples are inserted once by their unique keys.
import { z } from "zod";
import { defineJob } from "@/lib/jobs/definition";

export const cloneJob = defineJob({
  type: "project_clone",
  label: "Project copy",
  payload: z.object({ fromProjectId: z.uuid(), withExamples: z.boolean().default(false) }),
  retry: { limit: 3, delaySeconds: 10, maxDelaySeconds: 120 },
  timeoutSeconds: 6 * 3600,
  concurrency: 2,
  async handler(ctx) {
    const { fillClone } = await import("./clone-handler");
    return fillClone(ctx);
  },
});
