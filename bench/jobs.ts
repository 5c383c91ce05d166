// bench/jobs: our enqueue path (Job row + pg-boss job in one transaction) and dispatch through
// the real worker runtime, side by side with bare pg-boss in the same run and database.
import { PgBoss } from "pg-boss";
import { z } from "zod";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { bossOptions, installQueues, stopSender } from "@/lib/jobs/boss";
import { defineJob } from "@/lib/jobs/definition";
import { enqueueJob, enqueueJobs } from "@/lib/jobs/enqueue";
import { startWorker } from "@/worker/start";
import { benchDatabase, percentile, row, timed, verdict } from "./support";

const ROUNDS = 4;
const SINGLE = 150;
const BATCHES = 3;
const BATCH_SIZE = 1000;
const LATENCY_SAMPLES = 1000;
const CONCURRENT_SENDERS = 8;

const starts = new Map<string, number>();
const benchJob = defineJob({
  type: "diagnostic",
  label: "Benchmark no-op",
  payload: z.object({ sentAt: z.number().optional() }),
  retry: { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 },
  timeoutSeconds: 60,
  concurrency: 4,
  async handler(ctx) {
    if (ctx.payload.sentAt) starts.set(ctx.jobId, performance.timeOrigin + performance.now() - ctx.payload.sentAt);
  },
});

async function concurrently(total: number, senders: number, send: () => Promise<unknown>) {
  let left = total;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (left-- > 0) await send();
    }),
  );
}

async function waitUntil(check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 1));
  }
}

export async function benchJobs(): Promise<void> {
  const server = await benchDatabase();
  try {
    await installQueues([benchJob]);
    const user = await db.user.create({ data: { email: "bench@example.com", name: "Bench" } });
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: "bench", memberships: { create: { userId: user.id, role: "owner" } } } });
    const project = await db.project.create({ data: { workspaceId: workspace.id, name: "Bench", config: {} } });
    const ctx = await requireProject({ id: user.id, email: user.email, name: user.name }, project.id, "jobs.run");

    const bare = new PgBoss(bossOptions("worker", { supervise: false, instanceName: "bench-bare" }));
    bare.on("error", () => {});
    await bare.start();
    await bare.createQueue("bench_bare", { notify: true });

    // ── enqueue throughput (no worker consuming yet) ──
    console.log("\nbench/jobs — enqueue throughput (jobs/s)");
    row("", "ours", "bare pg-boss", "ratio");
    const results: Record<string, number> = {};
    // Rounds alternate between the two paths so that warm-up and table growth favour neither.
    const compare = async (label: string, count: number, ours: () => Promise<unknown>, bareSend: () => Promise<unknown>) => {
      let oursMs = 0;
      let bareMs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        oursMs += (await timed(ours)).ms;
        bareMs += (await timed(bareSend)).ms;
      }
      const oursRate = ((count * ROUNDS) / oursMs) * 1000;
      const bareRate = ((count * ROUNDS) / bareMs) * 1000;
      results[label] = oursRate / bareRate;
      row(label, oursRate.toFixed(0), bareRate.toFixed(0), (oursRate / bareRate).toFixed(2));
    };
    await compare(
      "single, sequential",
      SINGLE,
      () => concurrently(SINGLE, 1, () => enqueueJob(ctx, benchJob, {})),
      () => concurrently(SINGLE, 1, () => bare.send("bench_bare", {})),
    );
    await compare(
      `single, ${CONCURRENT_SENDERS} concurrent senders`,
      SINGLE,
      () => concurrently(SINGLE, CONCURRENT_SENDERS, () => enqueueJob(ctx, benchJob, {})),
      () => concurrently(SINGLE, CONCURRENT_SENDERS, () => bare.send("bench_bare", {})),
    );
    await compare(
      `batched (${BATCH_SIZE} per call)`,
      BATCH_SIZE * BATCHES,
      async () => {
        for (let i = 0; i < BATCHES; i++)
          await enqueueJobs(
            ctx,
            benchJob,
            Array.from({ length: BATCH_SIZE }, () => ({})),
          );
      },
      async () => {
        for (let i = 0; i < BATCHES; i++)
          await bare.insert(
            "bench_bare",
            Array.from({ length: BATCH_SIZE }, () => ({ data: {} })),
          );
      },
    );

    // Clear the backlog so latency is measured on an idle queue.
    await db.$executeRawUnsafe(`DELETE FROM pgboss.job`);
    await db.job.deleteMany({});

    // ── dispatch latency: send → handler start, with the real worker running ──
    const worker = await startWorker([benchJob]);
    const bareLatencies: number[] = [];
    let bareDone = 0;
    await bare.work<{ sentAt: number }>("bench_bare", { localConcurrency: 4, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 5 }, async ([job]) => {
      bareLatencies.push(performance.timeOrigin + performance.now() - job.data.sentAt);
      bareDone++;
    });
    const oursLatencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const { id } = await enqueueJob(ctx, benchJob, { sentAt: performance.timeOrigin + performance.now() });
      await waitUntil(() => starts.has(id));
      oursLatencies.push(starts.get(id)!);
      const before = bareDone;
      await bare.send("bench_bare", { sentAt: performance.timeOrigin + performance.now() });
      await waitUntil(() => bareDone > before);
    }
    console.log("\nbench/jobs — dispatch latency send → handler start (ms)");
    row(`${LATENCY_SAMPLES} jobs each, alternating`, "p50", "p95", "p99");
    const stats = (values: number[]) => [50, 95, 99].map((p) => percentile(values, p));
    const [ours50, ours95, ours99] = stats(oursLatencies);
    const [bare50, bare95, bare99] = stats(bareLatencies);
    row("ours (enqueueJob → worker runtime)", ours50.toFixed(1), ours95.toFixed(1), ours99.toFixed(1));
    row("bare pg-boss (send → work)", bare50.toFixed(1), bare95.toFixed(1), bare99.toFixed(1));

    console.log("\nbench/jobs — targets");
    for (const [label, ratio] of Object.entries(results)) verdict(`throughput ratio, ${label}`, ratio, "≥ 0.80", ratio >= 0.8);
    verdict("dispatch p50, ours / bare", ours50 / bare50, "≤ 1.20", ours50 / bare50 <= 1.2);
    const p95 = percentile(oursLatencies, 95);
    verdict("dispatch p95 (ms)", p95, "< 50", p95 < 50);

    await worker.stop();
    await bare.stop({ graceful: false });
    await stopSender();
  } finally {
    await db.$disconnect().catch(() => {});
    await server.cleanup();
  }
}
