// bench/jobs: our job path against bare pg-boss, in the same process and database, with the
// same pg-boss settings (sender and worker instances, queue options, work options), the same
// warm-up and the same number of rounds, the two paths alternating so that warm-up, caches and
// table growth favour neither.
//   - enqueue throughput: enqueueJob / enqueueJobs (Job row + pg-boss job, atomically) against
//     boss.send / boss.insert, no worker consuming;
//   - dispatch latency: send → handler start over LATENCY_JOBS jobs each, ours through the real
//     worker runtime (startWorker → runJob), one job in flight at a time.
// Prints figures and ratios against the same-process baseline; the targets are issue 20 item 7.
// Ours runs its enqueue and claim statements prepared (lib/jobs/enqueue.ts, runtime.ts); bare
// pg-boss plans its INSERT at every send, which is why ours can beat it on single sends.
import { type JobWithMetadata, PgBoss } from "pg-boss";
import { z } from "zod";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { bossOptions, installQueues, queueOptions, stopSender } from "@/lib/jobs/boss";
import { defineJob } from "@/lib/jobs/definition";
import { enqueueJob, enqueueJobs } from "@/lib/jobs/enqueue";
import { startWorker } from "@/worker/start";
import { benchDatabase, percentile, row, timed, verdict } from "./support";

const WARMUP_ROUNDS = 1;
const ROUNDS = 6;
const SINGLE = 200;
const BATCHES = 3;
const BATCH_SIZE = 1000;
const CONCURRENT_SENDERS = 8;
const LATENCY_WARMUP = 50;
const LATENCY_JOBS = 1000;
const CONCURRENCY = 4;
const BARE_QUEUE = "bench_bare";

const now = () => performance.timeOrigin + performance.now();

// One latency sample is in flight at a time; its handler resolves this.
let arrived: ((latencyMs: number) => void) | undefined;
const benchJob = defineJob({
  type: "diagnostic",
  label: "Benchmark no-op",
  payload: z.object({ sentAt: z.number().optional() }),
  retry: { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 },
  timeoutSeconds: 60,
  concurrency: CONCURRENCY,
  async handler(ctx) {
    if (ctx.payload.sentAt) arrived?.(now() - ctx.payload.sentAt);
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

async function sample<T>(send: (sentAt: number) => Promise<T>, after?: (sent: T) => Promise<void>): Promise<number> {
  const latency = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no handler start within 30 s")), 30_000);
    arrived = (ms) => {
      clearTimeout(timer);
      arrived = undefined;
      resolve(ms);
    };
  });
  const sent = await send(now());
  const ms = await latency;
  await after?.(sent);
  return ms;
}

/**
 * Waits (untimed) until our runtime has settled the job, so that its trailing writes (status,
 * project status, log) do not fall into the next sample of either path.
 */
async function settled({ id }: { id: string }): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await db.job.findUnique({ where: { id }, select: { status: true } });
    if (job?.status === "success") return;
    if (Date.now() > deadline) throw new Error(`job ${id} did not settle (${job?.status})`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const fmt = (ms: number) => ms.toFixed(1);

export async function benchJobs(): Promise<void> {
  const server = await benchDatabase();
  try {
    await installQueues([benchJob]);
    const user = await db.user.create({ data: { email: "bench@example.com", name: "Bench" } });
    const workspace = await db.workspace.create({ data: { name: "Bench", slug: "bench", memberships: { create: { userId: user.id, role: "owner" } } } });
    const project = await db.project.create({ data: { workspaceId: workspace.id, name: "Bench", config: {} } });
    const ctx = await requireProject({ id: user.id, email: user.email, name: user.name }, project.id, "jobs.run");

    // The baseline gets what ours gets: a "web" instance to send, with as many connections as the
    // pool our enqueue runs on (lib/db/pool.ts), and a "worker" instance to work.
    const bareSender = new PgBoss(bossOptions("web", { instanceName: "bench-bare-web", max: 10 }));
    bareSender.on("error", () => {});
    await bareSender.start();
    await bareSender.createQueue(BARE_QUEUE, queueOptions(benchJob));

    // ── enqueue throughput (no worker consuming yet) ──
    console.log(`\nbench/jobs — enqueue throughput (jobs/s; ${WARMUP_ROUNDS} warm-up + ${ROUNDS} timed rounds per path, alternating)`);
    row("", "ours", "bare pg-boss", "ratio");
    const throughput: Record<string, number> = {};
    const compare = async (label: string, count: number, ours: () => Promise<unknown>, bare: () => Promise<unknown>) => {
      for (let round = 0; round < WARMUP_ROUNDS; round++) {
        await ours();
        await bare();
      }
      let oursMs = 0;
      let bareMs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // ABBA: each path goes first in half of the rounds.
        if (round % 2 === 0) {
          oursMs += (await timed(ours)).ms;
          bareMs += (await timed(bare)).ms;
        } else {
          bareMs += (await timed(bare)).ms;
          oursMs += (await timed(ours)).ms;
        }
      }
      const oursRate = ((count * ROUNDS) / oursMs) * 1000;
      const bareRate = ((count * ROUNDS) / bareMs) * 1000;
      throughput[label] = oursRate / bareRate;
      row(label, oursRate.toFixed(0), bareRate.toFixed(0), (oursRate / bareRate).toFixed(2));
    };
    await compare(
      "single, sequential",
      SINGLE,
      () => concurrently(SINGLE, 1, () => enqueueJob(ctx, benchJob, {})),
      () => concurrently(SINGLE, 1, () => bareSender.send(BARE_QUEUE, {})),
    );
    await compare(
      `single, ${CONCURRENT_SENDERS} concurrent senders`,
      SINGLE,
      () => concurrently(SINGLE, CONCURRENT_SENDERS, () => enqueueJob(ctx, benchJob, {})),
      () => concurrently(SINGLE, CONCURRENT_SENDERS, () => bareSender.send(BARE_QUEUE, {})),
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
          await bareSender.insert(
            BARE_QUEUE,
            Array.from({ length: BATCH_SIZE }, () => ({ data: {} })),
          );
      },
    );

    // Clear the backlog so latency is measured on idle queues.
    await db.$executeRawUnsafe(`DELETE FROM pgboss.job`);
    await db.job.deleteMany({});
    await db.$executeRawUnsafe(`VACUUM ANALYZE pgboss.job`);
    await db.$executeRawUnsafe(`VACUUM ANALYZE jobs`);

    // ── dispatch latency: send → handler start, with both workers running ──
    const worker = await startWorker([benchJob]);
    const bareWorker = new PgBoss(bossOptions("worker", { instanceName: "bench-bare-worker" }));
    bareWorker.on("error", () => {});
    await bareWorker.start();
    await bareWorker.work<
      { sentAt?: number },
      unknown,
      { includeMetadata: true; localConcurrency: number; batchSize: number; pollingIntervalSeconds: number; notifyPollingIntervalSeconds: number }
    >(
      BARE_QUEUE,
      { includeMetadata: true, batchSize: 1, localConcurrency: CONCURRENCY, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 5 },
      async ([job]: JobWithMetadata<{ sentAt?: number }>[]) => {
        if (job.data.sentAt) arrived?.(now() - job.data.sentAt);
      },
    );
    const ours = (sentAt: number) => enqueueJob(ctx, benchJob, { sentAt });
    const bare = (sentAt: number) => bareSender.send(BARE_QUEUE, { sentAt });
    for (let i = 0; i < LATENCY_WARMUP; i++) {
      await sample(ours, settled);
      await sample(bare);
    }
    const oursLatencies: number[] = [];
    const bareLatencies: number[] = [];
    for (let i = 0; i < LATENCY_JOBS; i++) {
      if (i % 2 === 0) {
        oursLatencies.push(await sample(ours, settled));
        bareLatencies.push(await sample(bare));
      } else {
        bareLatencies.push(await sample(bare));
        oursLatencies.push(await sample(ours, settled));
      }
    }
    const stats = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: Math.max(...values) });
    const o = stats(oursLatencies);
    const b = stats(bareLatencies);
    console.log(`\nbench/jobs — dispatch latency send → handler start (ms; ${LATENCY_JOBS} jobs per path after ${LATENCY_WARMUP} warm-up, alternating)`);
    row("", "p50", "p95", "p99", "max");
    row("ours (enqueueJob → worker runtime)", fmt(o.p50), fmt(o.p95), fmt(o.p99), fmt(o.max));
    row("bare pg-boss (send → work)", fmt(b.p50), fmt(b.p95), fmt(b.p99), fmt(b.max));
    row("ratio ours / bare", (o.p50 / b.p50).toFixed(2), (o.p95 / b.p95).toFixed(2), (o.p99 / b.p99).toFixed(2), "");

    console.log("\nbench/jobs — targets (issue 20, item 7)");
    verdict("dispatch p50 ratio ours / bare", o.p50 / b.p50, "≤ 1.20", o.p50 / b.p50 <= 1.2);
    for (const [label, ratio] of Object.entries(throughput)) verdict(`throughput ratio, ${label}`, ratio, "≥ 0.80", ratio >= 0.8);

    await worker.stop();
    await bareWorker.stop({ graceful: false });
    await bareSender.stop({ graceful: false });
    await stopSender();
  } finally {
    await db.$disconnect().catch(() => {});
    await server.cleanup();
  }
}
