// A project's base model as FineTuneFlow sees it (`Project.modelInfo`): what the Hub says
// about it, the shape its config.json describes, and how much memory its weights take.
import { z } from "zod";
import { countSafetensorsParameters, hubClient, isWellFormedToken, ModelInfoError, type ParameterCount, readModelApi, readModelConfig } from "@/lib/hub/models";
import { weightMemoryGb } from "./vram";

export { ModelInfoError } from "@/lib/hub/models";

const dimension = z.number().int().positive().nullable();

export const modelInfoSchema = z.object({
  model_id: z.string(),
  /** The commit sha the id resolved to when the info was fetched. */
  revision: z.string(),
  model_type: z.string().nullable(),
  architecture: z.string().nullable(),
  num_parameters: z.number().int().positive(),
  /** Where `num_parameters` comes from: the Hub's count, our own read of the safetensors headers, or config.json arithmetic. */
  num_parameters_source: z.enum(["safetensors_api", "safetensors_header", "config_estimate"]),
  parameters_by_dtype: z.record(z.string(), z.number()).nullable(),
  torch_dtype: z.string().nullable(),
  vocab_size: dimension,
  max_position_embeddings: dimension,
  hidden_size: dimension,
  num_layers: dimension,
  num_attention_heads: dimension,
  num_key_value_heads: dimension,
  head_dim: dimension,
  intermediate_size: dimension,
  tie_word_embeddings: z.boolean(),
  license: z.string().nullable(),
  gated: z.union([z.literal(false), z.enum(["auto", "manual"])]),
  /** Memory of the weights alone (./vram). */
  estimated_vram_fp16_gb: z.number(),
  estimated_vram_4bit_gb: z.number(),
  fetched_at: z.string(),
});

export type ModelInfo = z.infer<typeof modelInfoSchema>;

const optionalCount = z.number().int().positive().optional().catch(undefined);
const optionalText = z.string().optional().catch(undefined);
const optionalFlag = z.boolean().optional().catch(undefined);

/** The config.json keys we read, under the names the common architectures use for them. */
const configFields = z.object({
  model_type: optionalText,
  architectures: z.array(z.string()).optional().catch(undefined),
  torch_dtype: optionalText,
  dtype: optionalText,
  vocab_size: optionalCount,
  hidden_size: optionalCount,
  n_embd: optionalCount,
  d_model: optionalCount,
  num_hidden_layers: optionalCount,
  n_layer: optionalCount,
  num_layers: optionalCount,
  num_attention_heads: optionalCount,
  n_head: optionalCount,
  num_key_value_heads: optionalCount,
  head_dim: optionalCount,
  intermediate_size: optionalCount,
  n_inner: optionalCount,
  ffn_dim: optionalCount,
  max_position_embeddings: optionalCount,
  n_positions: optionalCount,
  max_seq_len: optionalCount,
  seq_length: optionalCount,
  tie_word_embeddings: optionalFlag,
  attention_bias: optionalFlag,
});

/** Architectures whose config class ties the output layer to the embeddings unless told otherwise. */
const TIED_BY_DEFAULT = /^(gemma\d*(_text)?|gpt2)$/;
/** Qwen2 always has q/k/v biases, without an `attention_bias` key saying so. */
const QKV_BIAS_BY_DEFAULT = /^qwen2(_moe)?$/;

export type ModelShape = Pick<
  ModelInfo,
  | "model_type"
  | "architecture"
  | "torch_dtype"
  | "vocab_size"
  | "max_position_embeddings"
  | "hidden_size"
  | "num_layers"
  | "num_attention_heads"
  | "num_key_value_heads"
  | "head_dim"
  | "intermediate_size"
  | "tie_word_embeddings"
> & { qkv_bias: boolean };

/** What config.json says about the model's shape; multimodal configs keep the text model in `text_config`. */
export function readModelShape(config: Record<string, unknown>): ModelShape {
  const top = configFields.parse(config);
  const text = config.text_config && typeof config.text_config === "object" ? configFields.parse(config.text_config) : configFields.parse({});
  const pick = <K extends keyof typeof top>(...keys: K[]) => {
    for (const key of keys) {
      const value = top[key] ?? text[key];
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const modelType = top.model_type ?? text.model_type ?? null;
  const hidden = pick("hidden_size", "n_embd", "d_model") ?? null;
  const heads = pick("num_attention_heads", "n_head") ?? null;
  return {
    model_type: modelType,
    architecture: top.architectures?.[0] ?? text.architectures?.[0] ?? null,
    torch_dtype: pick("torch_dtype", "dtype") ?? null,
    vocab_size: pick("vocab_size") ?? null,
    max_position_embeddings: pick("max_position_embeddings", "n_positions", "max_seq_len", "seq_length") ?? null,
    hidden_size: hidden,
    num_layers: pick("num_hidden_layers", "n_layer", "num_layers") ?? null,
    num_attention_heads: heads,
    num_key_value_heads: pick("num_key_value_heads") ?? heads,
    head_dim: pick("head_dim") ?? (hidden && heads ? Math.floor(hidden / heads) : null),
    intermediate_size: pick("intermediate_size", "n_inner", "ffn_dim") ?? (hidden ? 4 * hidden : null),
    tie_word_embeddings: pick("tie_word_embeddings") ?? TIED_BY_DEFAULT.test(modelType ?? ""),
    qkv_bias: pick("attention_bias") ?? QKV_BIAS_BY_DEFAULT.test(modelType ?? ""),
  };
}

export const LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;
export type LinearModule = (typeof LINEAR_MODULES)[number];

/** Model types whose decoder layers have exactly the seven Llama projections below. */
export const LLAMA_LIKE = /^(llama|mistral|qwen2|qwen3|gemma\d*(_text)?|granite|olmo2?|smollm3|cohere)$/;

type LayerDims = Pick<ModelInfo, "hidden_size" | "num_attention_heads" | "num_key_value_heads" | "head_dim" | "intermediate_size">;

/**
 * In/out features of each linear projection of one Llama-style decoder layer. Grouped-query
 * attention gives k and v `num_key_value_heads * head_dim` outputs; the MLP is gated (SwiGLU).
 */
export function layerLinearShapes(dims: LayerDims): Record<LinearModule, { in: number; out: number }> | null {
  const { hidden_size: h, num_attention_heads: heads, num_key_value_heads: kvHeads, head_dim: headDim, intermediate_size: ffn } = dims;
  if (!h || !heads || !kvHeads || !headDim || !ffn) return null;
  const q = heads * headDim;
  const kv = kvHeads * headDim;
  return {
    q_proj: { in: h, out: q },
    k_proj: { in: h, out: kv },
    v_proj: { in: h, out: kv },
    o_proj: { in: q, out: h },
    gate_proj: { in: h, out: ffn },
    up_proj: { in: h, out: ffn },
    down_proj: { in: ffn, out: h },
  };
}

/**
 * Parameters of a Llama-style decoder from its config: embeddings (vocab × hidden), per layer the
 * seven projections (+ q/k/v biases where the architecture has them) and two RMSNorm weights,
 * the final norm, and the output layer unless it is tied to the embeddings. Exact for Llama,
 * Mistral and Qwen2; an approximation for other layouts.
 */
export function estimateParametersFromConfig(shape: ModelShape): number | null {
  const linear = layerLinearShapes(shape);
  const { vocab_size: vocab, hidden_size: hidden, num_layers: layers } = shape;
  if (!linear || !vocab || !hidden || !layers) return null;
  const weights = Object.values(linear).reduce((sum, m) => sum + m.in * m.out, 0);
  const biases = shape.qkv_bias ? linear.q_proj.out + linear.k_proj.out + linear.v_proj.out : 0;
  const perLayer = weights + biases + 2 * hidden;
  const embeddings = vocab * hidden;
  return embeddings + layers * perLayer + hidden + (shape.tie_word_embeddings ? 0 : embeddings);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

type CountedParameters = ParameterCount & { source: "safetensors_api" | "safetensors_header" };

/** Hub metadata + config.json (+ a counted parameter total) → model_info. Throws when the size cannot be known. */
export function buildModelInfo(input: {
  modelId: string;
  revision: string;
  gated: ModelInfo["gated"];
  license: string | null;
  config: Record<string, unknown>;
  counted: CountedParameters | null;
  fetchedAt?: Date;
}): ModelInfo {
  const modelShape = readModelShape(input.config);
  // The bias flag only matters to the estimate; model_info keeps the rest of the shape.
  const { qkv_bias: _qkvBias, ...shape } = modelShape;
  const estimate = input.counted ? null : estimateParametersFromConfig(modelShape);
  const numParameters = input.counted?.total ?? estimate;
  if (!numParameters) {
    throw new ModelInfoError(
      "unsupported",
      `The size of model "${input.modelId}" cannot be determined: it has no safetensors weights and its config.json lacks the vocabulary, hidden and layer sizes.`,
    );
  }
  const weights = {
    num_parameters: numParameters,
    vocab_size: shape.vocab_size,
    hidden_size: shape.hidden_size,
    tie_word_embeddings: shape.tie_word_embeddings,
  };
  return {
    model_id: input.modelId,
    revision: input.revision,
    ...shape,
    num_parameters: numParameters,
    num_parameters_source: input.counted?.source ?? "config_estimate",
    parameters_by_dtype: input.counted?.byDtype ?? null,
    license: input.license,
    gated: input.gated,
    estimated_vram_fp16_gb: round2(weightMemoryGb(weights, "fp16")),
    estimated_vram_4bit_gb: round2(weightMemoryGb(weights, "nf4")),
    fetched_at: (input.fetchedAt ?? new Date()).toISOString(),
  };
}

/** Hub ids: "name" or "owner/name", letters, digits, '-', '_', '.', at most 96 characters each. */
const MODEL_ID = /^(?:[\w.-]{1,96}\/)?[\w.-]{1,96}$/;

export type ResolveModelInfoOptions = { token?: string; endpoint?: string; revision?: string; signal?: AbortSignal; timeoutMs?: number };

/**
 * Looks a model up on the Hub: the API for the commit, gating, license and (usually) the
 * parameter count; config.json for the shape; the safetensors headers when the API has no count;
 * config arithmetic when there are no safetensors at all. Throws ModelInfoError.
 */
export async function resolveModelInfo(modelId: string, options: ResolveModelInfoOptions = {}): Promise<ModelInfo> {
  const id = modelId.trim();
  if (!MODEL_ID.test(id) || /--|\.\./.test(id)) {
    throw new ModelInfoError("invalid_id", `"${id}" is not a Hugging Face model id; use the form owner/name, e.g. "meta-llama/Llama-3.1-8B".`);
  }
  const client = hubClient(options);
  if (client.accessToken && !isWellFormedToken(client.accessToken)) {
    throw new ModelInfoError(
      "token_refused",
      `The Hugging Face token in workspace settings is not valid (tokens start with "hf_"); create one at ${client.hubUrl}/settings/tokens.`,
    );
  }
  const api = await readModelApi(id, client, options.revision);
  const config = await readModelConfig(api, client);
  const headerCount = api.parameters ? null : await countSafetensorsParameters(api, client);
  const counted = api.parameters
    ? { ...api.parameters, source: "safetensors_api" as const }
    : headerCount && { ...headerCount, source: "safetensors_header" as const };
  return buildModelInfo({ modelId: api.id, revision: api.sha, gated: api.gated, license: api.license, config, counted });
}
