// Shared, fair budgets of LLM calls. A provider's "calls at once" is a limit for its endpoint as
// a whole: every generation and preview job that calls that endpoint, in any workspace and on any
// worker, draws from it. The budget lives in the database (llm_call_shares), one row per running
// job, so several workers share it without talking to each other:
//   - each job computes the same max-min fair split of the endpoint's calls (previews first, then
//     round-robin across jobs, at most WORKSPACE_LLM_CALLS_AT_ONCE per workspace while several
//     workspaces use the endpoint) and moves its own
//     allowance towards its part: up at once, within what the others leave free (under the
//     endpoint's advisory lock, so the allowances never add up to more than the limit), down as
//     its calls finish;
//   - a job starts a call only while it has fewer in flight than min(allowance, its fair part),
//     so a 300-chunk job and a 50-chunk job progress side by side and the small one ends first;
//   - rows whose job stopped renewing them (a killed worker) expire and their calls return.
import { keyedFingerprint } from "@/lib/crypto";
import { withPgTransaction } from "@/lib/db/pool";
import { env } from "@/lib/env";
import { type LlmProviderRecord, providerApiKey } from "./chat";

/** How often a job renews its row and recomputes its part. */
const REBALANCE_MS = 500;
/** A row not renewed for this long belongs to a job that is gone. */
const EXPIRE_SECONDS = 15;

export const PRIORITY = { preview: 1, generation: 0 } as const;

export type ShareRow = {
  jobId: string;
  workspaceId: string;
  priority: number;
  callLimit: number;
  wanted: number;
  allowance: number;
  joinedAt: Date;
};

/**
 * The endpoint a provider's calls go to: its kind, base URL and a keyed fingerprint of its key.
 * Providers of different workspaces pointing at the same self-hosted server share its budget; two
 * teams with their own keys for a hosted API do not (its limits are per key).
 */
export function endpointKey(provider: LlmProviderRecord): string {
  let base = provider.baseUrl ?? (provider.kind === "ollama" ? env().OLLAMA_URL : "default");
  try {
    const url = new URL(base);
    base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    // Not a URL (a hosted default): the kind tells them apart.
  }
  const key = providerApiKey(provider);
  return `${provider.kind} ${base} ${key ? keyedFingerprint(key) : "-"}`;
}

/**
 * Each job's fair part of the endpoint's calls: higher priority first, then one call at a time
 * to each job in the order they joined, until the calls run out or every job has what it can use
 * (its `wanted`, its own provider's limit, its workspace's cap). The endpoint's limit is the
 * largest of the jobs' limits, so no tenant can throttle the others by setting a small one.
 */
export function fairTargets(rows: ShareRow[], workspaceCap: number): Map<string, number> {
  workspaceCap = effectiveCap(rows, workspaceCap);
  const targets = new Map(rows.map((r) => [r.jobId, 0]));
  let capacity = Math.max(0, ...rows.map((r) => r.callLimit));
  const perWorkspace = new Map<string, number>();
  const order = [...rows].sort((a, b) => b.priority - a.priority || a.joinedAt.getTime() - b.joinedAt.getTime() || a.jobId.localeCompare(b.jobId));
  const tiers = [...new Set(order.map((r) => r.priority))];
  for (const tier of tiers) {
    let open = order.filter((r) => r.priority === tier);
    while (capacity > 0 && open.length > 0) {
      const still: ShareRow[] = [];
      for (const row of open) {
        if (capacity === 0) break;
        const mine = targets.get(row.jobId)!;
        const workspace = perWorkspace.get(row.workspaceId) ?? 0;
        if (mine >= Math.min(row.wanted, row.callLimit) || workspace >= workspaceCap) continue;
        targets.set(row.jobId, mine + 1);
        perWorkspace.set(row.workspaceId, workspace + 1);
        capacity -= 1;
        still.push(row);
      }
      open = still;
    }
  }
  return targets;
}

/** The per-workspace cap binds only while another workspace uses the endpoint too: alone, a
 * workspace takes nothing from anyone and may use the endpoint's whole limit. */
function effectiveCap(rows: Array<Pick<ShareRow, "workspaceId">>, workspaceCap: number): number {
  return new Set(rows.map((r) => r.workspaceId)).size > 1 ? workspaceCap : Number.POSITIVE_INFINITY;
}

/**
 * Where a job's allowance goes next: down to its part (not below the calls it has in flight),
 * or up to its part within what the other jobs' allowances leave of the endpoint's and the
 * workspace's limits.
 */
export function nextAllowance(own: ShareRow & { inFlight: number }, others: ShareRow[], target: number, workspaceCap: number): number {
  if (target <= own.allowance) return Math.max(target, own.inFlight);
  workspaceCap = effectiveCap([own, ...others], workspaceCap);
  const limit = Math.max(own.callLimit, ...others.map((r) => r.callLimit));
  const free = limit - own.allowance - others.reduce((sum, r) => sum + r.allowance, 0);
  const workspaceFree = workspaceCap - own.allowance - others.filter((r) => r.workspaceId === own.workspaceId).reduce((sum, r) => sum + r.allowance, 0);
  return own.allowance + Math.max(0, Math.min(target - own.allowance, free, workspaceFree));
}

type Waiter = { wake: () => void };

export type BudgetOptions = {
  jobId: string;
  workspaceId: string;
  workerId: string;
  provider: LlmProviderRecord;
  callLimit: number;
  priority: number;
  /** Calls the job could use now (e.g. the chunks it has left). */
  wanted: () => number;
  signal: AbortSignal;
};

/** One job's share of its endpoint's calls. `acquire` before a call, release after. */
export class CallBudget {
  private allowance = 0;
  private target = 0;
  private inFlight = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private rebalancing: Promise<void> | null = null;
  private soon: NodeJS.Timeout | undefined;
  private left = false;
  private closed = false;
  private readonly endpoint: string;
  private readonly workspaceCap = env().WORKSPACE_LLM_CALLS_AT_ONCE;

  private constructor(private readonly options: BudgetOptions) {
    this.endpoint = endpointKey(options.provider);
  }

  /** Joins the endpoint's budget; the first share is settled before this returns. */
  static async join(options: BudgetOptions): Promise<CallBudget> {
    const budget = new CallBudget(options);
    await budget.rebalance();
    budget.timer = setInterval(() => void budget.rebalance().catch(() => {}), REBALANCE_MS);
    budget.timer.unref();
    return budget;
  }

  /** Calls this job may start now (for logs and tests). */
  get share(): { allowance: number; target: number; inFlight: number } {
    return { allowance: this.allowance, target: this.target, inFlight: this.inFlight };
  }

  /**
   * Waits until this job may start another call; the returned function ends it (once). Null once
   * the job has closed its budget (it needs no more calls): a caller waiting then must not call.
   */
  async acquire(): Promise<(() => void) | null> {
    const { signal } = this.options;
    while (this.inFlight >= Math.min(this.allowance, this.target)) {
      if (signal.aborted) throw signal.reason;
      if (this.closed) return null;
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          wake: () => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        this.waiters.push(waiter);
      });
    }
    if (this.closed) return null;
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      // Owing calls to others: give them back now rather than at the next round.
      if (this.allowance > this.target) this.rebalanceSoon();
      this.wake();
    };
  }

  /** The job needs no more calls (its target is reached): every waiting acquire returns null. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.wake();
  }

  private wake(): void {
    const room = Math.min(this.allowance, this.target) - this.inFlight;
    for (const waiter of this.waiters.splice(0, Math.max(0, room))) waiter.wake();
  }

  private rebalanceSoon(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.rebalance().catch(() => {});
    }, 20);
  }

  /** Renews this job's row and moves its allowance towards its fair part. One at a time. */
  rebalance(): Promise<void> {
    if (this.left) return Promise.resolve();
    this.rebalancing ??= this.rebalanceOnce().finally(() => (this.rebalancing = null));
    return this.rebalancing;
  }

  private async rebalanceOnce(): Promise<void> {
    const { jobId, workspaceId, workerId, priority, callLimit } = this.options;
    const wanted = Math.max(0, Math.min(callLimit, this.options.wanted()));
    const { allowance, target } = await withPgTransaction(async (exec) => {
      await exec("SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('ftf-llm-budget:' || $1))", [this.endpoint], "ftf-budget-lock");
      const rows = await exec(
        `WITH gone AS (
           DELETE FROM llm_call_shares WHERE endpoint_key = $1 AND job_id <> $2::uuid AND heartbeat_at < now() - make_interval(secs => $9)
         ), mine AS (
           INSERT INTO llm_call_shares (job_id, endpoint_key, workspace_id, worker_id, priority, call_limit, wanted, allowance, in_flight)
           VALUES ($2::uuid, $1, $3::uuid, $4, $5, $6, $7, 0, $8)
           ON CONFLICT (job_id) DO UPDATE SET endpoint_key = $1, worker_id = $4, priority = $5, call_limit = $6, wanted = $7, in_flight = $8,
             heartbeat_at = now()
           RETURNING job_id, workspace_id, priority, call_limit, wanted, allowance, joined_at
         )
         SELECT job_id::text AS "jobId", workspace_id::text AS "workspaceId", priority, call_limit AS "callLimit", wanted, allowance,
           joined_at AS "joinedAt", false AS own
         FROM llm_call_shares WHERE endpoint_key = $1 AND job_id <> $2::uuid AND heartbeat_at >= now() - make_interval(secs => $9)
         UNION ALL
         SELECT job_id::text, workspace_id::text, priority, call_limit, wanted, allowance, joined_at, true FROM mine`,
        [this.endpoint, jobId, workspaceId, workerId, priority, callLimit, wanted, this.inFlight, EXPIRE_SECONDS],
        "ftf-budget-renew",
      );
      const shares = rows as Array<ShareRow & { own: boolean }>;
      const own = shares.find((r) => r.own)!;
      const others = shares.filter((r) => !r.own);
      const target = fairTargets(shares, this.workspaceCap).get(jobId) ?? 0;
      // Calls started since the statement was sent count too. A lower allowance applies here at
      // once (no call can start between this line and the next): the row never claims fewer
      // calls than are in flight, so others cannot raise theirs into calls still running.
      const next = nextAllowance({ ...own, inFlight: this.inFlight }, others, target, this.workspaceCap);
      if (next < this.allowance) this.allowance = next;
      if (next !== own.allowance) {
        await exec("UPDATE llm_call_shares SET allowance = $2 WHERE job_id = $1::uuid", [jobId, next], "ftf-budget-allow");
      }
      return { allowance: next, target };
    });
    if (this.left) return;
    this.allowance = allowance;
    this.target = target;
    this.wake();
  }

  /** Gives the job's calls back to the endpoint. */
  async leave(): Promise<void> {
    this.left = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    await this.rebalancing?.catch(() => {});
    await withPgTransaction((exec) => exec("DELETE FROM llm_call_shares WHERE job_id = $1::uuid", [this.options.jobId])).catch(() => {});
  }
}

/** Runs `fn` as one call under the budget. */
export async function withCall<T>(budget: CallBudget, fn: () => Promise<T>): Promise<T> {
  const release = await budget.acquire();
  if (!release) throw new Error("The call budget is closed.");
  try {
    return await fn();
  } finally {
    release();
  }
}
