// The shared call budget on the database: parts of one endpoint's calls, waiting, and closing.
import crypto from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createTeam } from "@/tests/support/fixtures";
import { CallBudget, PRIORITY } from "./budget";

const provider = (limit: number) => ({
  id: crypto.randomUUID(),
  kind: "openai" as const,
  baseUrl: `http://127.0.0.1:9/${crypto.randomUUID()}/v1`,
  defaultModel: "m",
  apiKeyEncrypted: null,
  options: { concurrency: limit },
});

const joined: CallBudget[] = [];

async function join(options: { provider: ReturnType<typeof provider>; wanted: () => number; signal?: AbortSignal }) {
  const team = await createTeam();
  const job = await db.job.create({ data: { projectId: team.project.id, type: "dataset_generate", status: "running" } });
  const budget = await CallBudget.join({
    jobId: job.id,
    workspaceId: team.workspace.id,
    workerId: "test",
    provider: options.provider,
    callLimit: options.provider.options.concurrency,
    priority: PRIORITY.generation,
    wanted: options.wanted,
    signal: options.signal ?? new AbortController().signal,
  });
  joined.push(budget);
  return budget;
}

afterEach(async () => {
  for (const budget of joined.splice(0)) await budget.leave();
});

describe("CallBudget", () => {
  it("gives a job the calls it wants, up to the endpoint's limit, and no more at once", async () => {
    const budget = await join({ provider: provider(2), wanted: () => 5 });
    const first = await budget.acquire();
    const second = await budget.acquire();
    expect(first && second).toBeTruthy();
    let third: (() => void) | null | undefined;
    void budget.acquire().then((release) => (third = release));
    await new Promise((r) => setTimeout(r, 50));
    expect(third).toBeUndefined();
    first!();
    await expect.poll(() => typeof third).toBe("function");
    second!();
    third!();
  });

  it("splits one endpoint between two jobs of different workspaces", async () => {
    const shared = provider(4);
    const a = await join({ provider: shared, wanted: () => 10 });
    const b = await join({ provider: shared, wanted: () => 10 });
    await a.rebalance();
    await b.rebalance();
    await a.rebalance();
    expect(a.share.target + b.share.target).toBeLessThanOrEqual(4);
    expect(a.share.target).toBeGreaterThan(0);
    expect(b.share.target).toBeGreaterThan(0);
  });

  it("a job that wants no more calls has no part; close() answers a waiting acquire with null instead of leaving it waiting", async () => {
    let wanted = 1;
    const budget = await join({ provider: provider(2), wanted: () => wanted });
    const release = await budget.acquire();
    wanted = 0;
    release!();
    await budget.rebalance();
    expect(budget.share.target).toBe(0);
    const waiting = budget.acquire();
    await new Promise((r) => setTimeout(r, 50));
    budget.close();
    await expect(waiting).resolves.toBeNull();
    await expect(budget.acquire()).resolves.toBeNull();
  });

  it("a waiting acquire rejects when the job is aborted", async () => {
    const controller = new AbortController();
    const budget = await join({ provider: provider(1), wanted: () => 1, signal: controller.signal });
    const held = await budget.acquire();
    const waiting = budget.acquire();
    controller.abort("cancelled");
    await expect(waiting).rejects.toBe("cancelled");
    held!();
  });
});
