import { describe, expect, it } from "vitest";
import { evalGate } from "./eval-gate";

const evaluation = { rouge_l_base: 0.28, rouge_l_tuned: 0.41, wins: 8, ties: 2, losses: 2, num_samples: 12, judge_score: null };

describe("evalGate", () => {
  it("says the tuned model is better only when its ROUGE-L is higher and it wins at least as often as it loses", () => {
    expect(evalGate(evaluation)).toEqual({
      better: true,
      summary: "The tuned model beats the base model on the eval split: ROUGE-L 0.41 tuned vs 0.28 base; 8 wins, 2 ties, 2 losses on 12 eval prompts.",
    });
    expect(evalGate({ ...evaluation, rouge_l_tuned: 0.2 }).better).toBe(false);
    const losing = evalGate({ ...evaluation, wins: 2, losses: 8, judge_score: 2.5 });
    expect(losing.better).toBe(false);
    expect(losing.summary).toMatch(/^The tuned model is not better .*2 wins, 2 ties, 8 losses on 12 eval prompts; judge 2\.5 of 5\)\. Check the dataset/);
  });
});
