import { describe, expect, it } from "vitest";
import { builtinPrompt, promptInstructions, renderPrompt } from "./prompts";

describe("prompt rendering", () => {
  it("puts the chunk and every variable in literally: no $-patterns, no second pass", () => {
    const chunk = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$; -- $& $` $' $1 \\\\n {{n}} {{language}} {{chunk}}";
    const prompt = renderPrompt(builtinPrompt("qa"), { chunk, n: 3, language: "the $& language", section: "Costs $'" });
    expect(prompt).toContain(`"""\n${chunk}\n"""`);
    expect(prompt).toContain("write 3 question-answer pairs");
    expect(prompt).toContain("Write in the $& language.");
    expect(prompt).toContain(`Source (section "Costs $'"):`);
    // Nothing of the chunk was taken as a variable.
    expect(prompt.split("{{n}}").length).toBe(2);
    expect(promptInstructions(prompt, chunk)).not.toContain("CREATE FUNCTION");
  });
});
