import { describe, expect, it } from "vitest";
import { recordedModelInfo } from "@/tests/support/hf-hub-server";
import { DEFAULT_TOKENS_PER_SECOND_PER_BILLION, estimateTraining, loraParameterCount, type TrainingPlan } from "./preflight";

const llama8b = recordedModelInfo("meta-llama/Llama-3.1-8B");
const mistral7b = recordedModelInfo("mistralai/Mistral-7B-v0.1");
/** A "24 GB" card as nvidia-smi reports it (24 GiB), nothing else running. */
const CARD_24GB_MIB = 24_576;

function plan(overrides: Partial<TrainingPlan> = {}): TrainingPlan {
  return {
    modelInfo: mistral7b,
    method: "qlora",
    lora_r: 16,
    target_modules: "all-linear",
    max_seq_length: 2048,
    per_device_batch_size: 1,
    gradient_accumulation_steps: 8,
    num_epochs: 3,
    max_steps: null,
    packing: false,
    gradient_checkpointing: true,
    numTrainExamples: 1000,
    totalTrainTokens: 400_000,
    runnerFreeVramMb: CARD_24GB_MIB,
    ...overrides,
  };
}

describe("loraParameterCount", () => {
  it("counts r·(in + out) per projection and layer: 41,943,040 for r=16 all-linear on Llama-3.1-8B", () => {
    expect(loraParameterCount(llama8b, 16, "all-linear").params).toBe(41_943_040);
  });

  it("uses the key/value head count for k and v", () => {
    // q: 8·(4096 + 4096), v: 8·(4096 + 8·128), over 32 layers.
    expect(loraParameterCount(llama8b, 8, ["q_proj", "v_proj"]).params).toBe(8 * (8192 + 5120) * 32);
  });

  it("names target modules it does not know instead of counting them", () => {
    const count = loraParameterCount(llama8b, 16, ["q_proj", "c_attn"]);
    expect(count.unknownModules).toEqual(["c_attn"]);
    expect(count.params).toBe(16 * 8192 * 32);
  });
});

describe("estimateTraining memory", () => {
  it("fits a 7B QLoRA run at 2048 tokens, batch 1, with checkpointing on a 24 GB card", () => {
    const estimate = estimateTraining(plan());
    expect(estimate.verdict).toBe("ok");
    expect(estimate.weightsGb).toBeGreaterThan(3.5);
    expect(estimate.weightsGb).toBeLessThan(5);
    expect(estimate.loraParams).toBe(41_943_040);
    expect(estimate.loraGb).toBeCloseTo((41_943_040 * 16) / 1e9, 2);
    expect(estimate.overheadGb).toBe(1);
    expect(estimate.totalGb).toBeCloseTo(estimate.weightsGb + estimate.loraGb + estimate.activationsGb + estimate.overheadGb, 1);
    expect(estimate.totalGb).toBeLessThan(12);
    expect(estimate.reasons[0]).toMatch(/^Needs about \d+(\.\d)? GB of GPU memory; the runner has 25\.8 GB free\.$/);
  });

  it("calls an 8B 16-bit LoRA run with batch 8 at 4096 tokens without checkpointing too big for 24 GB, and says what helps", () => {
    const estimate = estimateTraining(
      plan({ modelInfo: llama8b, method: "lora", per_device_batch_size: 8, max_seq_length: 4096, gradient_checkpointing: false }),
    );
    expect(estimate.verdict).toBe("too_big");
    expect(estimate.weightsGb).toBeCloseTo(16.06, 1);
    expect(estimate.reasons[0]).toMatch(/the runner has only 25\.8 GB free/);
    const advice = estimate.reasons.join("\n");
    expect(advice).toMatch(/With QLoRA \(4-bit base weights\) it would need about/);
    expect(advice).toMatch(/With gradient checkpointing on it would need about/);
    expect(advice).toMatch(/With a per-device batch size of 1 \(gradient accumulation 64 keeps the effective batch\)/);
    expect(advice).toMatch(/With max_seq_length 2048/);
    // No single change is enough here; all of them together are.
    expect(advice).toMatch(/With QLoRA, batch size 1 and gradient checkpointing together it would need about \d+(\.\d)? GB\./);
  });

  it("makes activations much smaller with gradient checkpointing (logits excepted)", () => {
    const on = estimateTraining(plan({ method: "lora" }));
    const off = estimateTraining(plan({ method: "lora", gradient_checkpointing: false }));
    expect(off.activationsGb / on.activationsGb).toBeGreaterThan(5);
    // Llama 3's 128k vocabulary: logits (2048 × 128,256 × 6 bytes ≈ 1.6 GB) stay whatever checkpointing does.
    const llamaOn = estimateTraining(plan({ modelInfo: llama8b, method: "lora" }));
    expect(llamaOn.activationsGb).toBeGreaterThan(1.58);
  });

  it("is tight between 85% and 100% of free memory, and too big above", () => {
    const { totalGb } = estimateTraining(plan());
    const mib = (gb: number) => (gb * 1e9) / 2 ** 20;
    expect(estimateTraining(plan({ runnerFreeVramMb: mib(totalGb / 0.9) })).verdict).toBe("tight");
    expect(estimateTraining(plan({ runnerFreeVramMb: mib(totalGb / 0.8) })).verdict).toBe("ok");
    const tooBig = estimateTraining(plan({ runnerFreeVramMb: mib(totalGb * 0.5) }));
    expect(tooBig.verdict).toBe("too_big");
    expect(tooBig.reasons.join("\n")).toMatch(/choose a smaller base model or a GPU with more memory/);
  });

  it("is unknown without a runner, and without a looked-up model", () => {
    const noRunner = estimateTraining(plan({ runnerFreeVramMb: undefined }));
    expect(noRunner.verdict).toBe("unknown");
    expect(noRunner.reasons[0]).toMatch(/reported no GPU/);
    const noModel = estimateTraining(plan({ modelInfo: null }));
    expect(noModel.verdict).toBe("unknown");
    expect(noModel.reasons.join("\n")).toMatch(/not been looked up/);
  });
});

describe("estimateTraining steps and duration", () => {
  it("takes ceil(examples / (batch × accumulation)) steps per epoch", () => {
    const estimate = estimateTraining(plan({ numTrainExamples: 1000, per_device_batch_size: 4, gradient_accumulation_steps: 4, num_epochs: 3 }));
    expect(estimate.steps).toBe(Math.ceil(1000 / 16) * 3);
    expect(estimate.tokensPerEpoch).toBe(400_000);
    expect(estimate.totalTokens).toBe(1_200_000);
  });

  it("counts packed sequences of max_seq_length when packing", () => {
    const estimate = estimateTraining(
      plan({ packing: true, totalTrainTokens: 1_000_000, max_seq_length: 2048, per_device_batch_size: 2, gradient_accumulation_steps: 8, num_epochs: 2 }),
    );
    expect(estimate.steps).toBe(Math.ceil(Math.ceil(1_000_000 / 2048) / 16) * 2);
  });

  it("counts at most max_seq_length tokens per example without packing", () => {
    expect(estimateTraining(plan({ numTrainExamples: 100, totalTrainTokens: 1_000_000, max_seq_length: 512 })).tokensPerEpoch).toBe(51_200);
  });

  it("lets max_steps override the epochs", () => {
    const estimate = estimateTraining(plan({ max_steps: 50, numTrainExamples: 800, gradient_accumulation_steps: 8, num_epochs: 3 }));
    expect(estimate.steps).toBe(50);
    expect(estimate.totalTokens).toBe(Math.round((400_000 * 50) / 100));
  });

  it("uses the measured speed when there is one", () => {
    const estimate = estimateTraining(plan({ measuredTokensPerSecond: 2000 }));
    expect(estimate.durationSource).toBe("measured");
    expect(estimate.durationSeconds).toBe(Math.ceil(1_200_000 / 2000));
    expect(estimate.reasons.at(-1)).toMatch(/measured on this runner/);
  });

  it("defaults to k / billions of parameters, slower for QLoRA and checkpointing", () => {
    const lora = estimateTraining(plan({ method: "lora", gradient_checkpointing: false }));
    expect(lora.durationSource).toBe("default");
    expect(lora.tokensPerSecond).toBe(Math.round(DEFAULT_TOKENS_PER_SECOND_PER_BILLION / (mistral7b.num_parameters / 1e9)));
    const qlora = estimateTraining(plan());
    expect(qlora.tokensPerSecond).toBeLessThan(lora.tokensPerSecond * 0.5);
    expect(qlora.durationSeconds).toBeGreaterThan(lora.durationSeconds);
  });
});

describe("estimateTraining chooses gradient checkpointing under auto", () => {
  it("turns it off when the run fits without it, and says so", () => {
    const estimate = estimateTraining(plan({ gradient_checkpointing: "auto" }));
    expect(estimate).toMatchObject({ gradientCheckpointing: false, gradientCheckpointingAuto: true, verdict: "ok" });
    expect(estimate.activationsGb).toBeCloseTo(estimateTraining(plan({ gradient_checkpointing: false })).activationsGb, 5);
    expect(estimate.reasons.join("\n")).toMatch(/Gradient checkpointing off \(chosen by the preflight\): the run fits without it/);
  });

  it("turns it on when the run would be tight or too big without it, or when memory is unknown", () => {
    // 8B LoRA, batch 4 at 2048 tokens on 41.9 GB free: more than 85% of it without checkpointing.
    const big = plan({ modelInfo: llama8b, method: "lora", per_device_batch_size: 4, gradient_checkpointing: "auto", runnerFreeVramMb: 40_000 });
    const without = estimateTraining({ ...big, gradient_checkpointing: false });
    expect(without.verdict).not.toBe("ok");
    const estimate = estimateTraining(big);
    expect(estimate).toMatchObject({ gradientCheckpointing: true, gradientCheckpointingAuto: true });
    expect(estimate.reasons.join("\n")).toContain(
      `Gradient checkpointing on (chosen by the preflight): without it the run would need about ${Math.round(without.totalGb * 10) / 10} GB of the 41.9 GB free.`,
    );
    expect(estimateTraining(plan({ gradient_checkpointing: "auto", runnerFreeVramMb: null }))).toMatchObject({ gradientCheckpointing: true });
    expect(estimateTraining(plan({ gradient_checkpointing: "auto", modelInfo: null }))).toMatchObject({ gradientCheckpointing: true });
  });

  it("keeps the user's explicit choice", () => {
    expect(estimateTraining(plan({ gradient_checkpointing: true }))).toMatchObject({ gradientCheckpointing: true, gradientCheckpointingAuto: false });
    const forcedOff = estimateTraining(
      plan({ modelInfo: llama8b, method: "lora", per_device_batch_size: 8, max_seq_length: 4096, gradient_checkpointing: false }),
    );
    expect(forcedOff).toMatchObject({ gradientCheckpointing: false, gradientCheckpointingAuto: false, verdict: "too_big" });
    expect(forcedOff.reasons.join("\n")).not.toMatch(/chosen by the preflight/);
  });
});

describe("estimateTraining with exact token counts and without a GPU", () => {
  it("uses the runner's packed sequence count and says when counts are estimates", () => {
    const exact = estimateTraining(
      plan({
        packing: true,
        totalTrainTokens: 1_000_000,
        trainSequences: 600,
        tokenSource: "exact",
        per_device_batch_size: 2,
        gradient_accumulation_steps: 8,
        num_epochs: 1,
      }),
    );
    expect(exact.steps).toBe(Math.ceil(600 / 16));
    expect(exact.tokenSource).toBe("exact");
    expect(exact.reasons.join("\n")).not.toMatch(/estimates \(cl100k/);
    const estimated = estimateTraining(plan());
    expect(estimated.tokenSource).toBe("estimate");
    expect(estimated.reasons.join("\n")).toMatch(/Token counts are estimates \(cl100k tokenizer\)/);
  });

  it("says the runner has no GPU when its last check found none", () => {
    const estimate = estimateTraining(plan({ runnerFreeVramMb: null, runnerHasGpu: false }));
    expect(estimate.verdict).toBe("unknown");
    expect(estimate.reasons[0]).toMatch(/the runner's last check found no NVIDIA GPU\.$/);
  });
});
