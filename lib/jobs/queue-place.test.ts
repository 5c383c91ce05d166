import { describe, expect, it } from "vitest";
import { describeQueuePlace, queuePlaces, type WaitingJob } from "./queue-place";

const at = (n: number) => new Date(1_700_000_000_000 + n * 1000);
const waiting = (id: string, workspaceId: string, n: number, priority = 0): WaitingJob => ({ id, workspaceId, priority, createdAt: at(n) });

describe("queuePlaces", () => {
  it("starts at once where a slot is free", () => {
    const places = queuePlaces([waiting("a", "A", 1), waiting("b", "B", 2)], [], 2, 2, 60);
    expect(places.get("a")).toEqual({ ahead: 0, waitSeconds: 0 });
    expect(places.get("b")?.waitSeconds).toBe(0);
  });

  it("first come, first served behind the running jobs, from their ETAs and the typical duration", () => {
    const running = [
      { workspaceId: "X", elapsedSeconds: 10, etaSeconds: 20 },
      { workspaceId: "Y", elapsedSeconds: 50, etaSeconds: null },
    ];
    const places = queuePlaces([waiting("a", "A", 1), waiting("b", "B", 2), waiting("c", "C", 3)], running, 2, 2, 60);
    // Y has run 50 s of a typical 60: free in 10 s; X in 20 s; then a's slot again at 10 + 60.
    expect(places.get("a")).toEqual({ ahead: 0, waitSeconds: 10 });
    expect(places.get("b")).toEqual({ ahead: 1, waitSeconds: 20 });
    expect(places.get("c")).toEqual({ ahead: 2, waitSeconds: 70 });
  });

  it("a job whose workspace is at its limit waits for its own job, and a later job of another workspace goes first", () => {
    const running = [
      { workspaceId: "A", elapsedSeconds: 0, etaSeconds: 100 },
      { workspaceId: "A", elapsedSeconds: 0, etaSeconds: 120 },
      { workspaceId: "B", elapsedSeconds: 0, etaSeconds: 5 },
    ];
    const places = queuePlaces([waiting("a3", "A", 1), waiting("c", "C", 2)], running, 3, 2, 60);
    expect(places.get("a3")).toEqual({ ahead: 1, waitSeconds: 100 });
    expect(places.get("c")).toEqual({ ahead: 0, waitSeconds: 5 });
  });

  it("higher priority first (a job handed back by a stopping worker)", () => {
    const running = [{ workspaceId: "X", elapsedSeconds: 0, etaSeconds: 30 }];
    const places = queuePlaces([waiting("old", "A", 1), waiting("resumed", "B", 9, 10)], running, 1, 2, 60);
    expect(places.get("resumed")).toEqual({ ahead: 0, waitSeconds: 30 });
    expect(places.get("old")).toEqual({ ahead: 1, waitSeconds: 90 });
  });

  it("says nothing about time it cannot know, and counts places in queue order", () => {
    const running = [{ workspaceId: "X", elapsedSeconds: 5, etaSeconds: null }];
    const places = queuePlaces([waiting("a", "A", 1), waiting("b", "B", 2)], running, 1, 2, null);
    expect(places.get("a")).toEqual({ ahead: 0, waitSeconds: null });
    expect(places.get("b")).toEqual({ ahead: 1, waitSeconds: null });
  });

  it("no worker: no estimate", () => {
    expect(queuePlaces([waiting("a", "A", 1)], [], 0, 2, 60).get("a")).toEqual({ ahead: 0, waitSeconds: null });
  });
});

describe("describeQueuePlace", () => {
  it("reads as a person would say it", () => {
    expect(describeQueuePlace({ ahead: 0, waitSeconds: 0 }, 1)).toBe("Starting soon");
    expect(describeQueuePlace({ ahead: 0, waitSeconds: 40 }, 1)).toBe("Next in line, about 40 s");
    expect(describeQueuePlace({ ahead: 1, waitSeconds: null }, 1)).toBe("1 job ahead");
    expect(describeQueuePlace({ ahead: 2, waitSeconds: 200 }, 1)).toBe("2 jobs ahead, about 3 min");
    expect(describeQueuePlace({ ahead: 4, waitSeconds: 3900 }, 1)).toBe("4 jobs ahead, about 1 h 5 min");
    expect(describeQueuePlace({ ahead: 0, waitSeconds: null }, 0)).toBe("Waiting for a worker (none is running)");
  });
});
