// Runs housekeeping on the real database and storage: notes and tags, the run list's filters, and
// deleting a run with everything it made (storage freed, audited, its folder on the GPU box removed
// over a real SSH connection), never another project's files.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProjectContext, requireProject, requireWorkspace, type WorkspaceContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { runJob } from "@/lib/jobs/runtime";
import { flushLogs } from "@/lib/log";
import { deleteProject } from "@/lib/projects";
import { runDir } from "@/lib/runner-program/commands";
import { confirmRunnerHostKey, createRunner, deleteRunner, probeRunnerHostKey } from "@/lib/runners";
import { getStorage, readToBuffer } from "@/lib/storage";
import { exportKey, runArtifactKey } from "@/lib/storage/keys";
import { listRuns } from "@/lib/training";
import { isRunDir } from "@/lib/training/cleanup-handler";
import { runCleanupJob } from "@/lib/training/cleanup-job";
import { deleteRun, updateRunNotes } from "@/lib/training/housekeeping";
import { processRemoteCleanups } from "@/lib/training/remote-cleanups";
import { createTeam, type Team } from "../support/fixtures";
import { startSshd, type TestSshd } from "../support/sshd";

let team: Team;
let ctx: ProjectContext;
let sshd: TestSshd | undefined;

afterAll(async () => {
  await sshd?.stop();
});

async function run(name: string, data: Record<string, unknown> = {}) {
  const job = await db.job.create({ data: { projectId: team.project.id, type: "train", status: (data.status as "success") ?? "success" } });
  return db.run.create({
    data: { projectId: team.project.id, jobId: job.id, name, method: "lora", status: "success", baseModelId: "org/small", hyperparams: {}, ...data },
  });
}

/** An SSH runner on the test sshd, its host key confirmed, as an admin would set it up. */
async function confirmedSshRunner(wctx: WorkspaceContext, name: string, workDir: string) {
  if (!sshd) throw new Error("start the sshd first");
  const runner = await createRunner(wctx, {
    name,
    kind: "ssh",
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    workDir,
    pythonPath: "python3",
    privateKey: sshd.privateKey,
  });
  await confirmRunnerHostKey(wctx, runner.id, (await probeRunnerHostKey(wctx, runner.id)).fingerprint);
  return runner;
}

beforeAll(async () => {
  team = await createTeam("Housekeeping");
  ctx = await requireProject(team.members.editor, team.project.id, "training.launch");
});

describe("runs housekeeping", () => {
  it("keeps a description and tags (trimmed, lower case, once each, sorted)", async () => {
    const r = await run("notes");
    expect(await updateRunNotes(ctx, r.id, { description: "  Baseline at lr 2e-4. ", tags: ["LR-Sweep", "baseline", "lr-sweep "] })).toEqual({
      description: "Baseline at lr 2e-4.",
      tags: ["baseline", "lr-sweep"],
    });
    await expect(updateRunNotes(ctx, r.id, { tags: ["x".repeat(41)] })).rejects.toThrow(/at most 40/);
  });

  it("filters the run list by status, base model, preset (saved or built in), tag and date", async () => {
    const failed = await run("failed-one", { status: "failed", baseModelId: "org/other", tags: ["sweep"] });
    const preset = await run("preset-one", { presetId: team.preset.id, createdAt: new Date("2026-01-15T12:00:00") });
    const builtIn = await run("builtin-one", { parameters: { preset: { id: "builtin:lora-quick", name: "LoRA · quick check" } } });
    const names = async (filter: Parameters<typeof listRuns>[1]) => (await listRuns(ctx, filter)).map((r) => r.name).sort();
    expect(await names({ status: "failed" })).toEqual([failed.name]);
    expect(await names({ baseModel: "org/other" })).toEqual([failed.name]);
    expect(await names({ tag: "sweep" })).toEqual([failed.name]);
    expect(await names({ presetId: team.preset.id })).toEqual([preset.name]);
    expect(await names({ presetId: "builtin:lora-quick" })).toEqual([builtIn.name]);
    expect(await names({ from: "2026-01-15", to: "2026-01-15" })).toEqual([preset.name]);
    expect((await listRuns(ctx, { presetId: "builtin:lora-quick" }))[0].presetName).toBe("LoRA · quick check");
  });

  it("deletes a run with its artifacts, logs, exports and test answers, frees the storage and records who did it", async () => {
    const r = await run("to-delete", { createdById: team.members.editor.id });
    const ws = team.workspace.id;
    const artifact = runArtifactKey(ws, team.project.id, r.id, "output/adapter/adapter_model.safetensors");
    const bundle = exportKey(ws, team.project.id, crypto.randomUUID(), "bundle.zip");
    const storage = getStorage();
    await storage.put(artifact, Buffer.alloc(3000, 1));
    await storage.put(bundle, Buffer.alloc(2000, 2));
    await db.file.create({
      data: {
        projectId: team.project.id,
        runId: r.id,
        kind: "artifact",
        filename: "output/adapter/adapter_model.safetensors",
        storagePath: artifact,
        sizeBytes: 3000,
      },
    });
    const bundleFile = await db.file.create({
      data: { projectId: team.project.id, kind: "export", filename: "bundle.zip", storagePath: bundle, sizeBytes: 2000 },
    });
    await db.export.create({ data: { projectId: team.project.id, runId: r.id, format: "bundle", status: "success", fileId: bundleFile.id } });
    const testSet = await db.testSet.create({ data: { projectId: team.project.id, name: "Set" } });
    const question = await db.testQuestion.create({ data: { testSetId: testSet.id, naturalKey: "q", type: "true_false", question: "Q.", answer: "true" } });
    await db.testAnswer.create({ data: { testSetId: testSet.id, questionId: question.id, model: `tuned:${r.id}`, answer: "true", score: 1 } });

    await expect(deleteRun(ctx, r.id, "wrong")).rejects.toThrow(/Type the run's name/);
    const result = await deleteRun(ctx, r.id, "to-delete");
    // Never trained on a box (no remote folder): nothing to clean up there.
    expect(result).toEqual({ freedBytes: 5000, files: 2, remoteCleanup: false });
    expect(await db.run.findUnique({ where: { id: r.id } })).toBeNull();
    expect(await db.file.count({ where: { id: bundleFile.id } })).toBe(0);
    expect(await db.testAnswer.count({ where: { testSetId: testSet.id } })).toBe(0);
    await expect(storage.get(artifact).then((s) => readToBuffer(s, 10_000))).rejects.toThrow();
    await expect(storage.get(bundle).then((s) => readToBuffer(s, 10_000))).rejects.toThrow();
    // The team fixture's own run keeps its file.
    expect((await readToBuffer(await storage.get(team.runFile.storagePath), 1000)).toString()).toBe('{"r": 8}');
    const audit = await db.auditEvent.findFirstOrThrow({ where: { workspaceId: ws, action: "run.delete", targetId: r.id } });
    expect(audit).toMatchObject({ actorId: team.members.editor.id, metadata: { name: "to-delete", files: 2, freed_bytes: 5000 } });
  });

  it("removes a deleted run's folder on its GPU box over SSH, by a job enqueued with the delete; never another folder", async () => {
    sshd = await startSshd();
    const wctx = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "settings.manage");
    const workDir = path.join(sshd.workDir, crypto.randomUUID());
    const runner = await confirmedSshRunner(wctx, "box", workDir);
    const trained = async (name: string) => {
      const r = await run(name, { runnerId: runner.id });
      const dir = runDir(workDir, r.id);
      fs.mkdirSync(path.join(dir, "output", "checkpoint-10"), { recursive: true });
      fs.writeFileSync(path.join(dir, "output", "checkpoint-10", "adapter_model.safetensors"), Buffer.alloc(4096, 7));
      await db.run.update({ where: { id: r.id }, data: { remoteDir: dir } });
      return { run: r, dir };
    };
    const cleanupJobOf = (runId: string) =>
      db.job.findFirstOrThrow({ where: { type: "run_cleanup", status: "queued", payload: { path: ["runId"], equals: runId } } });
    const runCleanup = async (job: { id: string; queueJobId: string | null }) =>
      runJob(runCleanupJob as never, { id: job.queueJobId!, signal: new AbortController().signal, retryCount: 0 }, job.id, "test-worker");

    const { run: r, dir } = await trained("on-the-box");
    expect(await deleteRun(ctx, r.id, "on-the-box")).toMatchObject({ remoteCleanup: true });
    const job = await cleanupJobOf(r.id);
    expect(job).toMatchObject({ status: "queued", payload: { runId: r.id, runnerId: runner.id, remoteDir: dir, runName: "on-the-box" } });
    expect(fs.existsSync(dir)).toBe(true);
    expect(await runCleanup(job)).toBe("success");
    expect(fs.existsSync(dir)).toBe(false);
    // The runner's other folders stay.
    expect(fs.existsSync(path.join(workDir, "runs"))).toBe(true);
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ resultSummary: { removed: true, runner: "box", dir } });

    // A payload naming anything but that run's folder is refused, and nothing is removed.
    const { run: other, dir: otherDir } = await trained("kept");
    const forged = await db.job.create({
      data: {
        projectId: team.project.id,
        type: "run_cleanup",
        payload: { runId: other.id, runnerId: runner.id, remoteDir: `${otherDir}/..`, runName: "kept" },
        queueJobId: crypto.randomUUID(),
      },
    });
    expect(await runCleanup(forged)).toBe("failed");
    expect((await db.job.findUniqueOrThrow({ where: { id: forged.id } })).errorMessage).toMatch(/^Refused to remove .*: it is not the folder of run kept/);
    expect(fs.existsSync(otherDir)).toBe(true);
    expect(isRunDir(otherDir, workDir, other.id)).toBe(true);
    expect(isRunDir(workDir, workDir, other.id)).toBe(false);
    expect(isRunDir(`${workDir}/runs/../runs/${other.id}`, workDir, other.id)).toBe(false);

    // With the runner deleted meanwhile, the job says the folder was left there.
    await deleteRun(ctx, other.id, "kept");
    await deleteRunner(wctx, runner.id);
    const orphan = await cleanupJobOf(other.id);
    expect(await runCleanup(orphan)).toBe("success");
    expect(await db.job.findUniqueOrThrow({ where: { id: orphan.id } })).toMatchObject({ resultSummary: { removed: false, reason: "runner deleted" } });
  });

  it("deleting a project is refused while its jobs run; after it, the workers remove its runs' folders on the box, retry an unreachable one and never touch another folder", async () => {
    sshd ??= await startSshd();
    const doomed = await createTeam("Doomed");
    const pctx = await requireProject(doomed.members.owner, doomed.project.id, "project.delete");
    const wctx = await requireWorkspace(doomed.members.admin, { id: doomed.workspace.id }, "settings.manage");
    const workDir = path.join(sshd.workDir, crypto.randomUUID());
    const runner = await confirmedSshRunner(wctx, "doomed-box", workDir);
    const trained = async (name: string) => {
      const job = await db.job.create({ data: { projectId: doomed.project.id, type: "train", status: "success" } });
      const r = await db.run.create({
        data: {
          projectId: doomed.project.id,
          jobId: job.id,
          name,
          method: "lora",
          status: "success",
          baseModelId: "org/small",
          hyperparams: {},
          runnerId: runner.id,
        },
      });
      const dir = runDir(workDir, r.id);
      fs.mkdirSync(path.join(dir, "output"), { recursive: true });
      fs.writeFileSync(path.join(dir, "output", "adapter_model.safetensors"), Buffer.alloc(4096, 7));
      await db.run.update({ where: { id: r.id }, data: { remoteDir: dir } });
      return { run: r, dir };
    };
    const kept = await trained("kept-run");
    // A run deleted just before: its run_cleanup job has not run yet when the project goes.
    const earlier = await trained("deleted-before");
    const dctx = await requireProject(doomed.members.editor, doomed.project.id, "training.launch");
    expect(await deleteRun(dctx, earlier.run.id, "deleted-before")).toMatchObject({ remoteCleanup: true });

    const generating = await db.job.create({ data: { projectId: doomed.project.id, type: "dataset_generate", status: "running" } });
    await expect(deleteProject(pctx)).rejects.toThrow(/^A generation job of this project is still queued or running\. Cancel it/);
    expect(await db.project.count({ where: { id: doomed.project.id } })).toBe(1);
    await db.job.update({ where: { id: generating.id }, data: { status: "cancelled" } });

    expect(await deleteProject(pctx)).toEqual({ remoteCleanups: 2 });
    expect(await db.project.count({ where: { id: doomed.project.id } })).toBe(0);
    const queued = await db.remoteCleanup.findMany({ where: { workspaceId: doomed.workspace.id }, orderBy: { remoteDir: "asc" } });
    expect(queued.map((q) => q.remoteDir).sort()).toEqual([kept.dir, earlier.dir].sort());
    expect(queued.map((q) => q.label).sort()).toEqual(["run deleted-before of project Project", "run kept-run of project Project"].sort());
    expect(fs.existsSync(kept.dir) && fs.existsSync(earlier.dir)).toBe(true);

    // A forged row (not a run's folder) is given up at once; an unreachable box is tried again later.
    const forgedDir = path.join(workDir, "runs");
    await db.remoteCleanup.create({
      data: { workspaceId: doomed.workspace.id, runnerId: runner.id, runId: kept.run.id, remoteDir: forgedDir, label: "forged" },
    });
    const deadRunner = await confirmedSshRunner(wctx, "off-box", workDir);
    await db.runner.update({ where: { id: deadRunner.id }, data: { port: 1 } });
    const unreachable = await db.remoteCleanup.create({
      data: { workspaceId: doomed.workspace.id, runnerId: deadRunner.id, runId: crypto.randomUUID(), remoteDir: `${workDir}/runs/x`, label: "off" },
    });

    expect(await processRemoteCleanups()).toEqual({ removed: 2, failed: 1, givenUp: 1 });
    expect(fs.existsSync(kept.dir) || fs.existsSync(earlier.dir)).toBe(false);
    expect(fs.existsSync(forgedDir)).toBe(true);
    const left = await db.remoteCleanup.findMany({ where: { workspaceId: doomed.workspace.id } });
    expect(left.map((l) => l.id)).toEqual([unreachable.id]);
    expect(left[0].attempts).toBe(1);
    expect(left[0].lastError).toBeTruthy();
    expect(left[0].nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // Not due yet: nothing is tried.
    expect(await processRemoteCleanups()).toEqual({ removed: 0, failed: 0, givenUp: 0 });
    await flushLogs();
    const logs = await db.appLog.findMany({ where: { workspaceId: doomed.workspace.id, source: "runs:remote-cleanup" } });
    expect(logs.map((l) => l.message).join("\n")).toMatch(/Removed the folder of deleted run kept-run of project Project/);
    expect(logs.map((l) => l.message).join("\n")).toMatch(/Gave up removing the folder of deleted forged .*Refused to remove/);
  });

  it("refuses to delete a run still training, and another project's run is not found", async () => {
    const active = await run("busy", { status: "running" });
    await expect(deleteRun(ctx, active.id, "busy")).rejects.toThrow(/Cancel it in the Jobs step first/);
    const other = await createTeam("Other");
    await expect(deleteRun(ctx, other.run.id, other.run.name)).rejects.toThrow(/not found/);
    expect(await db.run.count({ where: { id: other.run.id } })).toBe(1);
  });
});
