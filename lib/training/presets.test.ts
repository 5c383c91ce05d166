import { describe, expect, it } from "vitest";
import { hyperparamOverridesSchema, hyperparamsSchema } from "./presets";

describe("hyperparamOverridesSchema", () => {
  it("keeps only the keys given, so a preset's own values survive, however often it is parsed", () => {
    const once = hyperparamOverridesSchema.parse({ lora_r: 32 });
    expect(once).toEqual({ lora_r: 32 });
    expect(hyperparamOverridesSchema.parse(once)).toEqual({ lora_r: 32 });
    expect(hyperparamOverridesSchema.parse({})).toEqual({});
    const quick = hyperparamsSchema.parse({ max_seq_length: 1024, num_epochs: 1 });
    expect(hyperparamsSchema.parse({ ...quick, ...hyperparamOverridesSchema.parse({}) })).toMatchObject({ max_seq_length: 1024, num_epochs: 1 });
  });

  it("validates what it keeps as a preset does", () => {
    expect(hyperparamOverridesSchema.safeParse({ lora_r: 0 }).success).toBe(false);
    expect(hyperparamOverridesSchema.parse({ gradient_checkpointing: "auto" })).toEqual({ gradient_checkpointing: "auto" });
    expect(hyperparamOverridesSchema.safeParse({ gradient_checkpointing: "sometimes" }).success).toBe(false);
  });
});
