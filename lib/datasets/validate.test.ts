import { describe, expect, it } from "vitest";
import { countTokens } from "@/lib/tokens";
import { validateExample } from "./validate";

const instruction = { taskType: "instruction", maxSeqLength: 2048 } as const;
const qa = { taskType: "qa", maxSeqLength: 2048 } as const;

const chunk =
  "The Eiffel Tower was built between 1887 and 1889 as the entrance arch to the 1889 World's Fair. " +
  "Its design was criticised by some of France's leading artists, yet it became a global icon of France.";

describe("validateExample", () => {
  it("accepts a good example and counts its tokens", () => {
    const data = { question: "When was the Eiffel Tower built?", answer: "Between 1887 and 1889." };
    const result = validateExample(data, { ...qa, sourceText: chunk });
    expect(result).toEqual({
      isValid: true,
      validationError: null,
      tokenCount: countTokens("When was the Eiffel Tower built?\n\nBetween 1887 and 1889."),
      // Three content words: too short to judge grounding.
      grounding: null,
    });
    const longer = validateExample(
      { question: "When was it built?", answer: "The Eiffel Tower was built between 1887 and 1889 for the World's Fair." },
      { ...qa, sourceText: chunk },
    );
    expect(longer.grounding).toBeGreaterThan(0.5);
  });

  it("names the empty field", () => {
    expect(validateExample({ instruction: " ", input: "", output: "x" }, instruction).validationError).toBe("The instruction is empty.");
    expect(validateExample({ instruction: "Do it.", input: "", output: "\n" }, instruction).validationError).toBe("The output is empty.");
    expect(validateExample({ question: "", answer: "x" }, qa).validationError).toBe("The question is empty.");
    expect(validateExample({ question: "Why?", answer: "" }, qa).validationError).toBe("The answer is empty.");
  });

  it("allows an empty input", () => {
    expect(validateExample({ instruction: "Name a prime.", input: "", output: "7" }, instruction).isValid).toBe(true);
  });

  it("refuses data of the other task type", () => {
    const result = validateExample({ question: "Why?", answer: "Because." }, instruction);
    expect(result).toEqual({
      isValid: false,
      validationError: "This example needs an instruction, an output and optionally an input, all as text.",
      tokenCount: 0,
      grounding: null,
    });
    expect(validateExample({ question: "Why?", answer: 4 }, qa).validationError).toBe("This example needs a question and an answer, both as text.");
  });

  it("refuses a response that repeats the prompt, ignoring case, punctuation and spacing", () => {
    expect(validateExample({ question: "What is the capital of France?", answer: "what is the  capital of France" }, qa).validationError).toBe(
      "The answer repeats the question.",
    );
    expect(validateExample({ instruction: "Fix the grammar.", input: "He go home.", output: "He go home." }, instruction).validationError).toBe(
      "The output repeats the input.",
    );
  });

  it("accepts an answer that restates the question before answering", () => {
    const data = { question: "What is the capital of France?", answer: "What is the capital of France? Paris." };
    expect(validateExample(data, qa).isValid).toBe(true);
  });

  it("refuses a response that reproduces 90 % or more of the source chunk", () => {
    const pasted = { question: "Tell me about the tower.", answer: `Sure! ${chunk.toUpperCase()}` };
    expect(validateExample(pasted, { ...qa, sourceText: chunk }).validationError).toBe("The answer copies the source text instead of answering.");
    const mostly = { question: "Tell me about the tower.", answer: chunk.slice(0, Math.ceil(chunk.length * 0.92)) };
    expect(validateExample(mostly, { ...qa, sourceText: chunk }).isValid).toBe(false);
  });

  it("accepts a response that quotes less than 90 % of the chunk", () => {
    const quoting = { question: "Tell me about the tower.", answer: chunk.slice(0, Math.floor(chunk.length * 0.85)) };
    expect(validateExample(quoting, { ...qa, sourceText: chunk }).isValid).toBe(true);
    const halves = { question: "Tell me about the tower.", answer: `${chunk.slice(0, 100)} and also ${chunk.slice(110)}` };
    expect(validateExample(halves, { ...qa, sourceText: chunk }).isValid).toBe(true);
  });

  it("refuses a response that echoes the generation prompt", () => {
    const prompt = `Write one question and answer about this text.\n\n${chunk}`;
    const data = { instruction: "Describe the tower.", input: "", output: prompt };
    expect(validateExample(data, { ...instruction, prompt }).validationError).toBe("The output repeats the generation prompt.");
  });

  it("refuses an example over the token limit, with both numbers", () => {
    const data = { instruction: "Repeat.", input: "", output: "word ".repeat(3200) };
    const result = validateExample(data, instruction);
    expect(result.isValid).toBe(false);
    expect(result.tokenCount).toBe(countTokens(`Repeat.\n\n${"word ".repeat(3200)}`));
    expect(result.validationError).toBe(`Too long: ${result.tokenCount.toLocaleString("en-US")} tokens, the limit is 2,048.`);
    expect(result.validationError).toMatch(/^Too long: 3,\d{3} tokens, the limit is 2,048\.$/);
  });

  it("accepts an example exactly at the limit", () => {
    const data = { question: "Why?", answer: "Because." };
    const { tokenCount } = validateExample(data, qa);
    expect(validateExample(data, { ...qa, maxSeqLength: tokenCount }).isValid).toBe(true);
    expect(validateExample(data, { ...qa, maxSeqLength: tokenCount - 1 }).isValid).toBe(false);
  });
});
