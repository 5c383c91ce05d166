// GPU memory the base model's weights take, in GB of 10^9 bytes (the unit model sizes are quoted
// in: 8B parameters × 2 bytes = 16 GB).

export const BYTES_PER_GB = 1e9;

/** bf16/fp16: 2 bytes per parameter. */
export const FP16_BYTES_PER_PARAM = 2;

/**
 * bitsandbytes NF4 with double quantization, as QLoRA loads a model: 4 bits per weight, plus the
 * quantization constants — one 8-bit absmax per block of 64 weights (8/64 = 0.125 bits) and one
 * fp32 constant per 256 of those blocks (32/(64·256) ≈ 0.002 bits) — 4.127 bits ≈ 0.516 bytes
 * per parameter, 3.2% over a bare 0.5 (QLoRA paper, section 3).
 */
export const NF4_BYTES_PER_PARAM = (4 + 8 / 64 + 32 / (64 * 256)) / 8;

export type WeightPrecision = "fp16" | "nf4";

/** The parts of a model's info (./info) the weight size needs. */
export type WeightModel = { num_parameters: number; vocab_size: number | null; hidden_size: number | null; tie_word_embeddings: boolean };

/**
 * fp16: params × 2 bytes.
 * nf4: only the linear layers are quantized; the input embeddings and the output layer
 * (vocab × hidden each; one matrix when tied) stay in 16 bit:
 *   (params − embedding params) × 0.516 + embedding params × 2 bytes.
 * Norm weights (well under 0.1% of a model) are counted as quantized.
 */
export function weightMemoryGb(model: WeightModel, precision: WeightPrecision): number {
  const params = model.num_parameters;
  if (precision === "fp16") return (params * FP16_BYTES_PER_PARAM) / BYTES_PER_GB;
  const embedding = model.vocab_size && model.hidden_size ? model.vocab_size * model.hidden_size : 0;
  const unquantized = Math.min(params, embedding * (model.tie_word_embeddings ? 1 : 2));
  return ((params - unquantized) * NF4_BYTES_PER_PARAM + unquantized * FP16_BYTES_PER_PARAM) / BYTES_PER_GB;
}
