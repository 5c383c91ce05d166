import { describe, expect, it } from "vitest";
import { describePrepared, formatTokenCount, readPrepared } from "./prepared";

describe("describePrepared", () => {
  it("says what the prepare step made of a split", () => {
    expect(describePrepared({ examples: 1234, sequences: 310, tokens: 412_345, truncated: 3, dropped: 0, longest: 2048 }, true)).toBe(
      "1,234 examples → 310 packed sequences, 412k tokens, 3 truncated at max length, 0 dropped",
    );
    expect(describePrepared({ examples: 1, sequences: 1, tokens: 950, truncated: 0, dropped: 0 }, false)).toBe(
      "1 example → 1 sequence, 950 tokens, 0 truncated at max length, 0 dropped",
    );
  });

  it("rounds large token counts", () => {
    expect([formatTokenCount(9_999), formatTokenCount(10_400), formatTokenCount(3_456_789)]).toEqual(["9,999", "10k", "3.46M"]);
  });
});

describe("readPrepared", () => {
  it("reads what a run stored, and nothing from an empty or foreign value", () => {
    const train = { examples: 2, sequences: 1, tokens: 90, truncated: 0, dropped: 0 };
    expect(readPrepared({ train, max_seq_length: 1024, packing: true })).toEqual({ train, eval: undefined, max_seq_length: 1024, packing: true });
    expect(readPrepared(null)).toBeNull();
    expect(readPrepared({ max_seq_length: 1024 })).toBeNull();
    expect(readPrepared("x")).toBeNull();
  });
});
