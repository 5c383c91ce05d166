import { describe, expect, it } from "vitest";
import { nextRestartDelay } from "./supervisor";

describe("restarting a dead child", () => {
  it("waits 1 s, doubling to 30 s while it keeps dying, and 1 s again after a minute up", () => {
    expect(nextRestartDelay(0, 500)).toBe(1000);
    expect(nextRestartDelay(1000, 500)).toBe(2000);
    expect(nextRestartDelay(16_000, 500)).toBe(30_000);
    expect(nextRestartDelay(30_000, 500)).toBe(30_000);
    expect(nextRestartDelay(30_000, 61_000)).toBe(1000);
  });
});
