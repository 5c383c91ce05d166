// Process-wide limits per provider: at most `concurrency` requests in flight, and request starts
// spaced 60/requestsPerMinute seconds apart, so no minute ever holds more than the allowance.
// Every attempt (retries included) takes a slot; waiting ends early when the caller aborts.

type Waiter = { wake: () => void };
type Gate = { active: number; limit: number; queue: Waiter[]; nextStartAt: number };

const gates = new Map<string, Gate>();

export type Limits = { concurrency: number; requestsPerMinute: number };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

function pump(gate: Gate): void {
  while (gate.active < gate.limit && gate.queue.length > 0) {
    gate.active += 1;
    gate.queue.shift()!.wake();
  }
}

function takeSlot(gate: Gate, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const waiter: Waiter = {
      wake() {
        signal?.removeEventListener("abort", abort);
        resolve();
      },
    };
    function abort() {
      gate.queue = gate.queue.filter((w) => w !== waiter);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
    gate.queue.push(waiter);
    pump(gate);
  });
}

/** Waits for a slot under the provider's limits; the returned function gives it back (once). */
export async function acquireSlot(key: string, limits: Limits, signal?: AbortSignal): Promise<() => void> {
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = { active: 0, limit: limits.concurrency, queue: [], nextStartAt: 0 }));
  // Settings edited while the app runs apply to the next request.
  gate.limit = limits.concurrency;
  await takeSlot(gate, signal);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    gate.active -= 1;
    pump(gate);
  };
  if (limits.requestsPerMinute > 0) {
    const now = Date.now();
    const startAt = Math.max(now, gate.nextStartAt);
    gate.nextStartAt = startAt + 60_000 / limits.requestsPerMinute;
    try {
      await sleep(startAt - now, signal);
    } catch (error) {
      release();
      throw error;
    }
  }
  return release;
}
