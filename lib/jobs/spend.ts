// What a job's LLM calls spend, counted where every call ends (lib/llm/call) and kept on the Job
// row by the runtime as it goes (with each heartbeat, and when the job settles), so the
// workspace's usage and quota see the tokens of a job that fails or is cancelled half-way, not
// only the totals a finished handler reports. The job's code runs inside its Spend (an async
// context), so calls made anywhere below the handler count without being passed anything.
import { AsyncLocalStorage } from "node:async_hooks";

export type Spend = {
  tokensIn: number;
  tokensOut: number;
  /** USD at the providers' prices; null while no call had a price. */
  costUsd: number | null;
  /** Set by each call; the runtime clears it once it has written the counts. */
  dirty: boolean;
};

const current = new AsyncLocalStorage<Spend>();

/** A job's spend so far (earlier attempts included), from its row. */
export function spendFrom(row: { llmTokensIn?: number | null; llmTokensOut?: number | null; llmCostUsd?: number | null }): Spend {
  return { tokensIn: row.llmTokensIn ?? 0, tokensOut: row.llmTokensOut ?? 0, costUsd: row.llmCostUsd ?? null, dirty: false };
}

export function runWithSpend<T>(spend: Spend, fn: () => T): T {
  return current.run(spend, fn);
}

/** Adds one answered LLM call to the running job's spend; outside a job, nothing happens. */
export function recordSpend(tokensIn: number, tokensOut: number, costUsd: number | null): void {
  const spend = current.getStore();
  if (!spend) return;
  spend.tokensIn += tokensIn;
  spend.tokensOut += tokensOut;
  if (costUsd !== null) spend.costUsd = (spend.costUsd ?? 0) + costUsd;
  spend.dirty = true;
}

/** The Job row's fields for a spend (Int columns: clamped, a job never gets near 2^31 tokens). */
export function spendColumns(spend: Spend): { llmTokensIn: number; llmTokensOut: number; llmCostUsd: number | null } {
  const clamp = (n: number) => Math.min(2_147_483_647, Math.round(n));
  return { llmTokensIn: clamp(spend.tokensIn), llmTokensOut: clamp(spend.tokensOut), llmCostUsd: spend.costUsd };
}
