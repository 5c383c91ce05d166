// Several teams generating at once on one server: jobs run side by side on two worker processes,
// their calls share the LLM endpoint's limit fairly through the database, previews go first, and
// a workspace cannot take every job slot. Real parts: the queue, the workers, an HTTP LLM server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireWorkspace } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { saveGenerationSettingsAction, startGenerationAction, startPreviewAction } from "@/lib/generation/actions";
import { stopSender } from "@/lib/jobs/boss";
import { createProvider } from "@/lib/llm";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor } from "../support/worker-process";

const API_KEY = "sk-shared-endpoint-key";
/** The endpoint's calls at once, as every team's provider states it. */
const LIMIT = 6;
const PER_CHUNK = 2;

let llm: FakeLlm;
const workers: WorkerProcess[] = [];

async function teamWithProvider(name: string): Promise<{ team: Team; providerId: string }> {
  const team = await createTeam(name);
  const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
  const provider = await createProvider(ctx, {
    name: "Team vLLM",
    kind: "openai",
    baseUrl: fakeBaseUrl(llm, "openai"),
    defaultModel: "fake-chat",
    apiKey: API_KEY,
    options: { concurrency: LIMIT, requestsPerMinute: 0, timeoutMs: 20_000 },
  });
  return { team, providerId: provider.id };
}

async function projectWithChunks(owner: { team: Team; providerId: string }, chunks: number) {
  const { team, providerId } = owner;
  const project = await createProjectIn(team.workspace.id, `Gen ${chunks}`);
  await db.project.update({ where: { id: project.id }, data: { taskType: "qa", config: { examples_per_chunk: PER_CHUNK, num_examples_target: 100_000 } } });
  const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "policy.md", storagePath: "unused" } });
  await db.chunk.createMany({
    data: Array.from({ length: chunks }, (_, i) => ({
      projectId: project.id,
      sourceFileId: file.id,
      chunkIndex: i,
      content: `Clause ${i} of ${team.workspace.id.slice(0, 8)}: deliveries to depot ${i} leave on weekday ${i % 5} and are signed for by shift lead ${i % 11}.`,
      tokenCount: 30,
      charCount: 120,
    })),
  });
  await actAs(team.members.editor);
  expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { provider_id: providerId, model: "fake-chat" } })).ok).toBe(true);
  return project;
}

async function start(owner: { team: Team }, projectId: string, kind: "generate" | "preview" = "generate"): Promise<string> {
  await actAs(owner.team.members.editor);
  const started = kind === "preview" ? await startPreviewAction({ projectId }) : await startGenerationAction({ projectId });
  if (!started.ok) throw new Error(started.error.message);
  return started.data.jobId;
}

const tasksDone = async (jobId: string) => db.generationTask.count({ where: { jobId, status: { in: ["done", "failed", "skipped"] } } });
const settled = (jobId: string) =>
  waitFor(
    `job ${jobId}`,
    async () => {
      const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
      return ["success", "failed", "cancelled"].includes(job.status) ? job : null;
    },
    180_000,
    200,
  );

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: API_KEY, latencyMs: 300 });
  // Two workers with three generation slots each: six jobs need both, and their calls meet only
  // in the database's budget. Each workspace may run two generations at once.
  for (let i = 0; i < 2; i++) workers.push(spawnTestWorker({ WORKER_CONCURRENCY: "dataset_generate=3", WORKSPACE_JOBS_AT_ONCE: "2" }));
});

afterAll(async () => {
  for (const worker of workers) await stopWorker(worker, "SIGKILL");
  await stopSender();
  await llm.stop();
});

describe("generation across teams", () => {
  it("six workspaces at once: all progress together, the small ones finish before the large one, the endpoint's limit holds, counts exact", async () => {
    llm.setMode("good", { latencyMs: 300 });
    llm.stats.maxConcurrent = 0;
    const owners = [];
    for (let i = 0; i < 6; i++) owners.push(await teamWithProvider(`Team ${i}`));
    const sizes = [60, 10, 10, 10, 10, 10];
    const projects = [];
    for (const [i, owner] of owners.entries()) projects.push(await projectWithChunks(owner, sizes[i]));
    // The large job first: under first-come-first-served every other team would wait for it.
    const jobs: string[] = [];
    for (const [i, owner] of owners.entries()) jobs.push(await start(owner, projects[i].id));
    const [large, ...small] = jobs;

    // Every job has finished chunks while the large one still has most of its chunks ahead.
    const progressed = await waitFor(
      "every job to make progress",
      async () => {
        const done = await Promise.all(jobs.map(tasksDone));
        return done.every((n) => n > 0) ? done : null;
      },
      120_000,
      100,
    );
    expect(progressed[0]).toBeLessThan(sizes[0] / 2);

    const finished = await Promise.all(jobs.map(settled));
    for (const job of finished) expect(job.status, job.errorMessage ?? "").toBe("success");
    const largeDone = finished[0].finishedAt!.getTime();
    for (const job of finished.slice(1)) expect(job.finishedAt!.getTime()).toBeLessThan(largeDone);
    // Both workers ran some of them.
    expect(new Set(finished.map((j) => j.workerId)).size).toBe(2);
    // The endpoint never saw more than its limit, though six jobs on two workers called it.
    expect(llm.stats.maxConcurrent).toBeLessThanOrEqual(LIMIT);
    expect(llm.stats.maxConcurrent).toBeGreaterThan(1);

    for (const [i, project] of projects.entries()) {
      const examples = await db.datasetExample.count({ where: { projectId: project.id, jobId: jobs[i] } });
      expect(examples).toBe(sizes[i] * PER_CHUNK);
      expect(await db.datasetExample.count({ where: { projectId: project.id, isDuplicate: true } })).toBe(0);
      expect(await db.generationTask.count({ where: { jobId: jobs[i], status: "done" } })).toBe(sizes[i]);
    }
    expect(small).toHaveLength(5);
    // The shares are given back when jobs end.
    expect(await db.llmCallShare.count({ where: { jobId: { in: [large, ...small] } } })).toBe(0);
  }, 240_000);

  it("a preview goes ahead of a running full generation on the same endpoint", async () => {
    llm.setMode("good", { latencyMs: 300 });
    const owner = await teamWithProvider("Busy team");
    const other = await teamWithProvider("Reviewing team");
    const bigProject = await projectWithChunks(owner, 120);
    const previewProject = await projectWithChunks(other, 20);
    const big = await start(owner, bigProject.id);
    await waitFor("the run to be calling", async () => (await tasksDone(big)) >= LIMIT, 60_000, 100);
    const preview = await start(other, previewProject.id, "preview");
    const previewJob = await settled(preview);
    expect(previewJob.status, previewJob.errorMessage ?? "").toBe("success");
    expect(await db.datasetExample.count({ where: { projectId: previewProject.id, split: "preview" } })).toBe(10);
    // The preview's ten calls took the endpoint's calls first: the run is far from done.
    expect(await tasksDone(big)).toBeLessThan(120 / 2);
    expect((await settled(big)).status).toBe("success");
  }, 240_000);

  it("a workspace runs at most WORKSPACE_JOBS_AT_ONCE generations; another workspace's job goes ahead of its third", async () => {
    llm.setMode("good", { latencyMs: 300 });
    const busy = await teamWithProvider("Three projects");
    const other = await teamWithProvider("One project");
    const busyProjects = [];
    for (let i = 0; i < 3; i++) busyProjects.push(await projectWithChunks(busy, 12));
    const otherProject = await projectWithChunks(other, 12);
    const busyJobs = [];
    for (const project of busyProjects) busyJobs.push(await start(busy, project.id));
    const otherJob = await start(other, otherProject.id);

    const [first, second, third] = await Promise.all(busyJobs.map(settled));
    const theirs = await settled(otherJob);
    for (const job of [first, second, third, theirs]) expect(job.status, job.errorMessage ?? "").toBe("success");
    // The third waited for one of the workspace's two to end, while the other team's job (sent
    // after it) started at once.
    const firstEnd = Math.min(first.finishedAt!.getTime(), second.finishedAt!.getTime());
    expect(third.startedAt!.getTime()).toBeGreaterThanOrEqual(firstEnd);
    expect(theirs.startedAt!.getTime()).toBeLessThan(third.startedAt!.getTime());
  }, 240_000);
});
