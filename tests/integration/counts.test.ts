// Issue 15, item 5: the overview, the workspace dashboard, the Review page and the training
// preflight count the same examples ("usable": valid, not rejected, not a duplicate; preview
// examples are not part of the dataset), and the Export step is done only once a model left.
import { describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { contentHash } from "@/lib/datasets/hash";
import { splitStats } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { listProjects } from "@/lib/projects";
import { getPipeline } from "@/lib/projects/overview";
import { createProjectIn, createTeam } from "../support/fixtures";

describe("counts agree between pages", () => {
  it("overview, dashboard and review count the usable examples; the Export step waits for a model", async () => {
    const team = await createTeam();
    const project = await createProjectIn(team.workspace.id, "Counting");
    const rows: Array<{ split: "train" | "eval" | "preview"; reviewStatus?: "rejected"; isDuplicate?: boolean; isValid?: boolean }> = [
      ...Array.from({ length: 5 }, () => ({ split: "train" as const })),
      { split: "train", reviewStatus: "rejected" },
      { split: "train", isDuplicate: true },
      { split: "train", isValid: false },
      ...Array.from({ length: 2 }, () => ({ split: "eval" as const })),
      ...Array.from({ length: 3 }, () => ({ split: "preview" as const })),
    ];
    await db.datasetExample.createMany({
      data: rows.map((r, i) => {
        const data = { question: `Question ${i}?`, answer: `Answer ${i}.` };
        return {
          projectId: project.id,
          naturalKey: `c:${i}`,
          data,
          contentHash: contentHash(data),
          tokenCount: 8,
          isValid: r.isValid ?? true,
          isDuplicate: r.isDuplicate ?? false,
          reviewStatus: r.reviewStatus ?? "pending",
          split: r.split,
        };
      }),
    });
    const ctx = await requireProject(team.members.owner, project.id, "project.view");
    const steps = await getPipeline(ctx);
    expect(steps.find((s) => s.key === "dataset")!.summary).toBe("5 usable train examples and 2 eval, of 10");
    const wctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "workspace.view");
    expect((await listProjects(wctx)).find((p) => p.id === project.id)!.trainExamples).toBe(5);
    const stats = await splitStats(ctx);
    expect(stats.find((s) => s.split === "train")!.usable).toBe(5);
    expect(stats.find((s) => s.split === "eval")!.usable).toBe(2);

    // A dataset file is not a model: the Export step stays to do until a bundle exists.
    await db.export.create({ data: { projectId: project.id, format: "jsonl", status: "success" } });
    expect((await getPipeline(ctx)).find((s) => s.key === "export")!.state).toBe("todo");
    await db.export.create({ data: { projectId: project.id, format: "bundle", status: "success" } });
    expect((await getPipeline(ctx)).find((s) => s.key === "export")).toMatchObject({ state: "done", summary: "1 model export" });
  });
});
