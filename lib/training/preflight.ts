// Before a run starts: how much GPU memory it needs and whether the runner has it, how many
// optimizer steps it takes and roughly how long. Every figure is an estimate; the formula and
// constants behind it are stated next to it. Memory is in GB of 10^9 bytes.
import { LINEAR_MODULES, type LinearModule, LLAMA_LIKE, layerLinearShapes, type ModelInfo } from "@/lib/base-models/info";
import { BYTES_PER_GB, weightMemoryGb } from "@/lib/base-models/vram";

export type TrainingModel = Pick<
  ModelInfo,
  | "model_type"
  | "num_parameters"
  | "vocab_size"
  | "hidden_size"
  | "num_layers"
  | "num_attention_heads"
  | "num_key_value_heads"
  | "head_dim"
  | "intermediate_size"
  | "tie_word_embeddings"
>;

export type TrainingMethod = "lora" | "qlora";

export type TrainingPlan = {
  /** Null while the base model has not been looked up: the memory verdict is then "unknown". */
  modelInfo: TrainingModel | null;
  method: TrainingMethod;
  lora_r: number;
  /** Projection names (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj) or all seven. */
  target_modules: string[] | "all-linear";
  max_seq_length: number;
  per_device_batch_size: number;
  gradient_accumulation_steps: number;
  num_epochs: number;
  /** When positive, the run stops after this many optimizer steps whatever num_epochs says (as in transformers). */
  max_steps?: number | null;
  packing: boolean;
  /** "auto": off when the run fits the runner's free memory without it, on otherwise. */
  gradient_checkpointing: boolean | "auto";
  numTrainExamples: number;
  /** Tokens in the training split, prompts and answers together. */
  totalTrainTokens: number;
  /** "exact": counted by the runner with the base model's tokenizer; "estimate": cl100k. */
  tokenSource?: "exact" | "estimate";
  /** Training sequences per epoch as the runner built them, when it did so with these settings. */
  trainSequences?: number | null;
  /** Free memory of the runner's GPU in MiB, as nvidia-smi reports it. */
  runnerFreeVramMb?: number | null;
  /** From the runner's last check: false when it found no NVIDIA GPU, null before any check. */
  runnerHasGpu?: boolean | null;
  /** Training tokens per second measured on this runner for this model and method. */
  measuredTokensPerSecond?: number | null;
};

export type TrainingVerdict = "ok" | "tight" | "too_big" | "unknown";

export type TrainingEstimate = {
  weightsGb: number;
  loraParams: number;
  loraGb: number;
  activationsGb: number;
  overheadGb: number;
  totalGb: number;
  totalTokens: number;
  tokensPerEpoch: number;
  steps: number;
  tokensPerSecond: number;
  durationSeconds: number;
  durationSource: "measured" | "default";
  tokenSource: "exact" | "estimate";
  /** What the run will use: the user's choice, or the preflight's under "auto". */
  gradientCheckpointing: boolean;
  gradientCheckpointingAuto: boolean;
  verdict: TrainingVerdict;
  reasons: string[];
};

/** Trainable LoRA parameters: fp32 weight (4) + fp32 gradient (4) + Adam's two fp32 moments (8) bytes. */
export const LORA_BYTES_PER_PARAM = 4 + 4 + 8;

/** Activations are kept in bf16. */
const ACTIVATION_BYTES = 2;
/**
 * Values kept per hidden element, per layer, for the backward pass. Without checkpointing:
 * 34·s·b·h bytes per layer (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
 * Transformer Models", with FlashAttention/SDPA removing their 5·a·s²·b attention-score term),
 * i.e. 17 bf16 values per element. With checkpointing only each layer's input is kept (1 value),
 * and one layer at a time is recomputed in full during the backward pass.
 */
export const ACTIVATION_FACTOR = 17;
export const CHECKPOINTED_ACTIVATION_FACTOR = 1;
/** Logits: a bf16 copy kept for the backward pass (2 bytes) and the fp32 upcast the loss computes on (4). */
export const LOGIT_BYTES = 2 + 4;
/** The CUDA context, cuBLAS workspaces and kernels PyTorch loads: about 1 GB on any recent GPU. */
export const CUDA_CONTEXT_GB = 1;

/** Share of free memory up to which a run is "ok"; up to 100% it is "tight". */
export const OK_SHARE = 0.85;

/**
 * Default throughput, before a run on the runner has measured one: tokens/s ≈ k / (parameters in
 * billions). A LoRA step costs about 4 FLOPs per parameter per token (forward 2, backward 2 for the
 * input gradients; the frozen base needs no weight gradients). A 24 GB-class GPU (L4, A10G,
 * RTX 4090: ~120 dense bf16 TFLOPS) at ~40% utilisation does ~48 TFLOPS, so
 * k = 48e12 / (4 × 1e9) = 12,000: 1.1B → ~11,000 tokens/s, 8B → ~1,500 tokens/s.
 */
export const DEFAULT_TOKENS_PER_SECOND_PER_BILLION = 12_000;
/** QLoRA dequantizes every 4-bit weight on each use: 25–40% slower than LoRA in published runs. */
export const QLORA_SPEED_FACTOR = 0.7;
/** Checkpointing runs each layer's forward twice: 6 FLOPs per parameter per token instead of 4. */
export const CHECKPOINTING_SPEED_FACTOR = 4 / 6;
/** Stands in for the parameter count of a model not looked up yet, in the default throughput. */
const FALLBACK_PARAMETERS = 7e9;

/** A plan with gradient checkpointing decided. */
type ResolvedPlan = Omit<TrainingPlan, "gradient_checkpointing"> & { gradient_checkpointing: boolean };

type MemorySettings = Pick<ResolvedPlan, "method" | "lora_r" | "target_modules" | "max_seq_length" | "per_device_batch_size" | "gradient_checkpointing">;

type Memory = {
  weightsGb: number;
  loraParams: number;
  loraGb: number;
  activationsGb: number;
  overheadGb: number;
  totalGb: number;
  /** False when the model's info lacks what a part needs; that part then counts as 0. */
  complete: boolean;
  unknownModules: string[];
};

/** LoRA adds A (r × in) and B (out × r) to each targeted projection of every layer: r·(in + out). */
export function loraParameterCount(
  model: TrainingModel,
  r: number,
  targetModules: string[] | "all-linear",
): { params: number; complete: boolean; unknownModules: string[] } {
  const shapes = layerLinearShapes(model);
  const names = targetModules === "all-linear" ? [...LINEAR_MODULES] : targetModules;
  const unknownModules = names.filter((name) => !(LINEAR_MODULES as readonly string[]).includes(name));
  if (!shapes || !model.num_layers) return { params: 0, complete: false, unknownModules };
  const perLayer = names
    .filter((name): name is LinearModule => !unknownModules.includes(name))
    .reduce((sum, name) => sum + r * (shapes[name].in + shapes[name].out), 0);
  return { params: perLayer * model.num_layers, complete: true, unknownModules };
}

/**
 * activations = layers × hidden × seq × batch × 2 bytes × factor (17 without checkpointing;
 * with it 1 per layer plus 17 for the one layer being recomputed) + logits (seq × batch × vocab × 6 bytes).
 */
function activationGb(model: TrainingModel, settings: MemorySettings): number | null {
  const { num_layers: layers, hidden_size: hidden, vocab_size: vocab } = model;
  if (!layers || !hidden || !vocab) return null;
  const tokens = settings.max_seq_length * settings.per_device_batch_size;
  const perLayerValue = hidden * tokens * ACTIVATION_BYTES;
  const layersBytes = settings.gradient_checkpointing
    ? layers * perLayerValue * CHECKPOINTED_ACTIVATION_FACTOR + perLayerValue * ACTIVATION_FACTOR
    : layers * perLayerValue * ACTIVATION_FACTOR;
  return (layersBytes + tokens * vocab * LOGIT_BYTES) / BYTES_PER_GB;
}

const NO_LORA = { params: 0, complete: false, unknownModules: [] };

function memoryFor(model: TrainingModel | null, settings: MemorySettings): Memory {
  const weights = model && weightMemoryGb(model, settings.method === "qlora" ? "nf4" : "fp16");
  const lora = model ? loraParameterCount(model, settings.lora_r, settings.target_modules) : NO_LORA;
  const activations = model && activationGb(model, settings);
  const loraGb = (lora.params * LORA_BYTES_PER_PARAM) / BYTES_PER_GB;
  const parts = { weightsGb: weights ?? 0, loraGb, activationsGb: activations ?? 0, overheadGb: CUDA_CONTEXT_GB };
  return {
    ...parts,
    loraParams: lora.params,
    totalGb: parts.weightsGb + parts.loraGb + parts.activationsGb + parts.overheadGb,
    complete: weights !== null && activations !== null && lora.complete,
    unknownModules: lora.unknownModules,
  };
}

const MIB = 2 ** 20;

function formatGb(gb: number): string {
  const rounded = gb >= 100 ? Math.round(gb) : Math.round(gb * 10) / 10;
  return `${rounded} GB`;
}

const formatCount = (n: number) => Math.round(n).toLocaleString("en-US");

function formatDuration(seconds: number): string {
  if (seconds < 60) return "under a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

function verdictFor(totalGb: number, freeGb: number | null, complete: boolean): TrainingVerdict {
  if (freeGb === null || !complete) return "unknown";
  const share = totalGb / freeGb;
  return share < OK_SHARE ? "ok" : share < 1 ? "tight" : "too_big";
}

/** What would bring the memory down, each with its own estimate, most effective first. */
function memorySuggestions(plan: ResolvedPlan, current: Memory, freeGb: number): string[] {
  const model = plan.modelInfo;
  const options: Array<{ text: string; settings: MemorySettings }> = [];
  if (plan.method === "lora") options.push({ text: "QLoRA (4-bit base weights)", settings: { ...plan, method: "qlora" } });
  if (!plan.gradient_checkpointing) options.push({ text: "gradient checkpointing on", settings: { ...plan, gradient_checkpointing: true } });
  if (plan.per_device_batch_size > 1) {
    const accumulation = plan.gradient_accumulation_steps * plan.per_device_batch_size;
    options.push({
      text: `a per-device batch size of 1 (gradient accumulation ${accumulation} keeps the effective batch)`,
      settings: { ...plan, per_device_batch_size: 1 },
    });
  }
  if (plan.max_seq_length > 512) {
    const shorter = Math.max(512, Math.floor(plan.max_seq_length / 2));
    options.push({ text: `max_seq_length ${shorter} (longer examples are cut)`, settings: { ...plan, max_seq_length: shorter } });
  }
  const helping = options
    .map((option) => ({ ...option, totalGb: memoryFor(model, option.settings).totalGb }))
    .filter((option) => option.totalGb < current.totalGb * 0.98)
    .sort((a, b) => a.totalGb - b.totalGb);
  const sentences = helping.map((option) => `With ${option.text} it would need about ${formatGb(option.totalGb)}.`);
  const smallest = memoryFor(model, { ...plan, method: "qlora", gradient_checkpointing: true, per_device_batch_size: 1 }).totalGb;
  if (smallest >= freeGb) {
    sentences.push(
      `Even QLoRA with batch size 1 and gradient checkpointing needs about ${formatGb(smallest)}: choose a smaller base model or a GPU with more memory.`,
    );
  } else if (!helping.some((option) => option.totalGb < freeGb)) {
    sentences.push(`With QLoRA, batch size 1 and gradient checkpointing together it would need about ${formatGb(smallest)}.`);
  }
  return sentences;
}

/**
 * Tokens per epoch: with packing, every training token (sequences are filled to max_seq_length);
 * without, at most max_seq_length per example (longer ones are truncated).
 * Steps per epoch: ceil(examples / (batch × accumulation)), or with packing
 * ceil(ceil(tokens / max_seq_length) / (batch × accumulation)); × epochs, unless max_steps is set.
 */
function schedule(plan: TrainingPlan): { tokensPerEpoch: number; steps: number; totalTokens: number } {
  const perStep = plan.per_device_batch_size * plan.gradient_accumulation_steps;
  const tokensPerEpoch = plan.packing ? plan.totalTrainTokens : Math.min(plan.totalTrainTokens, plan.numTrainExamples * plan.max_seq_length);
  const sequences = plan.trainSequences ?? (plan.packing ? Math.ceil(tokensPerEpoch / plan.max_seq_length) : plan.numTrainExamples);
  const stepsPerEpoch = Math.ceil(sequences / perStep);
  if (plan.max_steps && plan.max_steps > 0) {
    const totalTokens = stepsPerEpoch > 0 ? Math.round((tokensPerEpoch * plan.max_steps) / stepsPerEpoch) : 0;
    return { tokensPerEpoch, steps: plan.max_steps, totalTokens };
  }
  return { tokensPerEpoch, steps: stepsPerEpoch * plan.num_epochs, totalTokens: tokensPerEpoch * plan.num_epochs };
}

/** The measured speed when there is one; otherwise k / billions of parameters, slowed for QLoRA and checkpointing. */
function throughput(plan: ResolvedPlan): { tokensPerSecond: number; source: "measured" | "default" } {
  if (plan.measuredTokensPerSecond && plan.measuredTokensPerSecond > 0) return { tokensPerSecond: plan.measuredTokensPerSecond, source: "measured" };
  const billions = Math.max(0.05, (plan.modelInfo?.num_parameters ?? FALLBACK_PARAMETERS) / 1e9);
  const method = plan.method === "qlora" ? QLORA_SPEED_FACTOR : 1;
  const checkpointing = plan.gradient_checkpointing ? CHECKPOINTING_SPEED_FACTOR : 1;
  return { tokensPerSecond: (DEFAULT_TOKENS_PER_SECOND_PER_BILLION / billions) * method * checkpointing, source: "default" };
}

/**
 * Gradient checkpointing under "auto": off when the run fits (verdict "ok") without it, since
 * recomputing every layer's forward costs about a third of the step time; on when it would be
 * tight or too big, or when the runner's free memory or the model's size is unknown.
 */
function chooseCheckpointing(plan: TrainingPlan, freeGb: number | null): { enabled: boolean; auto: boolean; reason: string | null } {
  if (plan.gradient_checkpointing !== "auto") return { enabled: plan.gradient_checkpointing, auto: false, reason: null };
  const without = memoryFor(plan.modelInfo, { ...plan, gradient_checkpointing: false });
  const verdict = verdictFor(without.totalGb, freeGb, without.complete);
  if (verdict === "ok") {
    return {
      enabled: false,
      auto: true,
      reason: `Gradient checkpointing off (chosen by the preflight): the run fits without it, and it would slow each step by about a third.`,
    };
  }
  const why =
    verdict === "unknown"
      ? "the free GPU memory or the model's size is not known, so memory comes first"
      : `without it the run would need about ${formatGb(without.totalGb)} of the ${formatGb(freeGb!)} free`;
  return { enabled: true, auto: true, reason: `Gradient checkpointing on (chosen by the preflight): ${why}.` };
}

export function estimateTraining(input: TrainingPlan): TrainingEstimate {
  const freeGb = input.runnerFreeVramMb && input.runnerFreeVramMb > 0 ? (input.runnerFreeVramMb * MIB) / BYTES_PER_GB : null;
  const checkpointing = chooseCheckpointing(input, freeGb);
  const plan: ResolvedPlan = { ...input, gradient_checkpointing: checkpointing.enabled };
  const model = plan.modelInfo;
  const memory = memoryFor(model, plan);
  const verdict = verdictFor(memory.totalGb, freeGb, memory.complete);
  const { tokensPerEpoch, steps, totalTokens } = schedule(plan);
  const speed = throughput(plan);
  const durationSeconds = Math.ceil(totalTokens / speed.tokensPerSecond);

  const reasons: string[] = [];
  const needs = `Needs about ${formatGb(memory.totalGb)} of GPU memory`;
  if (plan.runnerHasGpu === false) reasons.push(`${needs}; the runner's last check found no NVIDIA GPU.`);
  else if (freeGb === null)
    reasons.push(`${needs}; the runner has reported no GPU yet (run "Check" on it in workspace settings) to compare it with its free memory.`);
  else if (verdict === "tight")
    reasons.push(`${needs}; the runner has ${formatGb(freeGb)} free, which leaves little room: long batches may run out of memory.`);
  else if (verdict === "too_big") reasons.push(`${needs}; the runner has only ${formatGb(freeGb)} free.`);
  else reasons.push(`${needs}; the runner has ${formatGb(freeGb)} free.`);
  reasons.push(
    `Base weights ${formatGb(memory.weightsGb)} (${plan.method === "qlora" ? "4-bit" : "16-bit"}), LoRA adapters with optimizer state ${formatGb(memory.loraGb)} (${formatCount(memory.loraParams)} trainable parameters), activations ${formatGb(memory.activationsGb)}${plan.gradient_checkpointing ? " with gradient checkpointing" : ""}, CUDA context ${formatGb(memory.overheadGb)}.`,
  );
  if (!model) reasons.push("The base model has not been looked up on the Hub yet, so its memory is not counted; look it up for a real estimate.");
  else if (!memory.complete) reasons.push("The model's config lacks its layer sizes, so activation and LoRA memory are not counted and the figure is too low.");
  if (memory.unknownModules.length > 0) {
    reasons.push(`Unknown target modules ${memory.unknownModules.join(", ")} are not counted; the known ones are ${LINEAR_MODULES.join(", ")}.`);
  }
  if (model?.model_type && !LLAMA_LIKE.test(model.model_type)) {
    reasons.push(`The LoRA and activation figures assume a Llama-style layer; "${model.model_type}" may differ.`);
  }
  if (checkpointing.reason) reasons.push(checkpointing.reason);
  if (freeGb !== null && (verdict === "too_big" || verdict === "tight")) reasons.push(...memorySuggestions(plan, memory, freeGb));
  const tokenSource = plan.tokenSource ?? "estimate";
  if (tokenSource === "estimate") reasons.push("Token counts are estimates (cl100k tokenizer); the first run counts them with the base model's own tokenizer.");

  const speedSource =
    speed.source === "measured"
      ? "the speed measured on this runner"
      : `a default for ${model ? "a model of this size" : "a 7B model"} on a 24 GB-class GPU, replaced by the measured speed after a run`;
  reasons.push(
    `${formatCount(steps)} optimizer steps over ${formatCount(totalTokens)} tokens: roughly ${formatDuration(durationSeconds)} at ${formatCount(speed.tokensPerSecond)} tokens/s (${speedSource}).`,
  );
  if (plan.max_steps && plan.max_steps > 0) reasons.push(`max_steps ${plan.max_steps} sets the length of the run; num_epochs is ignored.`);

  const round2 = (n: number) => Math.round(n * 100) / 100;
  return {
    weightsGb: round2(memory.weightsGb),
    loraParams: memory.loraParams,
    loraGb: round2(memory.loraGb),
    activationsGb: round2(memory.activationsGb),
    overheadGb: round2(memory.overheadGb),
    totalGb: round2(memory.totalGb),
    totalTokens,
    tokensPerEpoch,
    steps,
    tokensPerSecond: Math.round(speed.tokensPerSecond),
    durationSeconds,
    durationSource: speed.source,
    tokenSource,
    gradientCheckpointing: checkpointing.enabled,
    gradientCheckpointingAuto: checkpointing.auto,
    verdict,
    reasons,
  };
}
