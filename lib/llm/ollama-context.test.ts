import { describe, expect, it } from "vitest";
import { contextLengthOf, contextNeed, MIN_NUM_CTX, numCtxFor } from "./ollama-context";

describe("Ollama context", () => {
  it("asks for the prompt with a margin plus the answer, in steps of 1024, never below Ollama's default", () => {
    expect(numCtxFor(contextNeed([{ content: "Hi" }], 256), "m", undefined)).toBe(MIN_NUM_CTX);
    const need = contextNeed([{ content: "word ".repeat(6000) }], 1000);
    expect(need.promptTokens).toBeGreaterThan(6000);
    expect(numCtxFor(need, "m", undefined)).toBe(Math.ceil((Math.ceil(need.promptTokens * 1.25) + 1000) / 1024) * 1024);
    // Capped at the model's own length when the prompt still fits.
    expect(numCtxFor(need, "m", 8192)).toBe(8192);
    expect(() => numCtxFor(need, "m", 4096)).toThrow(/context of 4,096 tokens/);
  });

  it("reads the context length from /api/show's model_info", () => {
    expect(contextLengthOf({ model_info: { "general.architecture": "llama", "llama.context_length": 131072 } })).toBe(131072);
    expect(contextLengthOf({ model_info: {} })).toBeUndefined();
    expect(contextLengthOf(null)).toBeUndefined();
  });
});
