import { describe, expect, it } from "vitest";
import { mergedSizeEstimate } from "./merged-model";

describe("mergedSizeEstimate", () => {
  it("is the base's parameters at 16 bits (32 for a float32 base), only for the run's own base", () => {
    const info = { model_id: "Qwen/Qwen2.5-0.5B-Instruct", num_parameters: 494_032_768, torch_dtype: "bfloat16" };
    expect(mergedSizeEstimate(info, "Qwen/Qwen2.5-0.5B-Instruct")).toBe(988_065_536);
    expect(mergedSizeEstimate({ ...info, torch_dtype: "float32" }, "Qwen/Qwen2.5-0.5B-Instruct")).toBe(1_976_131_072);
    // The project moved to another base since the run: its size says nothing about this run's.
    expect(mergedSizeEstimate(info, "meta-llama/Llama-3.2-1B-Instruct")).toBeNull();
    expect(mergedSizeEstimate(null, "Qwen/Qwen2.5-0.5B-Instruct")).toBeNull();
  });
});
