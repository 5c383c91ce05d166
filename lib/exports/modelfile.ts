// The Ollama Modelfile shipped with a bundle: the base model, the LoRA adapter on top, a chat
// template in Ollama's Go-template syntax for the model's family, and its stop tokens. The
// adapter answers well only in the prompt format it was trained in, so the template follows the
// tokenizer's chat template (or the model type) of the base model.

import { slugify } from "@/lib/workspaces/slug";

export const CHAT_TEMPLATE_FAMILIES = ["llama3", "chatml", "gemma", "phi3", "zephyr", "mistral", "alpaca"] as const;
export type ChatTemplateFamily = (typeof CHAT_TEMPLATE_FAMILIES)[number];

export type ModelfileParameters = { temperature?: number; num_ctx?: number; stop?: string[] };

export type ModelfileOptions = {
  /** Hugging Face id (or local path) of the model the adapter was trained on. */
  baseModel: string;
  /** Ollama tag for FROM; defaults to ollamaBaseFor(baseModel). */
  ollamaBase?: string;
  /** Relative to the Modelfile. Defaults to "./adapter"; null: no ADAPTER line (FROM names the merged model). */
  adapterDir?: string | null;
  /**
   * Best from chatTemplateFamily() on the adapter's tokenizer and config. Defaults to a guess from
   * baseModel; null writes no TEMPLATE, keeping the FROM tag's own.
   */
  chatTemplate?: ChatTemplateFamily | null;
  parameters?: ModelfileParameters;
  system?: string;
  /**
   * The tokenizer's end-of-sequence token: the runner ends every Alpaca-format answer with it, so
   * earlier answers in the prompt end with it too. null/undefined: none.
   */
  eosToken?: string | null;
};

// Ollama's default tag of each is the instruct model, quantised (Q4_K_M). Only ids whose Ollama
// build has the same weights belong here: Ollama applies ADAPTER to whatever FROM names, and an
// adapter on a different base gives garbage without any error.
const OLLAMA_BASES: Record<string, string> = {
  "meta-llama/llama-3.1-8b-instruct": "llama3.1:8b",
  "meta-llama/meta-llama-3.1-8b-instruct": "llama3.1:8b",
  "meta-llama/llama-3.2-1b-instruct": "llama3.2:1b",
  "meta-llama/llama-3.2-3b-instruct": "llama3.2:3b",
  "meta-llama/meta-llama-3-8b-instruct": "llama3:8b",
  "qwen/qwen2.5-0.5b-instruct": "qwen2.5:0.5b",
  "qwen/qwen2.5-1.5b-instruct": "qwen2.5:1.5b",
  "qwen/qwen2.5-3b-instruct": "qwen2.5:3b",
  "qwen/qwen2.5-7b-instruct": "qwen2.5:7b",
  "mistralai/mistral-7b-instruct-v0.3": "mistral:7b",
  "google/gemma-2-2b-it": "gemma2:2b",
  "google/gemma-2-9b-it": "gemma2:9b",
  "tinyllama/tinyllama-1.1b-chat-v1.0": "tinyllama",
};

/**
 * The Ollama tag with the same weights as a Hugging Face model, or null when we know none. An
 * unknown id stays as the Hugging Face id in FROM, and the user points it at a local copy of
 * the base model: Ollama's ADAPTER needs the exact base the adapter was trained on.
 */
export function ollamaBaseFor(hfModelId: string): string | null {
  return OLLAMA_BASES[hfModelId.trim().toLowerCase()] ?? null;
}

/**
 * The prompt format the adapter was trained in. The runner trains with the tokenizer's chat
 * template when it has one, else in Alpaca's "### Instruction:" format, so: a template with one of
 * the known markers decides (Llama 3 headers, ChatML, Gemma turns, Phi-3, Zephyr, [INST]); a
 * tokenizer saved without a template (`null`) means Alpaca; only when the tokenizer is not known
 * (`undefined`, or a template we cannot translate) does the config's model_type guess.
 */
export function chatTemplateFamily(model: { tokenizerChatTemplate?: string | null; modelType?: string | null }): ChatTemplateFamily {
  if (model.tokenizerChatTemplate === null) return "alpaca";
  const template = model.tokenizerChatTemplate ?? "";
  if (template.includes("<|start_header_id|>")) return "llama3";
  if (template.includes("<|im_start|>")) return "chatml";
  if (template.includes("<start_of_turn>")) return "gemma";
  // Phi-3 builds its tags from the role ('<|' + role + '|>') and ends turns with <|end|>.
  if (template.includes("<|end|>")) return "phi3";
  if (template.includes("<|user|>")) return "zephyr";
  if (template.includes("[INST]")) return "mistral";
  const type = (model.modelType ?? "").toLowerCase();
  if (type === "gemma" || type === "gemma2" || type === "gemma3_text") return "gemma";
  if (type === "phi3") return "phi3";
  if (type === "llama") return "llama3";
  if (/^qwen[23]/.test(type)) return "chatml";
  if (type === "mistral" || type === "mixtral") return "mistral";
  return "alpaca";
}

/**
 * Without the tokenizer at hand, the family from the model's id. Other models on a known Ollama
 * tag keep the tag's own template (Gemma's turns, TinyLlama's Zephyr format), which matches
 * their tokenizer better than Alpaca would; only unknown bases fall back to Alpaca.
 */
function familyFromId(modelId: string): ChatTemplateFamily | null {
  const id = modelId.toLowerCase();
  if (/llama-?3/.test(id)) return "llama3";
  if (id.includes("qwen")) return "chatml";
  if (/mistral|mixtral/.test(id)) return "mistral";
  return ollamaBaseFor(modelId) ? null : "alpaca";
}

/** Where a template puts the tokenizer's end-of-sequence token, as training ends each answer with it. */
const EOS_MARK = "\u0000eos\u0000";

// System prompts come first, from .System: Ollama collects every system message there, and
// versions before 0.4 also drop them from .Messages.
const TEMPLATES: Record<ChatTemplateFamily, { template: string; stop: string[] }> = {
  llama3: {
    template: `{{- if .System }}<|start_header_id|>system<|end_header_id|>

{{ .System }}<|eot_id|>
{{- end }}
{{- range .Messages }}
{{- if or (eq .Role "user") (eq .Role "assistant") }}<|start_header_id|>{{ .Role }}<|end_header_id|>

{{ .Content }}<|eot_id|>
{{- end }}
{{- end }}<|start_header_id|>assistant<|end_header_id|>

`,
    stop: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
  },
  chatml: {
    template: `{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range .Messages }}
{{- if or (eq .Role "user") (eq .Role "assistant") }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}
{{- end }}<|im_start|>assistant
`,
    stop: ["<|im_start|>", "<|im_end|>"],
  },
  // [INST] has no system turn: the system prompt opens the last user message, as Mistral's own template does.
  mistral: {
    template: `{{- range $i, $_ := .Messages }}
{{- if eq .Role "user" }}[INST] {{ if and $.System (eq (len (slice $.Messages $i)) 1) }}{{ $.System }}

{{ end }}{{ .Content }}[/INST]
{{- else if eq .Role "assistant" }} {{ .Content }}</s>
{{- end }}
{{- end }}`,
    stop: ["[INST]", "[/INST]"],
  },
  // Gemma has no system turn: the system prompt opens the first user turn, as the runner folds it.
  gemma: {
    template: `{{- range $i, $_ := .Messages }}
{{- if eq .Role "user" }}<start_of_turn>user
{{ if and $.System (eq $i 0) }}{{ $.System }}

{{ end }}{{ .Content }}<end_of_turn>
{{ else if eq .Role "assistant" }}<start_of_turn>model
{{ .Content }}<end_of_turn>
{{ end }}
{{- end }}<start_of_turn>model
`,
    stop: ["<start_of_turn>", "<end_of_turn>"],
  },
  phi3: {
    template: `{{- if .System }}<|system|>
{{ .System }}<|end|>
{{ end }}
{{- range .Messages }}
{{- if or (eq .Role "user") (eq .Role "assistant") }}<|{{ .Role }}|>
{{ .Content }}<|end|>
{{ end }}
{{- end }}<|assistant|>
`,
    stop: ["<|end|>", "<|user|>", "<|assistant|>"],
  },
  // TinyLlama-Chat and other Zephyr-style models: turns end with the EOS token.
  zephyr: {
    template: `{{- if .System }}<|system|>
{{ .System }}</s>
{{ end }}
{{- range .Messages }}
{{- if or (eq .Role "user") (eq .Role "assistant") }}<|{{ .Role }}|>
{{ .Content }}</s>
{{ end }}
{{- end }}<|assistant|>
`,
    stop: ["</s>", "<|user|>", "<|system|>"],
  },
  alpaca: {
    template: `{{- if .System }}{{ .System }}

{{ end }}
{{- range .Messages }}
{{- if eq .Role "user" }}### Instruction:
{{ .Content }}

{{ else if eq .Role "assistant" }}### Response:
{{ .Content }}${EOS_MARK}{{ end }}
{{- end }}### Response:
`,
    stop: ["### Instruction:", "### Response:"],
  },
};

/**
 * A Modelfile value, quoted when it needs to be. Ollama's parser has no escapes: a quoted value
 * ends at the first line end where it closes, so a line inside the text that ends in `"""` would
 * end it early; such a line gets a space between its last two quotes.
 */
function quoted(text: string): string {
  if (!/["\s]/.test(text)) return text;
  if (!/["\r\n]/.test(text)) return `"${text}"`;
  return `"""${text.replace(/"""([ \t]*)(?=[\r\n])/g, '"" "$1')}"""`;
}

function finite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`Modelfile parameter ${name} must be a finite number.`);
  return value;
}

export function ollamaModelfile(options: ModelfileOptions): string {
  const from = options.ollamaBase ?? ollamaBaseFor(options.baseModel) ?? options.baseModel;
  const family = options.chatTemplate === undefined ? familyFromId(options.baseModel) : options.chatTemplate;
  const params = options.parameters ?? {};
  const lines = [`FROM ${quoted(from)}`];
  if (options.adapterDir !== null) lines.push(`ADAPTER ${quoted(options.adapterDir ?? "./adapter")}`);
  if (family) lines.push(`TEMPLATE ${quoted(TEMPLATES[family].template.replace(EOS_MARK, options.eosToken ?? ""))}`);
  if (options.system) lines.push(`SYSTEM ${quoted(options.system)}`);
  if (params.temperature !== undefined) lines.push(`PARAMETER temperature ${finite("temperature", params.temperature)}`);
  if (params.num_ctx !== undefined) lines.push(`PARAMETER num_ctx ${Math.round(finite("num_ctx", params.num_ctx))}`);
  const stops = new Set([...(family ? TEMPLATES[family].stop : []), ...(params.stop ?? [])].filter((stop) => stop.length > 0));
  for (const stop of stops) lines.push(`PARAMETER stop ${quoted(stop)}`);
  return `${lines.join("\n")}\n`;
}

export type OllamaHowToOptions = {
  /** The name for `ollama create`; made safe for the shell and Ollama (lowercase letters, digits, dashes). */
  modelName: string;
  baseModel: string;
  /** What the Modelfile's FROM says. */
  from: string;
};

/** The shell block that builds and starts the model in Ollama. */
const createAndRun = (name: string) => ["```sh", `ollama create ${name} -f Modelfile`, `ollama run ${name}`, "```"];

/** Markdown on running the bundle in Ollama, for a README section (no heading of its own). */
export function ollamaHowTo({ modelName, baseModel, from }: OllamaHowToOptions): string {
  const name = slugify(modelName);
  const knownBase = from !== baseModel;
  return [
    "From the folder that holds `Modelfile` and `adapter/`:",
    "",
    ...createAndRun(name),
    "",
    knownBase
      ? `\`FROM ${from}\` is Ollama's build of \`${baseModel}\`, the model the adapter was trained on. Ollama pulls it on first use.`
      : `\`FROM ${from}\` is the Hugging Face id of the base model. Ollama cannot pull that name: download the model (for example with \`huggingface-cli download ${baseModel} --local-dir base\`) and change the line to \`FROM ./base\`, or to an Ollama tag with exactly these weights.`,
    "The adapter only works on the exact base model it was trained on; on any other model it produces nonsense without an error.",
    "",
    "**If `ollama create` refuses the adapter.** Ollama converts a safetensors LoRA adapter itself only for Llama- and Gemma 2-architecture bases,",
    'and from Ollama 0.12.11 its safetensors import looks only for `model*.safetensors` files ("no Modelfile or safetensors files found").',
    "What works on every version and architecture llama.cpp supports: convert the adapter to GGUF and point `ADAPTER` at the file.",
    "",
    "```sh",
    `huggingface-cli download ${baseModel} --local-dir base`,
    "python llama.cpp/convert_lora_to_gguf.py --base base --outfile adapter.gguf adapter",
    "sed -i 's|^ADAPTER .*|ADAPTER ./adapter.gguf|' Modelfile",
    `ollama create ${name} -f Modelfile`,
    "```",
    "",
    'Or merge the adapter into the base model (`PeftModel.from_pretrained(base, "adapter").merge_and_unload()`, then `save_pretrained("merged")`),',
    "drop the `ADAPTER` line and write `FROM ./merged`.",
    "",
  ].join("\n");
}

// ── What `ollama create` accepts (Ollama's convert package and its safetensors detection) ──

/**
 * config.json `architectures[0]` values whose safetensors weights `ollama create` converts itself
 * (its ConvertModel). Mistral 7B's MistralForCausalLM and Qwen3ForCausalLM are not among them.
 */
export const OLLAMA_MODEL_ARCHITECTURES: ReadonlySet<string> = new Set([
  "LlamaForCausalLM",
  "MixtralForCausalLM",
  "GemmaForCausalLM",
  "Gemma2ForCausalLM",
  "Gemma3ForCausalLM",
  "Phi3ForCausalLM",
  "Qwen2ForCausalLM",
  "CohereForCausalLM",
  "Olmo3ForCausalLM",
  "GptOssForCausalLM",
  "DeepseekV3ForCausalLM",
]);

/**
 * Base architectures whose safetensors LoRA adapter Ollama converts (its ConvertAdapter takes the
 * FROM model's GGUF architecture: "llama", which Ollama's Mistral builds also are, or "gemma2").
 */
const OLLAMA_ADAPTER_ARCHITECTURES: ReadonlySet<string> = new Set(["LlamaForCausalLM", "MistralForCausalLM", "Gemma2ForCausalLM"]);

/** From this version on, a safetensors folder counts only when it holds model*.safetensors. */
const MODEL_FILES_ONLY_FROM = [0, 12, 11];

function atLeast(version: string, minimum: number[]): boolean {
  const parts = version.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < minimum.length; i++) if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) > minimum[i];
  return true;
}

export type OllamaImport = {
  /** What the Modelfile line points at: FROM a model folder, or ADAPTER an adapter folder. */
  line: "FROM" | "ADAPTER";
  /** File names in that folder. */
  files: string[];
  /** config.json architectures[0] of the model (FROM) or of the base the adapter was trained on (ADAPTER). */
  architecture: string | null;
  ollamaVersion: string;
};

/** Whether `ollama create` takes a safetensors folder, and if not, the error it gives. */
export function ollamaAccepts({ line, files, architecture, ollamaVersion }: OllamaImport): { ok: true } | { ok: false; error: string } {
  const names = files.map((f) => f.split("/").pop()!);
  const modelFiles = names.filter((n) => /^model.*\.safetensors$/.test(n));
  const anySafetensors = names.filter((n) => n.endsWith(".safetensors"));
  const found = atLeast(ollamaVersion, MODEL_FILES_ONLY_FROM) ? modelFiles : anySafetensors;
  if (found.length === 0) return { ok: false, error: "no Modelfile or safetensors files found" };
  if (line === "ADAPTER") {
    if (!names.includes("adapter_config.json")) return { ok: false, error: "adapter_config.json not found" };
    return architecture && OLLAMA_ADAPTER_ARCHITECTURES.has(architecture) ? { ok: true } : { ok: false, error: "unsupported architecture" };
  }
  if (!names.includes("config.json")) return { ok: false, error: "config.json not found" };
  if (!names.includes("tokenizer.json") && !names.includes("tokenizer.model"))
    return { ok: false, error: "no tokenizer (tokenizer.json or tokenizer.model) found" };
  if (!architecture || !OLLAMA_MODEL_ARCHITECTURES.has(architecture)) return { ok: false, error: `unsupported architecture "${architecture ?? "unknown"}"` };
  return { ok: true };
}

/**
 * Which Ollama route a bundle takes. "merged": the merged model's safetensors in model/, which
 * `ollama create` imports itself; "merged-gguf": a merged model Ollama cannot convert (the how-to
 * converts it with llama.cpp first); "adapter": no merged model, the adapter on the base.
 */
export type OllamaVariant = "merged" | "merged-gguf" | "adapter";

export function ollamaVariant(merged: { architecture: string | null } | null): OllamaVariant {
  if (!merged) return "adapter";
  return merged.architecture && OLLAMA_MODEL_ARCHITECTURES.has(merged.architecture) ? "merged" : "merged-gguf";
}

/** Where the Modelfile's FROM points for a merged variant. */
export const MERGED_FROM: Record<Exclude<OllamaVariant, "adapter">, string> = { merged: "./model", "merged-gguf": "./model.gguf" };

/** Markdown on running a merged-model bundle in Ollama (no heading of its own). */
export function ollamaMergedHowTo({
  modelName,
  variant,
  architecture,
}: {
  modelName: string;
  variant: Exclude<OllamaVariant, "adapter">;
  architecture: string | null;
}): string {
  const name = slugify(modelName);
  const arch = architecture ?? "unknown";
  if (variant === "merged")
    return [
      "This bundle holds the merged model: the LoRA adapter folded into the base weights (`model/`, safetensors).",
      `Ollama converts the ${arch} architecture itself, so from the folder that holds \`Modelfile\` and \`model/\`:`,
      "",
      ...createAndRun(name),
      "",
      "`ollama create` converts the weights to its own format (16-bit); add `--quantize q4_K_M` for a model a quarter the size.",
      "The `adapter/` folder is the same fine-tune as a LoRA adapter, for PEFT, vLLM or a Hub push.",
      "",
    ].join("\n");
  return [
    `This bundle holds the merged model (\`model/\`, safetensors), but Ollama cannot convert the ${arch} architecture itself.`,
    "llama.cpp can: convert the folder to GGUF, which the Modelfile's `FROM ./model.gguf` expects, then create the model.",
    "",
    "```sh",
    "python llama.cpp/convert_hf_to_gguf.py model --outfile model.gguf --outtype f16",
    "```",
    "",
    ...createAndRun(name),
    "",
  ].join("\n");
}
