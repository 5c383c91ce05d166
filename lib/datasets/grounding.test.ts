import { describe, expect, it } from "vitest";
import { copiesInstructions } from "./copy";
import { contentWords, groundingScore } from "./grounding";

const CHUNK = "Refunds for annual plans are issued within 14 days by the billing team, who also handle disputes for the European region.";

describe("grounding", () => {
  it("scores the share of an answer's content words found in its chunk", () => {
    expect(groundingScore("The billing team issues refunds for annual plans within 14 days.", CHUNK)).toBe(1);
    expect(groundingScore("Paris is the capital and largest city of France, on the Seine.", CHUNK)).toBe(0);
    // Too short to judge.
    expect(groundingScore("Within 14 days.", CHUNK)).toBeNull();
  });

  it("splits words without spaces too (CJK)", () => {
    expect(contentWords("退款在十四天内处理").length).toBeGreaterThan(1);
    expect(groundingScore("退款在十四天内由账单团队处理完成", "年度计划的退款在十四天内由账单团队处理")).toBeGreaterThan(0.5);
  });
});

describe("copying the prompt's instructions", () => {
  const instructions =
    "Read the source text below and write 3 question-answer pairs about it.\nWrite in the language of the source text.\n\nRespond with JSON of this form:";
  it("catches an answer that is an instruction sentence, or mostly made of them", () => {
    expect(copiesInstructions("Write in the language of the source text.", instructions)).toBe(true);
    expect(copiesInstructions("write in the language of the source text", instructions)).toBe(true);
    expect(copiesInstructions("Refunds take 14 days. Write in the language of the source text.", instructions)).toBe(false);
    expect(copiesInstructions("The source text says refunds take 14 days.", instructions)).toBe(false);
  });
});
