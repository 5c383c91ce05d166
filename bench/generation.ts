// bench/generation: the full generation run through the real worker runtime against the fake
// LLM server (its own process) with a fixed latency of 1 s and 3 examples per call, at 32 and
// 256 calls in flight. Ideal wall time = calls × latency / concurrency; we print ideal / actual
// (1.0 = no overhead at all) for our job and, in the same process, for the same number of bare
// HTTP calls (fetch + JSON.parse, no client, no database): the ceiling this machine allows.
// Also printed: CPU per call (ours vs bare), examples lost (none may be), and claims lost
// (deliveries released and resumed because the queue's heartbeat lapsed under load).

import { spawn } from "node:child_process";
import { once } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { generateJob } from "@/lib/generation/generate-job";
import { installQueues, stopSender } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { fakeBaseUrl } from "@/tests/support/fake-llm";
import { startWorker } from "@/worker/start";
import { benchDatabase, peakRssMb, row, timed, verdict } from "./support";

const LATENCY_MS = 1000;
const PER_CHUNK = 3;
/** Each run makes this many rounds of calls, so the ideal is ROUNDS × latency at any concurrency. */
const ROUNDS = 20;
const chunksFor = (concurrency: number) => concurrency * ROUNDS;

/** CPU time (user + system) this process spends in `work`, and its wall time. */
async function measured<T>(work: () => Promise<T>) {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu = process.cpuUsage();
  const result = await timed(work);
  const used = process.cpuUsage(cpu);
  lag.disable();
  return { ...result, cpuMs: (used.user + used.system) / 1000, lagP99Ms: lag.percentile(99) / 1e6 };
}

async function run(concurrency: number, ctxFor: () => Promise<{ projectId: string; run: () => Promise<string> }>) {
  const { projectId, run: start } = await ctxFor();
  const started = await measured(async () => {
    const jobId = await start();
    for (;;) {
      const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
      if (["success", "failed", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  const examples = await db.datasetExample.count({ where: { projectId } });
  // A delivery that lost its claim is released and resumed: the row counts a second attempt.
  const claimsLost = started.value.attempts - 1;
  return { seconds: started.ms / 1000, cpuMs: started.cpuMs, lagP99Ms: started.lagP99Ms, job: started.value, examples, concurrency, claimsLost };
}

/** The fake server runs in its own process, as a real LLM server would. */
async function startFakeProcess(latencyMs: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/fake-llm-process.ts", String(latencyMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const [first] = (await once(child.stdout!, "data")) as [Buffer];
  return { url: first.toString().trim(), stop: async () => void child.stdin!.end() };
}

export async function benchGeneration(): Promise<void> {
  // The fake LLM server listens on loopback, which the outbound policy allows only when listed.
  process.env.OUTBOUND_ALLOW = "127.0.0.1,localhost";
  resetEnvCache();
  const server = await benchDatabase();
  const llm = await startFakeProcess(LATENCY_MS);
  try {
    await installQueues([generateJob]);
    const worker = await startWorker([generateJob]);
    const user = await db.user.create({ data: { email: "bench@example.com" } });
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: "bench", memberships: { create: { userId: user.id, role: "owner" } } } });

    const prepare =
      (concurrency: number, chunks = chunksFor(concurrency)) =>
      async () => {
        const provider = await db.llmProvider.create({
          data: {
            workspaceId: workspace.id,
            name: `Fake ${concurrency}`,
            kind: "openai",
            baseUrl: fakeBaseUrl(llm, "openai"),
            defaultModel: "fake",
            options: { concurrency, timeoutMs: 60_000 },
          },
        });
        const project = await db.project.create({
          data: {
            workspaceId: workspace.id,
            name: `Bench ${concurrency}`,
            taskType: "qa",
            config: { examples_per_chunk: PER_CHUNK, num_examples_target: 1_000_000, generation: { provider_id: provider.id, model: "fake" } },
          },
        });
        const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "bench.md", storagePath: "unused" } });
        await db.chunk.createMany({
          data: Array.from({ length: chunks }, (_, i) => ({
            projectId: project.id,
            sourceFileId: file.id,
            chunkIndex: i,
            content: `Chunk ${i}: the warranty for product ${i} lasts ${i % 5} years and covers parts and labour.`,
            tokenCount: 25,
          })),
        });
        const ctx = await requireProject({ id: user.id, email: user.email, name: null }, project.id, "jobs.run");
        return { projectId: project.id, run: async () => (await enqueueJob(ctx, generateJob, {})).id };
      };

    // The same number of bare HTTP calls at the same concurrency, in this process.
    const bare = (concurrency: number, total = chunksFor(concurrency)) =>
      measured(async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < total) {
              const response = await fetch(`${fakeBaseUrl(llm, "openai")}/chat/completions`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({
                  model: "fake",
                  messages: [{ role: "user", content: `Write ${PER_CHUNK} examples with "question" and "answer" about chunk ${next}.` }],
                }),
              });
              await response.json();
            }
          }),
        );
      });

    console.log(`\nbench/generation — fake LLM at ${LATENCY_MS} ms per answer, ${PER_CHUNK} examples per call, ${ROUNDS} rounds of calls at each concurrency`);
    row("", "seconds", "ideal s", "ideal/actual", "CPU ms/call", "loop lag p99 ms");
    // Warm-up for both sides (connections, JIT, the handler's lazy imports), not measured.
    await bare(8, 16);
    await run(8, prepare(8, 16));
    const results = [];
    for (const concurrency of [32, 256]) {
      const calls = chunksFor(concurrency);
      const ideal = (calls * LATENCY_MS) / 1000 / concurrency;
      const baseline = await bare(concurrency);
      const bareSeconds = baseline.ms / 1000;
      row(
        `bare HTTP, ${calls} calls, ${concurrency} at once`,
        bareSeconds.toFixed(1),
        ideal.toFixed(1),
        (ideal / bareSeconds).toFixed(2),
        (baseline.cpuMs / calls).toFixed(2),
        baseline.lagP99Ms.toFixed(0),
      );
      const result = await run(concurrency, prepare(concurrency));
      // A run that failed did not do the work: it gets no credit for being quick.
      const ratio = result.job.status === "success" ? ideal / result.seconds : 0;
      results.push({ ...result, ideal, ratio, bareSeconds, bareCpu: baseline.cpuMs / calls, cpu: result.cpuMs / calls, calls });
      row(
        `our job, ${calls} chunks, ${concurrency} at once (${result.job.status})`,
        result.seconds.toFixed(1),
        ideal.toFixed(1),
        ratio.toFixed(2),
        (result.cpuMs / calls).toFixed(2),
        result.lagP99Ms.toFixed(0),
      );
    }
    row("peak RSS (MB)", peakRssMb());

    console.log("\nbench/generation — targets");
    const [at32, at256] = results;
    verdict("wall time vs ideal at 32 in flight", at32.ratio, "≥ 0.90", at32.ratio >= 0.9);
    verdict("wall time vs ideal at 256 in flight", at256.ratio, "≥ 0.80", at256.ratio >= 0.8);
    for (const r of results) {
      const vsBare = r.job.status === "success" ? r.bareSeconds / r.seconds : 0;
      verdict(`ours vs bare HTTP (same process) at ${r.concurrency}`, vsBare, "≥ 0.85", vsBare >= 0.85);
      verdict(`CPU per call, ours / bare at ${r.concurrency}`, r.cpu / r.bareCpu, "informational", true);
      const lost = r.calls * PER_CHUNK - r.examples;
      verdict(`examples lost at ${r.concurrency}`, lost, "0", lost === 0 && r.job.status === "success");
      verdict(`queue claims lost at ${r.concurrency}`, r.claimsLost, "0", r.claimsLost === 0);
    }
    await worker.stop();
    await stopSender();
  } finally {
    await llm.stop();
    await db.$disconnect().catch(() => {});
    await server.cleanup();
  }
}
