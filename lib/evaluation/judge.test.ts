import { describe, expect, it } from "vitest";
import { countTokens } from "@/lib/tokens";
import { estimateJudgeCost, JUDGE_OUTPUT_TOKENS, JudgeParseError, judgeMessages, parseJudgeOutput } from "./judge";

const verdict = { faithfulness: 4, correctness: 5, helpfulness: 3, score: 4, reason: "Right, but terse." };

describe("parseJudgeOutput", () => {
  it("reads plain, fenced and chatty JSON", () => {
    const json = JSON.stringify(verdict);
    for (const text of [json, `\`\`\`json\n${json}\n\`\`\``, `Here is my grading:\n${json}\nLet me know if you need more.`]) {
      expect(parseJudgeOutput(text)).toEqual(verdict);
    }
  });

  it("takes numbers written as strings, other key spellings and nested scores", () => {
    const text = '{"scores": {"Faithfulness": "4", "correctness": "5/5", "helpfulness": "3 out of 5"}, "Overall": "4.5", "rationale": " Mostly right. "}';
    expect(parseJudgeOutput(text)).toEqual({ faithfulness: 4, correctness: 5, helpfulness: 3, score: 4.5, reason: "Mostly right." });
  });

  it("uses the criteria's mean when there is no overall score", () => {
    expect(parseJudgeOutput('{"faithfulness": 4, "correctness": 5, "helpfulness": 5}')).toMatchObject({ score: 4.7, reason: "" });
    expect(parseJudgeOutput('{"faithfulness": 4, "correctness": 4, "helpfulness": 4, "score": 4, "reason": null}').reason).toBe("");
  });

  it("refuses scores on another scale rather than clamping them", () => {
    expect(() => parseJudgeOutput(JSON.stringify({ ...verdict, score: 8 }))).toThrow(/score 8 outside 1–5/);
    expect(() => parseJudgeOutput(JSON.stringify({ ...verdict, faithfulness: 0 }))).toThrow(/faithfulness 0 outside/);
  });

  it("throws JudgeParseError for unreadable answers", () => {
    const cases: Array<[string, RegExp]> = [
      ["", /empty answer/],
      ["The answer looks good to me, 4/5.", /not a JSON object/],
      ['{"faithfulness": 4, "correctness": 5, "helpfulness', /not a JSON object/],
      ["[4, 5, 3]", /not a JSON object/],
      ['{"faithfulness": "high", "correctness": 5, "helpfulness": 3}', /invalid faithfulness/],
      ['{"score": 4}', /invalid faithfulness, correctness, helpfulness/],
    ];
    for (const [text, message] of cases) {
      const error = (() => {
        try {
          parseJudgeOutput(text);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, text).toBeInstanceOf(JudgeParseError);
      expect((error as JudgeParseError).message).toMatch(/^Judge output unreadable: /);
      expect((error as JudgeParseError).message, text).toMatch(message);
    }
  });
});

describe("judgeMessages", () => {
  it("fences the texts and falls back to the reference without a source", () => {
    const input = { prompt: "What is the refund window?", reference: "14 days.", answer: "Two weeks." };
    const [system, user] = judgeMessages({ ...input, sourceChunk: "Refunds are issued within 14 days." });
    expect(system.role).toBe("system");
    expect(user.content).toContain('"""\nRefunds are issued within 14 days.\n"""');
    expect(user.content).toContain('"""\nTwo weeks.\n"""');
    expect(judgeMessages(input)[1].content).toContain("There is no source text");
  });
});

describe("estimateJudgeCost", () => {
  const samples = [
    { prompt: "What is the refund window?", reference: "14 days.", answer: "Two weeks.", sourceChunk: "Refunds are issued within 14 days." },
    { prompt: "Who handles disputes?", reference: "The billing team.", answer: "Billing." },
  ];

  it("counts what each call sends, plus a typical verdict", () => {
    const expectedIn = samples.reduce(
      (sum, s) =>
        sum +
        countTokens(
          judgeMessages(s)
            .map((m) => m.content)
            .join("\n"),
        ),
      0,
    );
    const estimate = estimateJudgeCost({ provider: { options: { prices: { inputPer1M: 1, outputPer1M: 2 } } }, samples });
    expect(estimate).toEqual({
      tokensIn: expectedIn,
      tokensOut: 2 * JUDGE_OUTPUT_TOKENS,
      cost: (expectedIn * 1 + 2 * JUDGE_OUTPUT_TOKENS * 2) / 1_000_000,
      calls: 2,
    });
    expect(estimate.tokensIn).toBeGreaterThan(2 * countTokens(judgeMessages(samples[1])[0].content));
  });

  it("has no cost for a provider without prices, and nothing for no samples", () => {
    expect(estimateJudgeCost({ provider: { options: {} }, samples }).cost).toBeNull();
    expect(estimateJudgeCost({ provider: { options: { prices: { inputPer1M: 1, outputPer1M: 1 } } }, samples: [] })).toEqual({
      tokensIn: 0,
      tokensOut: 0,
      cost: 0,
      calls: 0,
    });
  });
});
