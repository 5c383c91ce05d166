// bench/fairness: twelve teams on one server. Twelve workspaces each start a full generation
// within a second or two (52 to 307 chunks each), all on one self-hosted LLM endpoint (the fake
// server in its own process, 300 ms per answer) whose providers allow 16 calls at once, and one
// worker runs them. Baseline, in the same process: ONE job with all their chunks together. We
// print the total time against that job's time and against the arithmetic ideal (calls × latency
// / 16), how long each team waited for its first finished chunk, and whether every smaller job
// ended before the largest (first come, first served would make the last team wait for all).

import { spawn } from "node:child_process";
import { once } from "node:events";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { generateJob } from "@/lib/generation/generate-job";
import { installQueues, stopSender } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { fakeBaseUrl } from "@/tests/support/fake-llm";
import { startWorker } from "@/worker/start";
import { benchDatabase, row, verdict } from "./support";

const LATENCY_MS = 300;
const CALLS_AT_ONCE = 16;
const PER_CHUNK = 2;
/** Chunks per team, in the order the teams start. */
const SIZES = [307, 52, 80, 120, 64, 150, 52, 200, 90, 110, 75, 60];

async function startFakeProcess(latencyMs: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/fake-llm-process.ts", String(latencyMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const [first] = (await once(child.stdout!, "data")) as [Buffer];
  return { url: first.toString().trim(), stop: async () => void child.stdin!.end() };
}

type Team = { projectId: string; chunks: number; start: () => Promise<string> };

async function team(llmUrl: string, index: number, chunks: number): Promise<Team> {
  const user = await db.user.create({ data: { email: `team${index}-${chunks}-${Date.now()}@example.com` } });
  const workspace = await db.workspace.create({
    data: { name: `Team ${index}`, slug: `team-${index}-${Date.now()}`, memberships: { create: { userId: user.id, role: "owner" } } },
  });
  const provider = await db.llmProvider.create({
    data: {
      workspaceId: workspace.id,
      name: "Shared vLLM",
      kind: "openai",
      baseUrl: fakeBaseUrl({ url: llmUrl }, "openai"),
      defaultModel: "fake",
      options: { concurrency: CALLS_AT_ONCE, timeoutMs: 60_000 },
    },
  });
  const project = await db.project.create({
    data: {
      workspaceId: workspace.id,
      name: `Docs ${index}`,
      taskType: "qa",
      config: { examples_per_chunk: PER_CHUNK, num_examples_target: 1_000_000, generation: { provider_id: provider.id, model: "fake" } },
    },
  });
  const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "docs.md", storagePath: "unused" } });
  await db.chunk.createMany({
    data: Array.from({ length: chunks }, (_, i) => ({
      projectId: project.id,
      sourceFileId: file.id,
      chunkIndex: i,
      content: `Team ${index}, chunk ${i}: returns of item ${i} are accepted for ${i % 30} days at store ${i % 9}.`,
      tokenCount: 25,
    })),
  });
  const ctx = await requireProject({ id: user.id, email: user.email, name: null }, project.id, "jobs.run");
  return { projectId: project.id, chunks, start: async () => (await enqueueJob(ctx, generateJob, {})).id };
}

type Outcome = { chunks: number; startedAt: number; firstChunkS: number; finishS: number; status: string; examples: number };

/** Starts the teams' jobs one after another and follows them to the end. */
async function runTeams(teams: Team[]): Promise<{ seconds: number; outcomes: Outcome[] }> {
  const began = performance.now();
  const jobs: Array<{ id: string; team: Team; startedAt: number; firstChunkS?: number; finishS?: number; status?: string }> = [];
  for (const t of teams) jobs.push({ id: await t.start(), team: t, startedAt: performance.now() });
  for (;;) {
    const open = jobs.filter((j) => j.finishS === undefined);
    if (open.length === 0) break;
    const [done, rows] = await Promise.all([
      db.generationTask.groupBy({ by: ["jobId"], where: { jobId: { in: open.map((j) => j.id) }, status: "done" }, _count: true }),
      db.job.findMany({ where: { id: { in: open.map((j) => j.id) } }, select: { id: true, status: true } }),
    ]);
    const now = performance.now();
    for (const j of open) {
      if (j.firstChunkS === undefined && done.some((d) => d.jobId === j.id && d._count > 0)) j.firstChunkS = (now - j.startedAt) / 1000;
      const status = rows.find((r) => r.id === j.id)?.status ?? "gone";
      if (["success", "failed", "cancelled", "gone"].includes(status)) {
        j.status = status;
        j.finishS = (now - began) / 1000;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - began) / 1000;
  const outcomes: Outcome[] = [];
  for (const j of jobs) {
    const examples = await db.datasetExample.count({ where: { projectId: j.team.projectId, jobId: j.id } });
    outcomes.push({
      chunks: j.team.chunks,
      startedAt: j.startedAt,
      firstChunkS: j.firstChunkS ?? Number.NaN,
      finishS: j.finishS!,
      status: j.status!,
      examples,
    });
  }
  return { seconds, outcomes };
}

export async function benchFairness(): Promise<void> {
  process.env.OUTBOUND_ALLOW = "127.0.0.1,localhost";
  resetEnvCache();
  const server = await benchDatabase();
  const llm = await startFakeProcess(LATENCY_MS);
  try {
    await installQueues([generateJob]);
    const worker = await startWorker([generateJob]);
    const total = SIZES.reduce((a, b) => a + b, 0);
    const ideal = (total * LATENCY_MS) / 1000 / CALLS_AT_ONCE;

    console.log(
      `\nbench/fairness — ${SIZES.length} workspaces, ${total} chunks in all (${Math.min(...SIZES)}–${Math.max(...SIZES)} each), fake LLM at ${LATENCY_MS} ms, ${CALLS_AT_ONCE} calls at once on the shared endpoint`,
    );
    // Warm-up (connections, the handler's lazy imports), not measured.
    await runTeams([await team(llm.url, 99, 16)]);

    const single = await runTeams([await team(llm.url, 0, total)]);
    const teams = [];
    for (const [i, size] of SIZES.entries()) teams.push(await team(llm.url, i + 1, size));
    const shared = await runTeams(teams);

    row("", "seconds", "ideal s", "ideal/actual");
    row(`one job, ${total} chunks (baseline)`, single.seconds.toFixed(1), ideal.toFixed(1), (ideal / single.seconds).toFixed(2));
    row(`${SIZES.length} workspaces at once, ${total} chunks`, shared.seconds.toFixed(1), ideal.toFixed(1), (ideal / shared.seconds).toFixed(2));
    console.log("");
    row("team (chunks)", "first chunk s", "finished s", "status");
    for (const o of shared.outcomes) row(`  ${o.chunks} chunks`, o.firstChunkS.toFixed(1), o.finishS.toFixed(1), o.status);

    const largest = shared.outcomes.reduce((a, b) => (b.chunks > a.chunks ? b : a));
    const beforeLargest = shared.outcomes.filter((o) => o !== largest && o.finishS < largest.finishS).length;
    const firstChunkMax = Math.max(...shared.outcomes.map((o) => o.firstChunkS));
    const lost = shared.outcomes.reduce((sum, o) => sum + (o.chunks * PER_CHUNK - o.examples), 0);
    const allOk = shared.outcomes.every((o) => o.status === "success") && single.outcomes[0].status === "success";

    console.log("\nbench/fairness — targets");
    const vsSingle = allOk ? single.seconds / shared.seconds : 0;
    verdict("12 workspaces vs one job with their chunks", vsSingle, "≥ 0.90", vsSingle >= 0.9);
    verdict("12 workspaces vs ideal", allOk ? ideal / shared.seconds : 0, "≥ 0.80", allOk && ideal / shared.seconds >= 0.8);
    verdict("longest wait for a first chunk (s)", firstChunkMax, "≤ 5", firstChunkMax <= 5);
    verdict("smaller jobs ending before the largest", beforeLargest, `${SIZES.length - 1}`, beforeLargest === SIZES.length - 1);
    verdict("examples lost", lost, "0", lost === 0 && allOk);
    await worker.stop();
    await stopSender();
  } finally {
    await llm.stop();
    await db.$disconnect().catch(() => {});
    await server.cleanup();
  }
}
