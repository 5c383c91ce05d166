import { describe, expect, it } from "vitest";
import { fairTargets, nextAllowance, type ShareRow } from "./budget";

let order = 0;
function row(jobId: string, fields: Partial<ShareRow> = {}): ShareRow {
  order += 1;
  return { jobId, workspaceId: `ws-${jobId}`, priority: 0, callLimit: 8, wanted: 100, allowance: 0, joinedAt: new Date(1_000_000 + order), ...fields };
}

describe("fairTargets", () => {
  it("a job alone gets the endpoint's whole limit, no more than it can use", () => {
    expect(fairTargets([row("a")], 32).get("a")).toBe(8);
    expect(fairTargets([row("a", { wanted: 3 })], 32).get("a")).toBe(3);
  });

  it("splits the limit evenly, the earlier job taking the odd call", () => {
    const targets = fairTargets([row("a"), row("b"), row("c")], 32);
    expect([targets.get("a"), targets.get("b"), targets.get("c")]).toEqual([3, 3, 2]);
  });

  it("gives what a small job cannot use to the others", () => {
    const targets = fairTargets([row("big"), row("small", { wanted: 1 }), row("mid", { wanted: 2 })], 32);
    expect([targets.get("big"), targets.get("small"), targets.get("mid")]).toEqual([5, 1, 2]);
  });

  it("serves previews before full runs", () => {
    const targets = fairTargets([row("run"), row("preview", { priority: 1, wanted: 10 })], 32);
    expect(targets.get("preview")).toBe(8);
    expect(targets.get("run")).toBe(0);
    const small = fairTargets([row("run"), row("preview", { priority: 1, wanted: 3 })], 32);
    expect([small.get("preview"), small.get("run")]).toEqual([3, 5]);
  });

  it("caps each workspace's jobs together", () => {
    const rows = [
      row("a1", { workspaceId: "A", callLimit: 16 }),
      row("a2", { workspaceId: "A", callLimit: 16 }),
      row("a3", { workspaceId: "A", callLimit: 16 }),
      row("b", { workspaceId: "B", callLimit: 16 }),
    ];
    const targets = fairTargets(rows, 6);
    expect((targets.get("a1") ?? 0) + (targets.get("a2") ?? 0) + (targets.get("a3") ?? 0)).toBe(6);
    // B is held to the same cap; what neither may use stays free.
    expect(targets.get("b")).toBe(6);
  });

  it("does not cap a workspace alone on the endpoint", () => {
    const rows = [row("a1", { workspaceId: "A", callLimit: 64 }), row("a2", { workspaceId: "A", callLimit: 64 })];
    const targets = fairTargets(rows, 6);
    expect([targets.get("a1"), targets.get("a2")]).toEqual([32, 32]);
    expect(nextAllowance({ ...rows[0], inFlight: 0 }, [rows[1]], 32, 6)).toBe(32);
  });

  it("uses the largest of the jobs' limits for the endpoint, each job within its own", () => {
    const targets = fairTargets([row("slow", { callLimit: 1 }), row("fast", { callLimit: 6 })], 32);
    expect([targets.get("slow"), targets.get("fast")]).toEqual([1, 5]);
  });
});

describe("nextAllowance", () => {
  it("rises at once within what the others leave free", () => {
    const others = [row("b", { allowance: 6 })];
    expect(nextAllowance({ ...row("a"), inFlight: 0 }, others, 4, 32)).toBe(2);
    expect(nextAllowance({ ...row("a"), inFlight: 0 }, [row("b", { allowance: 2 })], 4, 32)).toBe(4);
  });

  it("falls to its part, but not below the calls still in flight", () => {
    expect(nextAllowance({ ...row("a", { allowance: 8 }), inFlight: 7 }, [], 4, 32)).toBe(7);
    expect(nextAllowance({ ...row("a", { allowance: 8 }), inFlight: 1 }, [], 4, 32)).toBe(4);
  });

  it("never lets the allowances add up past the endpoint's or the workspace's limit", () => {
    const others = [row("b", { allowance: 3, workspaceId: "A" }), row("c", { allowance: 3 })];
    const mine = { ...row("a", { workspaceId: "A" }), inFlight: 0 };
    expect(nextAllowance(mine, others, 8, 32)).toBe(2);
    expect(nextAllowance(mine, others, 8, 4)).toBe(1);
  });
});
