// Issue 14, item 5, under `npm start` (the shared browser-test app runs our launcher): a worker
// killed with SIGKILL is started again while the web keeps answering, and the new worker runs
// the next job to the end.
import { afterAll, describe, expect, inject, it } from "vitest";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { startDatasetExport } from "@/lib/exports";
import { stopSender } from "@/lib/jobs/boss";
import { WORKER_HEARTBEAT_KEY } from "@/lib/jobs/heartbeat";
import { createTeam } from "../support/fixtures";
import { waitFor } from "../support/worker-process";

const appUrl = inject("appUrl");

afterAll(async () => {
  await stopSender();
});

/** The app's own worker (the one that runs export jobs), by its heartbeat. */
async function appWorker(): Promise<{ key: string; pid: number; at: string } | null> {
  const rows = await db.setting.findMany({ where: { key: { startsWith: WORKER_HEARTBEAT_KEY } } });
  const live = rows
    .map((r) => ({ key: r.key, ...(r.value as { pid: number; at: string; types: string[] }) }))
    .filter((w) => w.types.includes("export") && Date.now() - Date.parse(w.at) < 15_000);
  return live.sort((a, b) => b.at.localeCompare(a.at))[0] ?? null;
}

describe("the launcher supervises its children", () => {
  it("starts a SIGKILLed worker again; the web stays up and the new worker finishes a job", async () => {
    const before = await waitFor("the app's worker", appWorker, 30_000, 250);
    process.kill(before.pid, "SIGKILL");
    // The web does not go down with it.
    expect((await fetch(`${appUrl}/api/live`)).status).toBe(200);
    const after = await waitFor(
      "a new worker",
      async () => {
        const worker = await appWorker();
        return worker && worker.pid !== before.pid ? worker : null;
      },
      60_000,
      250,
    );
    expect(after.pid).not.toBe(before.pid);
    expect((await fetch(`${appUrl}/api/live`)).status).toBe(200);

    const team = await createTeam("Supervised team");
    const ctx = await requireProject(team.members.owner, team.project.id, "exports.create");
    const row = await startDatasetExport(ctx, { format: "jsonl", selection: "all" });
    const done = await waitFor(
      "the export",
      async () => {
        const exported = await db.export.findUniqueOrThrow({ where: { id: row.id } });
        return exported.status === "success" || exported.status === "failed" ? exported : null;
      },
      60_000,
      250,
    );
    expect(done.status).toBe("success");
  });
});
