// bench/generation: the full generation run through the real worker runtime against the fake
// LLM server with a fixed latency. Ideal wall time = chunks × latency / concurrency; we print
// ideal / actual (1.0 = no overhead at all). Then the same at concurrency 256, counting
// examples: none may be lost.
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { installQueues, stopSender } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { generateJob } from "@/lib/generation/jobs";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fakeBaseUrl } from "@/tests/support/fake-llm";
import { resetEnvCache } from "@/lib/env";
import { startWorker } from "@/worker/start";
import { benchDatabase, peakRssMb, row, timed, verdict } from "./support";

const CHUNKS = 2000;
const LATENCY_MS = 200;
const PER_CHUNK = 2;

async function run(concurrency: number, ctxFor: () => Promise<{ projectId: string; run: () => Promise<string> }>) {
  const { projectId, run: start } = await ctxFor();
  const started = await timed(async () => {
    const jobId = await start();
    for (;;) {
      const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
      if (["success", "failed", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  const examples = await db.datasetExample.count({ where: { projectId } });
  return { seconds: started.ms / 1000, job: started.value, examples, concurrency };
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

    const prepare = (concurrency: number) => async () => {
      const provider = await db.llmProvider.create({
        data: { workspaceId: workspace.id, name: `Fake ${concurrency}`, kind: "openai", baseUrl: fakeBaseUrl(llm, "openai"), defaultModel: "fake", options: { concurrency, timeoutMs: 60_000 } },
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
        data: Array.from({ length: CHUNKS }, (_, i) => ({ projectId: project.id, sourceFileId: file.id, chunkIndex: i, content: `Chunk ${i}: the warranty for product ${i} lasts ${i % 5} years and covers parts and labour.`, tokenCount: 25 })),
      });
      const ctx = await requireProject({ id: user.id, email: user.email, name: null }, project.id, "jobs.run");
      return { projectId: project.id, run: async () => (await enqueueJob(ctx, generateJob, {})).id };
    };

    console.log(`\nbench/generation — ${CHUNKS} chunks, fake LLM at ${LATENCY_MS} ms per answer, ${PER_CHUNK} examples per chunk`);
    row("", "seconds", "ideal s", "examples", "ideal/actual");
    // Baseline in the same run: the same number of bare HTTP calls (no LLM client, no database),
    // at both concurrencies: the ceiling this machine and the fake server allow.
    const bare = async (concurrency: number) =>
      timed(async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < CHUNKS) {
              const response = await fetch(`${fakeBaseUrl(llm, "openai")}/chat/completions`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ model: "fake", messages: [{ role: "user", content: `Write ${PER_CHUNK} examples with "question" and "answer" about chunk ${next}.` }] }),
              });
              await response.json();
            }
          }),
        );
      });
    const baselines = new Map<number, number>();
    for (const concurrency of [32, 256]) {
      const ideal = (CHUNKS * LATENCY_MS) / 1000 / concurrency;
      const seconds = (await bare(concurrency)).ms / 1000;
      baselines.set(concurrency, seconds);
      row(`baseline: bare HTTP calls, ${concurrency} at once`, seconds.toFixed(1), ideal.toFixed(1), "–", (ideal / seconds).toFixed(2));
    }
    const results = [];
    for (const concurrency of [32, 256]) {
      const result = await run(concurrency, prepare(concurrency));
      const ideal = (CHUNKS * LATENCY_MS) / 1000 / concurrency;
      // A run that failed did not do the work: it gets no credit for being quick.
      const ratio = result.job.status === "success" ? ideal / result.seconds : 0;
      results.push({ ...result, ideal, ratio });
      row(`concurrency ${concurrency} (${result.job.status})`, result.seconds.toFixed(1), ideal.toFixed(1), result.examples, ratio.toFixed(2));
    }
    row("peak RSS (MB)", peakRssMb());

    console.log("\nbench/generation — targets");
    const [at32, at256] = results;
    verdict("wall time vs ideal at concurrency 32", at32.ratio, "≥ 0.90", at32.ratio >= 0.9);
    verdict("wall time vs ideal at concurrency 256", at256.ratio, "≥ 0.80", at256.ratio >= 0.8);
    verdict("ours vs the bare-HTTP baseline at 32", at32.job.status === "success" ? baselines.get(32)! / at32.seconds : 0, "informational", true);
    verdict("ours vs the bare-HTTP baseline at 256", at256.job.status === "success" ? baselines.get(256)! / at256.seconds : 0, "informational", true);
    const lost = CHUNKS * PER_CHUNK - results[1].examples;
    verdict("examples lost at concurrency 256", lost, "0", lost === 0 && results[1].job.status === "success");
    await worker.stop();
    await stopSender();
  } finally {
    await llm.stop();
    await db.$disconnect().catch(() => {});
    await server.cleanup();
  }
}

