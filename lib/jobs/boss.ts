// pg-boss in our PostgreSQL, in its own schema ("pgboss"). One queue per job type, with
// LISTEN/NOTIFY so a send wakes a worker at once (polling alone waits ~0.5 s or more).
import { type ConstructorOptions, PgBoss, type Queue } from "pg-boss";
import { databaseUrl } from "@/lib/env";
import { logger } from "@/lib/log";
import type { JobDefinition } from "./definition";

export const BOSS_SCHEMA = "pgboss";
/** pg-boss fails a job whose worker stopped heartbeating for this long, then retries it. */
export const HEARTBEAT_SECONDS = 10;
/** Retries kept for crash recoveries, on top of a definition's error retries (which we count). */
export const CRASH_RETRIES = 25;

const log = logger("jobs");

export function bossOptions(role: "web" | "worker" | "setup", extra: Partial<ConstructorOptions> = {}): ConstructorOptions {
  return {
    connectionString: databaseUrl(),
    schema: BOSS_SCHEMA,
    application_name: `finetuneflow-${role}`,
    max: role === "worker" ? 10 : 4,
    useListenNotify: role === "worker",
    // Only the worker supervises (expiry, heartbeats, retention) and watches queues.
    supervise: role === "worker",
    schedule: false,
    migrate: role === "setup",
    createSchema: role === "setup",
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
    instanceName: `finetuneflow-${role}`,
    ...extra,
  };
}

export function queueOptions(definition: JobDefinition<unknown>): Omit<Queue, "name"> {
  return {
    notify: true,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    expireInSeconds: definition.timeoutSeconds,
    retryLimit: definition.retry.limit + CRASH_RETRIES,
    retryDelay: definition.retry.delaySeconds,
    retryBackoff: true,
    retryDelayMax: definition.retry.maxDelaySeconds,
    deleteAfterSeconds: 7 * 24 * 3600,
  };
}

/** Installs or upgrades pg-boss's schema and creates or updates a queue per definition. */
export async function installQueues(definitions: ReadonlyArray<JobDefinition<unknown>>): Promise<void> {
  const boss = new PgBoss(bossOptions("setup"));
  boss.on("error", (error) => log.warn(`pg-boss: ${error.message}`));
  await boss.start();
  try {
    for (const definition of definitions) await ensureQueue(boss, definition);
  } finally {
    await boss.stop({ graceful: false });
  }
}

export async function ensureQueue(boss: PgBoss, definition: JobDefinition<unknown>): Promise<void> {
  const options = queueOptions(definition);
  if (await boss.getQueue(definition.type)) {
    await boss.updateQueue(definition.type, options);
  } else {
    await boss.createQueue(definition.type, options);
  }
}

const globalForBoss = globalThis as unknown as { __ftfSender?: Promise<PgBoss> };

/** The web's pg-boss: sends and cancels only (no workers, no supervision, no migrations). */
export function getSender(): Promise<PgBoss> {
  globalForBoss.__ftfSender ??= (async () => {
    const boss = new PgBoss(bossOptions("web"));
    boss.on("error", (error) => log.warn(`pg-boss: ${error.message}`));
    await boss.start();
    return boss;
  })().catch((error) => {
    globalForBoss.__ftfSender = undefined;
    throw error;
  });
  return globalForBoss.__ftfSender;
}

export async function stopSender(): Promise<void> {
  const pending = globalForBoss.__ftfSender;
  globalForBoss.__ftfSender = undefined;
  if (pending) await (await pending).stop({ graceful: false }).catch(() => {});
}
