import { describe, expect, it } from "vitest";
import { parseModelfile } from "../../tests/support/go-template";
import {
  CHAT_TEMPLATE_FAMILIES,
  chatTemplateFamily,
  type OllamaImport,
  ollamaAccepts,
  ollamaBaseFor,
  ollamaHowTo,
  ollamaMergedHowTo,
  ollamaModelfile,
  ollamaVariant,
} from "./modelfile";

describe("ollamaBaseFor", () => {
  it("maps common Hugging Face ids to Ollama tags, and knows nothing else", () => {
    expect(ollamaBaseFor("meta-llama/Llama-3.1-8B-Instruct")).toBe("llama3.1:8b");
    expect(ollamaBaseFor("Qwen/Qwen2.5-0.5B-Instruct")).toBe("qwen2.5:0.5b");
    expect(ollamaBaseFor("TinyLlama/TinyLlama-1.1B-Chat-v1.0")).toBe("tinyllama");
    expect(ollamaBaseFor("someone/custom-model")).toBeNull();
  });
});

describe("chatTemplateFamily", () => {
  it("follows the tokenizer's chat template first, then the model type", () => {
    expect(chatTemplateFamily({ tokenizerChatTemplate: "{{ '<|start_header_id|>' + message['role'] }}", modelType: "qwen2" })).toBe("llama3");
    expect(chatTemplateFamily({ tokenizerChatTemplate: "{{ '<|im_start|>' + message['role'] }}" })).toBe("chatml");
    expect(chatTemplateFamily({ tokenizerChatTemplate: "{{ '[INST] ' + message['content'] + ' [/INST]' }}" })).toBe("mistral");
    expect(chatTemplateFamily({ modelType: "llama" })).toBe("llama3");
    expect(chatTemplateFamily({ modelType: "qwen2" })).toBe("chatml");
    expect(chatTemplateFamily({ modelType: "mistral" })).toBe("mistral");
    expect(chatTemplateFamily({ modelType: "gpt2" })).toBe("alpaca");
    expect(chatTemplateFamily({})).toBe("alpaca");
  });

  it.each([
    // Abridged from the models' own chat templates.
    {
      name: "Gemma-2",
      family: "gemma",
      template: "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}",
    },
    {
      name: "Phi-3",
      family: "phi3",
      template: "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\n' + message['content'] + '<|end|>\n' }}{% endfor %}",
    },
    {
      name: "TinyLlama-Chat",
      family: "zephyr",
      template: "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + eos_token }}{% endif %}{% endfor %}",
    },
    {
      name: "SmolLM2",
      family: "chatml",
      template: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}",
    },
  ] as const)("reads $name's template as $family, whatever its model type says", ({ template, family }) => {
    expect(chatTemplateFamily({ tokenizerChatTemplate: template, modelType: "llama" })).toBe(family);
  });

  it("a base model trained without a chat template gets Alpaca, whatever its model type", () => {
    // The runner trains in Alpaca format when the tokenizer has no template; the model type (llama) must not override that.
    expect(chatTemplateFamily({ tokenizerChatTemplate: null, modelType: "llama" })).toBe("alpaca");
    expect(chatTemplateFamily({ tokenizerChatTemplate: null, modelType: "qwen2" })).toBe("alpaca");
    expect(chatTemplateFamily({ modelType: "gemma2" })).toBe("gemma");
  });
});

describe("ollamaModelfile", () => {
  it("writes FROM, ADAPTER, the family's template and stop tokens, and parameters", () => {
    const text = ollamaModelfile({
      baseModel: "meta-llama/Llama-3.1-8B-Instruct",
      adapterDir: "./adapter",
      parameters: { temperature: 0.2, num_ctx: 4096, stop: ["<|eot_id|>", "END"] },
      system: "You answer questions about the handbook.",
    });
    const commands = parseModelfile(text);
    expect(commands.map((c) => c.name)).toEqual(["FROM", "ADAPTER", "TEMPLATE", "SYSTEM", "temperature", "num_ctx", "stop", "stop", "stop", "stop"]);
    expect(commands[0].args).toBe("llama3.1:8b");
    expect(commands[1].args).toBe("./adapter");
    expect(commands[2].args).toContain("<|start_header_id|>{{ .Role }}<|end_header_id|>");
    expect(commands[3].args).toBe("You answer questions about the handbook.");
    expect(commands.slice(4, 6).map((c) => c.args)).toEqual(["0.2", "4096"]);
    // The template's stops, then the caller's, each once.
    expect(commands.slice(6).map((c) => c.args)).toEqual(["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "END"]);
  });

  it("picks the template by family, or none to keep the base tag's own", () => {
    const template = (options: Parameters<typeof ollamaModelfile>[0]) => parseModelfile(ollamaModelfile(options)).find((c) => c.name === "TEMPLATE")?.args;
    expect(template({ baseModel: "Qwen/Qwen2.5-0.5B-Instruct" })).toContain("<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>");
    expect(template({ baseModel: "mistralai/Mistral-7B-Instruct-v0.3" })).toContain("[INST]");
    expect(template({ baseModel: "someone/custom-model" })).toContain("### Instruction:");
    // A known Ollama tag outside the four families keeps the tag's own template.
    expect(template({ baseModel: "TinyLlama/TinyLlama-1.1B-Chat-v1.0" })).toBeUndefined();
    expect(template({ baseModel: "google/gemma-2-2b-it" })).toBeUndefined();
    expect(template({ baseModel: "someone/model", chatTemplate: "chatml" })).toContain("<|im_start|>");
    expect(template({ baseModel: "meta-llama/Llama-3.1-8B-Instruct", chatTemplate: null })).toBeUndefined();
    const alpacaStops = parseModelfile(ollamaModelfile({ baseModel: "x/y", chatTemplate: "alpaca" })).filter((c) => c.name === "stop");
    expect(alpacaStops.map((c) => c.args)).toEqual(["### Instruction:", "### Response:"]);
  });

  it("keeps an unknown base as its Hugging Face id, or takes the tag it is given", () => {
    expect(parseModelfile(ollamaModelfile({ baseModel: "someone/custom-model" }))[0].args).toBe("someone/custom-model");
    expect(parseModelfile(ollamaModelfile({ baseModel: "someone/custom-model", ollamaBase: "custom:7b" }))[0].args).toBe("custom:7b");
  });

  it("balances every template's actions", () => {
    for (const family of CHAT_TEMPLATE_FAMILIES) {
      const template = parseModelfile(ollamaModelfile({ baseModel: "x/y", chatTemplate: family })).find((c) => c.name === "TEMPLATE")!.args;
      const actions = [...template.matchAll(/\{\{-?\s*(\w+)/g)].map((m) => m[1]);
      const opened = actions.filter((a) => a === "if" || a === "range").length;
      expect(opened, family).toBeGreaterThan(0);
      expect(actions.filter((a) => a === "end").length, family).toBe(opened);
      expect(template.split("{{").length, family).toBe(template.split("}}").length);
    }
  });

  it("quotes system prompts with quotes, newlines and a line ending in triple quotes so they read back whole", () => {
    const system = 'Say "hi".\nQuote like this: """\n  # not a comment\nFROM evil:latest\nEnd with a quote"';
    const commands = parseModelfile(ollamaModelfile({ baseModel: "x/y", chatTemplate: null, system }));
    expect(commands.map((c) => c.name)).toEqual(["FROM", "ADAPTER", "SYSTEM"]);
    expect(commands[2].args).toBe(system.replace('this: """', 'this: "" "'));
    expect(parseModelfile(ollamaModelfile({ baseModel: "x/y", chatTemplate: null, system: "one line, no quotes" }))[2].args).toBe("one line, no quotes");
  });

  it("refuses parameters that are not numbers", () => {
    expect(() => ollamaModelfile({ baseModel: "x/y", parameters: { temperature: Number.NaN } })).toThrow(/temperature/);
  });
});

describe("ollamaHowTo", () => {
  it("gives the commands and says when FROM must be pointed at a local base", () => {
    const known = ollamaHowTo({ modelName: "Handbook QA", baseModel: "Qwen/Qwen2.5-0.5B-Instruct", from: "qwen2.5:0.5b" });
    expect(known).toContain("ollama create handbook-qa -f Modelfile");
    expect(known).toContain("ollama run handbook-qa");
    // The route that works on every Ollama version: the adapter as GGUF.
    expect(known).toContain("convert_lora_to_gguf.py --base base --outfile adapter.gguf adapter");
    expect(known).toContain("ADAPTER ./adapter.gguf");
    expect(known).toMatch(/0\.12\.11 .*model\*\.safetensors/);
    const unknown = ollamaHowTo({ modelName: "m", baseModel: "someone/custom-model", from: "someone/custom-model" });
    expect(unknown).toContain("FROM ./base");
  });
});

// Ollama's rules for `ollama create` from safetensors: its convert package (ConvertModel's and
// ConvertAdapter's architecture switches) and, from 0.12.11, a folder counts only with model*.safetensors.
const MERGED = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"];
const SHARDED = ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.json"];
const ADAPTER = ["adapter_config.json", "adapter_model.safetensors", "tokenizer.json"];
const cases: Array<[string, OllamaImport, { ok: true } | { ok: false; error: RegExp }]> = [
  ["merged Llama, current Ollama", { line: "FROM", files: MERGED, architecture: "LlamaForCausalLM", ollamaVersion: "0.13.0" }, { ok: true }],
  ["merged Qwen2, current Ollama", { line: "FROM", files: MERGED, architecture: "Qwen2ForCausalLM", ollamaVersion: "0.13.0" }, { ok: true }],
  ["sharded Gemma 2", { line: "FROM", files: SHARDED, architecture: "Gemma2ForCausalLM", ollamaVersion: "0.12.11" }, { ok: true }],
  ["merged Phi-3", { line: "FROM", files: MERGED, architecture: "Phi3ForCausalLM", ollamaVersion: "0.9.0" }, { ok: true }],
  [
    "merged Mistral 7B",
    { line: "FROM", files: MERGED, architecture: "MistralForCausalLM", ollamaVersion: "0.13.0" },
    { ok: false, error: /unsupported architecture "MistralForCausalLM"/ },
  ],
  [
    "merged Qwen3",
    { line: "FROM", files: MERGED, architecture: "Qwen3ForCausalLM", ollamaVersion: "0.13.0" },
    { ok: false, error: /unsupported architecture/ },
  ],
  [
    "weights without a tokenizer",
    { line: "FROM", files: ["config.json", "model.safetensors"], architecture: "LlamaForCausalLM", ollamaVersion: "0.13.0" },
    { ok: false, error: /tokenizer/ },
  ],
  [
    "weights under another name",
    { line: "FROM", files: ["config.json", "pytorch.safetensors", "tokenizer.json"], architecture: "LlamaForCausalLM", ollamaVersion: "0.13.0" },
    { ok: false, error: /no Modelfile or safetensors files found/ },
  ],
  ["Llama adapter, Ollama 0.12.10", { line: "ADAPTER", files: ADAPTER, architecture: "LlamaForCausalLM", ollamaVersion: "0.12.10" }, { ok: true }],
  ["Gemma 2 adapter, Ollama 0.6", { line: "ADAPTER", files: ADAPTER, architecture: "Gemma2ForCausalLM", ollamaVersion: "0.6.0" }, { ok: true }],
  [
    "Llama adapter, Ollama 0.12.11",
    { line: "ADAPTER", files: ADAPTER, architecture: "LlamaForCausalLM", ollamaVersion: "0.12.11" },
    { ok: false, error: /no Modelfile or safetensors files found/ },
  ],
  [
    "Qwen2 adapter, any Ollama",
    { line: "ADAPTER", files: ADAPTER, architecture: "Qwen2ForCausalLM", ollamaVersion: "0.5.0" },
    { ok: false, error: /unsupported architecture/ },
  ],
];

describe("ollamaAccepts (what ollama create takes)", () => {
  it.each(cases)("%s", (_name, input, expected) => {
    const verdict = ollamaAccepts(input);
    if (expected.ok) expect(verdict).toEqual({ ok: true });
    else expect(verdict.ok === false && verdict.error).toMatch(expected.error);
  });

  it("the bundle's variant is one ollama create takes on today's Ollama, or names the llama.cpp step", () => {
    for (const [architecture, variant] of [
      ["LlamaForCausalLM", "merged"],
      ["Qwen2ForCausalLM", "merged"],
      ["Gemma2ForCausalLM", "merged"],
      ["MistralForCausalLM", "merged-gguf"],
      [null, "merged-gguf"],
    ] as const) {
      expect(ollamaVariant({ architecture }), String(architecture)).toBe(variant);
      if (variant === "merged") expect(ollamaAccepts({ line: "FROM", files: MERGED, architecture, ollamaVersion: "0.13.0" }).ok).toBe(true);
    }
    expect(ollamaVariant(null)).toBe("adapter");
    const gguf = ollamaMergedHowTo({ modelName: "Handbook QA", variant: "merged-gguf", architecture: "MistralForCausalLM" });
    expect(gguf).toContain("convert_hf_to_gguf.py model --outfile model.gguf");
    expect(gguf).toContain("ollama create handbook-qa -f Modelfile");
    expect(ollamaMergedHowTo({ modelName: "m", variant: "merged", architecture: "LlamaForCausalLM" })).not.toContain("llama.cpp");
  });

  it("a merged Modelfile names the model folder and no adapter, with the run's template", () => {
    const commands = parseModelfile(
      ollamaModelfile({ baseModel: "Qwen/Qwen2.5-0.5B-Instruct", ollamaBase: "./model", adapterDir: null, chatTemplate: "chatml" }),
    );
    expect(commands[0]).toEqual({ name: "FROM", args: "./model" });
    expect(commands.some((c) => c.name === "ADAPTER")).toBe(false);
    expect(commands.find((c) => c.name === "TEMPLATE")?.args).toContain("<|im_start|>");
  });
});
