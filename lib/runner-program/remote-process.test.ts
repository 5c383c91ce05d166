import { describe, expect, it } from "vitest";
import { stopWaitMs } from "./remote-process";

describe("the patience of a cancel", () => {
  it("is a minute, or three measured steps and half a minute more for slow steps", () => {
    expect(stopWaitMs(undefined)).toBe(60_000);
    expect(stopWaitMs(2.5)).toBe(60_000);
    expect(stopWaitMs(40)).toBe(150_000);
  });
});
