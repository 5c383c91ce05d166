// Job `export`: builds an export's file (a dataset ZIP now; bundles and Hub pushes share the
// job type) and marks the Export row. Rerunning rewrites the same storage key, so it is
// idempotent.
import { z } from "zod";
import { db } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/definition";

export const exportPayload = z.object({ exportId: z.uuid() });

export const exportJob = defineJob({
  type: "export",
  label: "Export",
  payload: exportPayload,
  retry: { limit: 2, delaySeconds: 5, maxDelaySeconds: 60 },
  timeoutSeconds: 6 * 3600,
  concurrency: 2,
  async handler(ctx) {
    const { runExport } = await import("./export-handler");
    return runExport(ctx);
  },
  async onGiveUp({ exportId }, outcome, { message }) {
    await db.export.updateMany({ where: { id: exportId }, data: { status: outcome, metadata: { error: message } } });
  },
});
