import { describe, expect, it } from "vitest";
import { contentHash } from "./hash";

describe("contentHash", () => {
  const example = { instruction: "Summarise the text.", input: "The cat sat.", output: "A cat sat down." };

  it("is a sha256 hex digest", () => {
    expect(contentHash(example)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("makes examples that differ only in whitespace collide", () => {
    const spaced = {
      instruction: "  Summarise\tthe   text. ",
      input: "The cat\r\n sat.",
      output: "A cat\u00a0sat down.\n",
    };
    expect(contentHash(spaced)).toBe(contentHash(example));
    expect(contentHash({ question: " Why?\n", answer: "Because." })).toBe(contentHash({ question: "Why?", answer: "Because." }));
  });

  it("makes canonically equivalent Unicode collide", () => {
    const composed = { question: "Qu'est-ce qu'un café ?", answer: "Une boisson." };
    const decomposed = { question: "Qu'est-ce qu'un cafe\u0301 ?", answer: "Une boisson." };
    expect(contentHash(decomposed)).toBe(contentHash(composed));
  });

  it("tells different content apart", () => {
    expect(contentHash({ ...example, output: "A dog sat down." })).not.toBe(contentHash(example));
    expect(contentHash({ ...example, output: "a cat sat down." })).not.toBe(contentHash(example));
  });

  it("keeps field boundaries", () => {
    const moved = { instruction: "Summarise the text. The cat", input: "sat.", output: "A cat sat down." };
    expect(contentHash(moved)).not.toBe(contentHash(example));
    expect(contentHash({ question: "a b", answer: "c" })).not.toBe(contentHash({ question: "a", answer: "b c" }));
  });

  it("tells the task types apart", () => {
    expect(contentHash({ instruction: "Why?", input: "", output: "Because." })).not.toBe(contentHash({ question: "Why?", answer: "Because." }));
  });
});
