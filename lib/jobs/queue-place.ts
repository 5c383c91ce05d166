// A waiting job's place in line and an honest estimate of its wait, written on the job's row
// (progress message and ETA) by the worker every few seconds, so every page that shows the job
// shows it without asking. The estimate replays the queue: slots free as the running jobs end
// (their own ETA, else the type's typical duration less the time they have run), and each waiting
// job, in the order pg-boss hands them out (priority, then age), takes the first slot that frees,
// unless its workspace is at its limit of jobs at once, in which case it waits for one of that
// workspace's own jobs to end (while later jobs of other workspaces go ahead of it).
import { db } from "@/lib/db/client";
import { withPgTransaction } from "@/lib/db/pool";
import { WORKER_HEARTBEAT_KEY } from "./heartbeat";

export type WaitingJob = { id: string; workspaceId: string; priority: number; createdAt: Date };
export type RunningJob = { workspaceId: string; elapsedSeconds: number; etaSeconds: number | null };
export type QueuePlace = { ahead: number; waitSeconds: number | null };

/** A worker whose heartbeat is older than this is gone. */
const LIVE_SECONDS = 30;

export function queuePlaces(
  waiting: WaitingJob[],
  running: RunningJob[],
  capacity: number,
  perWorkspace: number,
  typicalSeconds: number | null,
): Map<string, QueuePlace> {
  const places = new Map<string, QueuePlace>();
  const order = [...waiting].sort((a, b) => b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime());
  if (capacity <= 0) {
    for (const [i, job] of order.entries()) places.set(job.id, { ahead: i, waitSeconds: null });
    return places;
  }
  // When each running (and, as the replay goes on, each started) job ends; null = unknown.
  const remaining = (job: RunningJob): number | null => job.etaSeconds ?? (typicalSeconds === null ? null : Math.max(0, typicalSeconds - job.elapsedSeconds));
  type Slot = { freeAt: number | null; workspaceId: string | null };
  const slots: Slot[] = running.slice(0, capacity).map((job) => ({ freeAt: remaining(job), workspaceId: job.workspaceId }));
  while (slots.length < capacity) slots.push({ freeAt: 0, workspaceId: null });
  const byTime = (a: Slot, b: Slot) => (a.freeAt ?? Number.POSITIVE_INFINITY) - (b.freeAt ?? Number.POSITIVE_INFINITY);

  const started: Array<{ id: string; at: number | null }> = [];
  for (const job of order) {
    slots.sort(byTime);
    let slot = slots[0];
    let at = slot.freeAt;
    if (at !== null) {
      // The workspace's jobs still running when that slot frees: at its limit, this job waits
      // for one of them to end and takes its slot (the free one stays free for others).
      const own = slots.filter((s) => s !== slot && s.workspaceId === job.workspaceId && (s.freeAt === null || s.freeAt > at!)).sort(byTime);
      if (own.length >= perWorkspace) {
        slot = own[own.length - perWorkspace];
        at = slot.freeAt === null ? null : Math.max(at, slot.freeAt);
      }
    }
    started.push({ id: job.id, at });
    slot.freeAt = at === null || typicalSeconds === null ? null : at + typicalSeconds;
    slot.workspaceId = job.workspaceId;
  }
  // Ahead: the waiting jobs that start before it (in queue order where the estimate is unknown).
  for (const [i, job] of started.entries()) {
    const ahead =
      job.at === null ? i : started.filter((other, k) => k !== i && other.at !== null && (other.at < job.at! || (other.at === job.at && k < i))).length;
    places.set(job.id, { ahead, waitSeconds: job.at });
  }
  return places;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

export function describeQueuePlace(place: QueuePlace, capacity: number): string {
  if (capacity <= 0) return "Waiting for a worker (none is running)";
  const wait = place.waitSeconds === null ? "" : `about ${duration(place.waitSeconds)}`;
  if (place.waitSeconds !== null && place.waitSeconds < 1) return "Starting soon";
  if (place.ahead === 0) return `Next in line${wait ? `, ${wait}` : ""}`;
  return `${place.ahead} job${place.ahead === 1 ? "" : "s"} ahead${wait ? `, ${wait}` : ""}`;
}

type WaitingRow = { id: string; type: string; workspace_id: string; priority: number | null; created_at: Date; progress_message: string | null };

/**
 * Writes each waiting job's place (message and ETA) where it changed. One worker at a time (the
 * others skip the round); returns how many rows it wrote.
 */
export async function refreshQueuePlaces(perWorkspace: (type: string) => number = () => Number.POSITIVE_INFINITY): Promise<number> {
  return withPgTransaction(async (exec) => {
    const [lock] = await exec("SELECT pg_try_advisory_xact_lock(hashtext('ftf-queue-places')) AS ok");
    if (!lock.ok) return 0;
    const waiting = (await exec(
      `SELECT j.id::text, j.type::text, p.workspace_id::text, q.priority, j.created_at, j.progress_message
       FROM jobs j JOIN projects p ON p.id = j.project_id
       LEFT JOIN pgboss.job q ON q.name = j.type::text AND q.id::text = j.queue_job_id
       WHERE j.status = 'queued' AND NOT j.cancel_requested
       ORDER BY j.created_at`,
    )) as WaitingRow[];
    if (waiting.length === 0) return 0;
    const types = [...new Set(waiting.map((w) => w.type))];
    const running = (await exec(
      `SELECT j.type::text, p.workspace_id::text, extract(epoch FROM now() - j.started_at)::float8 AS elapsed, j.eta_seconds
       FROM jobs j JOIN projects p ON p.id = j.project_id WHERE j.status = 'running' AND j.type::text = ANY($1::text[])`,
      [types],
    )) as Array<{ type: string; workspace_id: string; elapsed: number | null; eta_seconds: number | null }>;
    const typical = (await exec(
      `SELECT type, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS seconds FROM (
         SELECT type::text, extract(epoch FROM finished_at - started_at)::float8 AS seconds,
           row_number() OVER (PARTITION BY type ORDER BY finished_at DESC) AS n
         FROM jobs WHERE status = 'success' AND type::text = ANY($1::text[]) AND started_at IS NOT NULL AND finished_at IS NOT NULL) recent
       WHERE n <= 20 GROUP BY type`,
      [types],
    )) as Array<{ type: string; seconds: number }>;
    const heartbeats = await db.setting.findMany({ where: { key: { startsWith: WORKER_HEARTBEAT_KEY } }, select: { value: true } });
    const capacity = (type: string) =>
      heartbeats.reduce((sum, { value }) => {
        const beat = value as { at?: string; types?: string[]; concurrency?: Record<string, number> } | null;
        if (!beat?.at || Date.now() - Date.parse(beat.at) > LIVE_SECONDS * 1000 || !beat.types?.includes(type)) return sum;
        return sum + (beat.concurrency?.[type] ?? 1);
      }, 0);

    let written = 0;
    for (const type of types) {
      const slots = capacity(type);
      const places = queuePlaces(
        waiting.filter((w) => w.type === type).map((w) => ({ id: w.id, workspaceId: w.workspace_id, priority: w.priority ?? 0, createdAt: w.created_at })),
        running.filter((r) => r.type === type).map((r) => ({ workspaceId: r.workspace_id, elapsedSeconds: r.elapsed ?? 0, etaSeconds: r.eta_seconds })),
        slots,
        perWorkspace(type),
        typical.find((t) => t.type === type)?.seconds ?? null,
      );
      const changes = waiting
        .filter((w) => w.type === type)
        .map((w) => ({ id: w.id, old: w.progress_message, place: places.get(w.id)! }))
        .map((c) => ({ ...c, message: describeQueuePlace(c.place, slots) }))
        .filter((c) => c.message !== c.old);
      if (changes.length === 0) continue;
      // Only rows still waiting: a job that started meanwhile keeps the worker's own message.
      await exec(
        `UPDATE jobs j SET progress_message = v.message, eta_seconds = v.eta
         FROM unnest($1::uuid[], $2::text[], $3::int[]) AS v(id, message, eta)
         WHERE j.id = v.id AND j.status = 'queued'`,
        [changes.map((c) => c.id), changes.map((c) => c.message), changes.map((c) => (c.place.waitSeconds === null ? null : Math.round(c.place.waitSeconds)))],
      );
      written += changes.length;
    }
    return written;
  });
}
