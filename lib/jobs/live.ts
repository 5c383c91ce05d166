// Live job updates for the web: ONE LISTEN connection per web process on the channel the jobs
// trigger notifies (migration "triggers"), fanned out to every open job stream of the same
// project. Each change is read once per process, however many tabs watch it.
import pg from "pg";
import { db } from "@/lib/db/client";
import { databaseUrl } from "@/lib/env";
import { JOB_VIEW_SELECT, type JobView, toJobView } from "./queries";

export type JobStreamListener = { job(view: JobView): void; resync(): void };

const CHANNEL = "ftf_job_changes";
const DEBOUNCE_MS = 100;

class JobChangeHub {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly subscribers = new Map<string, Set<JobStreamListener>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private retryMs = 500;

  subscribe(projectId: string, listener: JobStreamListener): () => void {
    let set = this.subscribers.get(projectId);
    if (!set) this.subscribers.set(projectId, (set = new Set()));
    set.add(listener);
    void this.ensureConnected();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.subscribers.delete(projectId);
    };
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl(), application_name: "finetuneflow-live", keepAlive: true });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      setTimeout(() => void this.reconnect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => this.onNotification(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      this.retryMs = 500;
    } catch {
      client.end().catch(() => {});
      setTimeout(() => void this.reconnect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    }
  }

  private async reconnect(): Promise<void> {
    if (this.subscribers.size === 0) return;
    await this.ensureConnected();
    // Changes may have been missed while disconnected: every stream re-reads its snapshot.
    if (this.client) for (const set of this.subscribers.values()) for (const listener of set) listener.resync();
  }

  private onNotification(payload: string | undefined): void {
    if (!payload) return;
    let change: { id?: string; projectId: string; resync?: boolean };
    try {
      change = JSON.parse(payload);
    } catch {
      return;
    }
    const listeners = this.subscribers.get(change.projectId);
    if (!listeners) return;
    if (change.resync || !change.id) {
      // New jobs (one announcement per INSERT statement): re-read the list.
      for (const listener of listeners) listener.resync();
      return;
    }
    const id = change.id;
    if (this.pending.has(id)) return;
    this.pending.set(
      id,
      setTimeout(async () => {
        this.pending.delete(id);
        const job = await db.job.findUnique({ where: { id }, select: JOB_VIEW_SELECT }).catch(() => null);
        if (!job) return;
        const view = toJobView(job);
        for (const listener of this.subscribers.get(change.projectId) ?? []) listener.job(view);
      }, DEBOUNCE_MS),
    );
  }
}

const globalForHub = globalThis as unknown as { __ftfJobHub?: JobChangeHub };

export function jobChangeHub(): JobChangeHub {
  globalForHub.__ftfJobHub ??= new JobChangeHub();
  return globalForHub.__ftfJobHub;
}
