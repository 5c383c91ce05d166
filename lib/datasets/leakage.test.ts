import { describe, expect, it } from "vitest";
import { measureLeakage, shingles } from "./leakage";

const qa = (question: string, answer: string) => ({ question, answer });
const passage = "The warranty covers parts and labour for two full years from the date of delivery.";

describe("measureLeakage", () => {
  it("counts eval examples whose 8-word runs are mostly in train, whatever their case and punctuation", () => {
    const train = [qa("What does the warranty cover?", passage), qa("Where is the depot?", "In the harbour, behind the fish market.")];
    const evalSet = [
      qa("Warranty coverage?", passage.toUpperCase().replace(/\./g, "!")),
      qa("Who signs off refunds?", "A team lead approves every refund above fifty euros before it is paid."),
    ];
    expect(measureLeakage(train, evalSet)).toEqual({ eval: 2, leaked: 1, share: 0.5 });
  });

  it("short texts are one run; an empty eval set leaks nothing", () => {
    expect(shingles("Yes.").size).toBe(0);
    expect(shingles("Paris is in France").size).toBe(1);
    expect(measureLeakage([qa("Capital of France?", "Paris.")], [qa("Capital of France?", "Paris.")])).toMatchObject({ leaked: 1 });
    expect(measureLeakage([qa("a", "b")], [])).toEqual({ eval: 0, leaked: 0, share: 0 });
  });
});
