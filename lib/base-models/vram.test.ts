import { describe, expect, it } from "vitest";
import { recordedModelInfo } from "@/tests/support/hf-hub-server";
import { NF4_BYTES_PER_PARAM, weightMemoryGb } from "./vram";

describe("weightMemoryGb", () => {
  const llama8b = recordedModelInfo("meta-llama/Llama-3.1-8B");

  it("puts an 8B model at about 16 GB in 16 bit", () => {
    expect(llama8b.num_parameters).toBe(8_030_261_248);
    expect(Math.abs(weightMemoryGb(llama8b, "fp16") - 16) / 16).toBeLessThan(0.05);
    expect(llama8b.estimated_vram_fp16_gb).toBeCloseTo(16.06, 2);
  });

  it("puts an 8B model between 4.5 and 6 GB in 4 bit, embeddings kept in 16 bit", () => {
    const nf4 = weightMemoryGb(llama8b, "nf4");
    expect(nf4).toBeGreaterThan(4.5);
    expect(nf4).toBeLessThan(6);
    // Embeddings and lm_head (2 × 128,256 × 4,096) in 16 bit; everything else at 4.127 bits.
    const embeddings = 2 * 128_256 * 4096;
    expect(nf4).toBeCloseTo(((8_030_261_248 - embeddings) * NF4_BYTES_PER_PARAM + embeddings * 2) / 1e9, 6);
    expect(llama8b.estimated_vram_4bit_gb).toBeCloseTo(nf4, 2);
  });

  it("states NF4 with double quantization as 4.127 bits per weight", () => {
    expect(NF4_BYTES_PER_PARAM * 8).toBeCloseTo(4.127, 3);
  });

  it("keeps a tied embedding matrix once", () => {
    const qwen = recordedModelInfo("Qwen/Qwen2.5-0.5B-Instruct");
    expect(qwen.tie_word_embeddings).toBe(true);
    const embeddings = 151_936 * 896;
    expect(weightMemoryGb(qwen, "nf4")).toBeCloseTo(((494_032_768 - embeddings) * NF4_BYTES_PER_PARAM + embeddings * 2) / 1e9, 6);
    expect(weightMemoryGb(qwen, "fp16")).toBeCloseTo(0.988, 3);
  });

  it("quantizes every parameter when the shape is unknown", () => {
    const bare = { num_parameters: 1e9, vocab_size: null, hidden_size: null, tie_word_embeddings: false };
    expect(weightMemoryGb(bare, "nf4")).toBeCloseTo(NF4_BYTES_PER_PARAM, 6);
    expect(weightMemoryGb(bare, "fp16")).toBe(2);
  });
});
