import { describe, expect, it } from "vitest";
import { exactMatch, lcsLength, normalizeAnswer, perplexityFromLoss, perplexityFromLosses, rougeL, rougeTokens, summarizeSamples } from "./metrics";

describe("rougeL", () => {
  it("scores the longest common subsequence of words", () => {
    // LCS "the cat on the mat" = 5 of 6 words each side.
    const score = rougeL("the cat sat on the mat", "the cat is on the mat");
    expect(score.precision).toBeCloseTo(5 / 6, 12);
    expect(score.recall).toBeCloseTo(5 / 6, 12);
    expect(score.f1).toBeCloseTo(5 / 6, 12);
  });

  it("lowercases, drops punctuation and weighs precision against recall", () => {
    expect(rougeTokens("The cat, sat!  Don't")).toEqual(["the", "cat", "sat", "don", "t"]);
    // Candidate [the cat sat], reference [the cat]: LCS 2 → P 2/3, R 1, F 2·(2/3)/(5/3) = 0.8.
    const score = rougeL("The cat, sat!", "the cat");
    expect(score.precision).toBeCloseTo(2 / 3, 12);
    expect(score.recall).toBe(1);
    expect(score.f1).toBeCloseTo(0.8, 12);
  });

  it("counts order, not just overlap", () => {
    expect(rougeL("a b c d", "d c b a").f1).toBeCloseTo(1 / 4, 12);
  });

  it("is zero when either side has no words or none in common", () => {
    expect(rougeL("", "the cat")).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rougeL("the cat", "?!")).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rougeL("x y", "z")).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it("finds the textbook LCS either way round", () => {
    const a = "ABCBDAB".split("");
    const b = "BDCABA".split("");
    expect(lcsLength(a, b)).toBe(4);
    expect(lcsLength(b, a)).toBe(4);
    expect(lcsLength([], b)).toBe(0);
  });
});

describe("exactMatch", () => {
  it("ignores case, punctuation, articles and spacing", () => {
    expect(exactMatch("The Eiffel Tower!", "eiffel tower")).toBe(1);
    expect(exactMatch("an apple", "Apple.")).toBe(1);
    expect(normalizeAnswer("  A  quick,  brown fox ")).toBe("quick brown fox");
  });

  it("still tells different answers apart", () => {
    expect(exactMatch("Paris", "Paris, France")).toBe(0);
    expect(exactMatch("theory", "ory")).toBe(0);
    // An article is a whole word only, also next to letters outside ASCII.
    expect(normalizeAnswer("aéroport the éclair")).toBe("aéroport éclair");
  });
});

describe("perplexity", () => {
  it("is the exponential of the mean loss", () => {
    expect(perplexityFromLoss(0)).toBe(1);
    expect(perplexityFromLoss(Math.log(20))).toBeCloseTo(20, 10);
  });

  it("weighs each batch's loss by its tokens", () => {
    // (1·1 + 2·3) / 4 = 1.75
    expect(perplexityFromLosses([1, 2], [1, 3])).toBeCloseTo(Math.exp(1.75), 12);
  });

  it("refuses mismatched or empty input", () => {
    expect(() => perplexityFromLosses([1, 2], [1])).toThrow(RangeError);
    expect(() => perplexityFromLosses([1], [0])).toThrow(/no tokens/);
    expect(() => perplexityFromLosses([], [])).toThrow(/no tokens/);
  });
});

describe("summarizeSamples", () => {
  it("averages both models' scores, counts wins and means the judged scores", () => {
    const summary = summarizeSamples([
      // base 0, tuned 5/6: a win.
      { reference: "the cat is on the mat", baseOutput: "a dog", tunedOutput: "the cat sat on the mat", judgeScore: 4 },
      // both 1 and both exact: a tie.
      { reference: "Paris", baseOutput: "Paris.", tunedOutput: "paris", judgeScore: null },
      // base [the sky is blue] vs [blue sky]: LCS 1, P 1/4, R 1/2, F 1/3; tuned 0: a loss.
      { reference: "blue sky", baseOutput: "the sky is blue", tunedOutput: "green", judgeScore: 2 },
    ]);
    expect(summary.count).toBe(3);
    expect(summary.base.rougeL).toBeCloseTo(4 / 9, 12);
    expect(summary.tuned.rougeL).toBeCloseTo(11 / 18, 12);
    expect(summary.base.exactMatch).toBeCloseTo(1 / 3, 12);
    expect(summary.tuned.exactMatch).toBeCloseTo(1 / 3, 12);
    expect(summary.tunedVsBase).toEqual({ wins: 1, ties: 1, losses: 1 });
    expect(summary.judgeScore).toBe(3);
    expect(summary.judged).toBe(2);
  });

  it("has no judge score when nothing was judged, and zeros for no samples", () => {
    expect(summarizeSamples([{ reference: "a", baseOutput: "b", tunedOutput: "c" }]).judgeScore).toBeNull();
    expect(summarizeSamples([])).toEqual({
      count: 0,
      base: { rougeL: 0, exactMatch: 0 },
      tuned: { rougeL: 0, exactMatch: 0 },
      tunedVsBase: { wins: 0, ties: 0, losses: 0 },
      judgeScore: null,
      judged: 0,
    });
  });
});
