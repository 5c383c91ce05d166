import { describe, expect, it } from "vitest";
import { estimateCost, formatCost } from "./cost";
import { providerOptions } from "./options";

describe("cost", () => {
  it("prices tokens per million, and free providers have no cost", () => {
    expect(estimateCost({ tokensIn: 2_000_000, tokensOut: 500_000 }, { inputPer1M: 0.15, outputPer1M: 0.6 })).toBeCloseTo(0.6);
    expect(estimateCost({ tokensIn: 1_000, tokensOut: 1_000 }, null)).toBeNull();
  });

  it("formats for people", () => {
    expect(formatCost(null)).toBe("Free");
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(0.004)).toBe("< $0.01");
    expect(formatCost(1234.5)).toBe("$1,234.50");
  });

  it("stored options fall back field by field, so a bad value never loses the prices", () => {
    const prices = { inputPer1M: 1, outputPer1M: 2 };
    expect(providerOptions({ options: { concurrency: 0, prices } })).toEqual({
      concurrency: 4,
      requestsPerMinute: 0,
      timeoutMs: 120_000,
      prices,
      hfProvider: undefined,
    });
    expect(providerOptions({ options: null }).prices).toBeNull();
  });
});
