// Usage and quotas on the real database: tokens from generation tasks and LLM jobs' summaries,
// per day and member, GPU-hours per runner, storage by kind; quotas set by the instance's
// administrator only, refusing LLM work and uploads past them with the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace, type WorkspaceContext } from "@/lib/access/guard";
import { setUserActiveAction, setWorkspaceQuotaAction } from "@/lib/admin/actions";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { startPreview } from "@/lib/generation";
import { receiveUpload } from "@/lib/sources/upload";
import { setWorkspaceQuota, workspaceUsage } from "@/lib/usage";
import { createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";

let team: Team;
let admin: WorkspaceContext;

beforeAll(async () => {
  team = await createTeam("Usage");
  admin = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "audit.view");
  const project = team.project.id;
  const gen = await db.job.create({ data: { projectId: project, type: "dataset_generate", status: "cancelled", createdById: team.members.editor.id } });
  const chunk = await db.chunk.create({ data: { projectId: project, sourceFileId: team.source.id, chunkIndex: 0, content: "x", tokenCount: 1 } });
  // A cancelled generation still spent what its finished tasks say.
  await db.generationTask.createMany({
    data: [
      { jobId: gen.id, projectId: project, chunkId: chunk.id, position: 0, status: "done", tokensIn: 1000, tokensOut: 500 },
      { jobId: gen.id, projectId: project, chunkId: chunk.id, position: 1, status: "done", tokensIn: 1000, tokensOut: 500 },
    ],
  });
  await db.job.create({
    data: {
      projectId: project,
      type: "dataset_judge",
      status: "success",
      createdById: team.members.owner.id,
      finishedAt: new Date(),
      resultSummary: { tokens_in: 300, tokens_out: 200, cost_usd: 0.25 },
    },
  });
  const trainJob = await db.job.create({ data: { projectId: project, type: "train", status: "success" } });
  const started = new Date(Date.now() - 2 * 3600_000);
  await db.run.create({
    data: {
      projectId: project,
      jobId: trainJob.id,
      name: "two-gpu",
      method: "lora",
      status: "success",
      runnerId: team.runner.id,
      createdById: team.members.editor.id,
      startedAt: started,
      finishedAt: new Date(started.getTime() + 3600_000),
      hardwareInfo: { gpus: [{ name: "A" }, { name: "B" }] },
    },
  });
  await db.file.update({ where: { id: team.source.id }, data: { sizeBytes: 5_000_000, status: "ready" } });
});

afterAll(() => {
  delete process.env.ADMIN_EMAILS;
  resetEnvCache();
});

describe("usage", () => {
  it("counts tokens (a cancelled generation's too), cost, generations, GPU-hours and storage, per member and per runner", async () => {
    const usage = await workspaceUsage(admin);
    expect(usage.month.tokens).toBe(3500);
    expect(usage.month.cost).toBeCloseTo(0.25);
    const editor = usage.members.find((m) => m.name === (team.members.editor.name || team.members.editor.email))!;
    expect(editor).toMatchObject({ tokens: 3000, generations: 1 });
    expect(editor.gpuHours).toBeCloseTo(2);
    expect(usage.runners).toEqual([{ name: team.runner.name, gpuHours: expect.closeTo(2, 5), runs: 1 }]);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.daily.find((d) => d.day === today)?.tokens).toBe(3500);
    expect(usage.daily).toHaveLength(31);
    expect(usage.storage.byKind.find((k) => k.kind === "raw_doc")?.bytes).toBeGreaterThanOrEqual(5_000_000);
  });
});

describe("quotas", () => {
  it("only the instance's administrator sets them", async () => {
    process.env.ADMIN_EMAILS = "someone-else@example.com";
    resetEnvCache();
    await actAs(team.members.owner);
    const refused = await setWorkspaceQuotaAction({ workspaceId: team.workspace.id, quota: { tokens_per_month: 1000 } });
    expect(refused.ok ? "ok" : refused.error.code).toBe("forbidden");
  });

  it("LLM work past the month's tokens and uploads past the storage are refused with the reason", async () => {
    process.env.ADMIN_EMAILS = team.members.owner.email;
    resetEnvCache();
    await actAs(team.members.owner);
    const set = await setWorkspaceQuotaAction({ workspaceId: team.workspace.id, quota: { tokens_per_month: 3000, storage_gb: 0.001 } });
    expect(set.ok).toBe(true);
    const editor = await requireProject(team.members.editor, team.project.id, "jobs.run");
    await expect(startPreview(editor)).rejects.toThrow(/used its 3,000 LLM tokens for this month \(3,500 so far\)/);
    const body = new Blob(["A short note about refunds."]).stream();
    await expect(receiveUpload(editor, { filename: "note.txt", body, declaredSize: 27 })).rejects.toThrow(/storage quota is 0.001 GB/);
    // Lifted: the same work starts (the preview then waits on its provider, which is not the point here).
    await setWorkspaceQuota(team.workspace.id, { tokens_per_month: null, storage_gb: null });
    const upload = await receiveUpload(editor, { filename: "note.txt", body: new Blob(["A short note about refunds."]).stream(), declaredSize: 27 });
    expect(upload.file.filename).toBe("note.txt");
  });
});

describe("instance administration", () => {
  it("deactivating an account ends its sessions and refuses its sign-in until reactivated; never one's own", async () => {
    process.env.ADMIN_EMAILS = team.members.owner.email;
    resetEnvCache();
    await actAs(team.members.owner);
    const { listUsers } = await import("@/lib/admin");
    const users = await listUsers();
    expect(users.find((u) => u.email === team.members.owner.email)?.admin).toBe(true);
    const before = (await db.user.findUniqueOrThrow({ where: { id: team.members.viewer.id } })).sessionVersion;
    expect((await setUserActiveAction({ userId: team.members.viewer.id, active: false })).ok).toBe(true);
    const viewer = await db.user.findUniqueOrThrow({ where: { id: team.members.viewer.id } });
    expect(viewer.isActive).toBe(false);
    expect(viewer.sessionVersion).toBeGreaterThan(before);
    const self = await setUserActiveAction({ userId: team.members.owner.id, active: false });
    expect(self.ok ? "ok" : self.error.message).toMatch(/your own account/);
    expect((await setUserActiveAction({ userId: team.members.viewer.id, active: true })).ok).toBe(true);
    expect((await db.user.findUniqueOrThrow({ where: { id: team.members.viewer.id } })).isActive).toBe(true);
  });
});
