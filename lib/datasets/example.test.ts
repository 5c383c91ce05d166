import { describe, expect, it } from "vitest";
import { exampleDataSchema, exampleText, instructionExampleSchema, promptOf, responseOf } from "./example";

describe("example data", () => {
  it("joins an instruction and its input with one line break, as LLaMA-Factory's Alpaca converter does", () => {
    const data = { instruction: "Translate to French.", input: "Good morning", output: "Bonjour" };
    expect(promptOf(data)).toBe("Translate to French.\nGood morning");
    expect(responseOf(data)).toBe("Bonjour");
    expect(exampleText(data)).toBe("Translate to French.\nGood morning\n\nBonjour");
  });

  it("leaves an empty input out of the prompt", () => {
    expect(promptOf({ instruction: "Name a prime.", input: "  ", output: "7" })).toBe("Name a prime.");
  });

  it("reads a question and its answer", () => {
    const data = { question: "What is 2 + 2?", answer: "4" };
    expect(promptOf(data)).toBe("What is 2 + 2?");
    expect(responseOf(data)).toBe("4");
    expect(exampleText(data)).toBe("What is 2 + 2?\n\n4");
  });

  it("accepts an instruction without input and either shape in the union", () => {
    expect(instructionExampleSchema.parse({ instruction: "a", output: "b" })).toEqual({ instruction: "a", input: "", output: "b" });
    expect(exampleDataSchema.safeParse({ question: "q", answer: "a" }).success).toBe(true);
    expect(exampleDataSchema.safeParse({ question: "q" }).success).toBe(false);
  });
});
