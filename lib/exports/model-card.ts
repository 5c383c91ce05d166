// The bundle's README.md: a Hugging Face model card. The front matter is built as data and
// written by the `yaml` package, so names with quotes, colons or newlines stay values; the body
// is Markdown with every user-given value made inline-safe.
import { stringify } from "yaml";
import { ollamaBaseFor, ollamaHowTo } from "./modelfile";

export type CardMetrics = {
  eval_loss?: number | null;
  perplexity?: number | null;
  rouge_l?: number | null;
  exact_match?: number | null;
  /** Mean LLM-judge score, 1–5. */
  judge_score?: number | null;
};

export type HyperparameterValue = string | number | boolean | null | readonly (string | number)[];

export type ModelCardInput = {
  /** Hub repository the adapter is (or will be) pushed to, e.g. "acme/handbook-qa". */
  repoName?: string;
  baseModel: string;
  baseModelRevision?: string;
  /** SPDX id or a Hub license id ("apache-2.0", "llama3.1", "other"). */
  license?: string;
  /** Hub dataset ids. */
  datasets?: string[];
  method: "lora" | "qlora";
  /** The training preset's name, when one was used. */
  preset?: string;
  hyperparams: Record<string, HyperparameterValue>;
  metrics: CardMetrics;
  datasetVersion: { version: number | string; contentHash: string; numTrain: number; numEval: number };
  projectName: string;
  createdAt: Date | string;
  language?: string | string[];
  tags?: string[];
};

const METRICS: Array<{ key: keyof CardMetrics; type: string; name: string; describe: string }> = [
  { key: "eval_loss", type: "loss", name: "Eval loss", describe: "Mean cross-entropy per token on the eval split (lower is better)." },
  { key: "perplexity", type: "perplexity", name: "Perplexity", describe: "exp(eval loss) (lower is better)." },
  { key: "rouge_l", type: "rougeL", name: "ROUGE-L F1", describe: "Word-level longest-common-subsequence F1 against the reference answers, 0–1." },
  { key: "exact_match", type: "exact_match", name: "Exact match", describe: "Share of answers equal to the reference after SQuAD normalisation, 0–1." },
  { key: "judge_score", type: "llm_judge", name: "LLM judge score", describe: "Mean 1–5 grade for faithfulness, correctness and helpfulness." },
];

const round = (value: number) => Number(value.toFixed(4));

function presentMetrics(metrics: CardMetrics) {
  return METRICS.flatMap((metric) => {
    const value = metrics[metric.key];
    return typeof value === "number" && Number.isFinite(value) ? [{ ...metric, value: round(value) }] : [];
  });
}

/** One line, no table or heading breakers: for values placed in Markdown. */
function inline(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|");
}

/** A Python string literal that cannot close the Markdown fence it sits in. */
function pyString(text: string): string {
  return JSON.stringify(text).replace(/`/g, "\\x60");
}

function displayValue(value: HyperparameterValue): string {
  if (value === null) return "—";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

function iso(date: Date | string): string {
  const parsed = typeof date === "string" ? new Date(date) : date;
  return Number.isNaN(parsed.getTime()) ? String(date) : parsed.toISOString();
}

function frontMatter(input: ModelCardInput): string {
  const metrics = presentMetrics(input.metrics);
  const name = input.repoName ?? input.projectName;
  const data: Record<string, unknown> = {
    base_model: input.baseModel,
    library_name: "peft",
    ...(input.license ? { license: input.license } : {}),
    ...(input.datasets?.length ? { datasets: input.datasets } : {}),
    ...(input.language ? { language: typeof input.language === "string" ? [input.language] : input.language } : {}),
    pipeline_tag: "text-generation",
    tags: [...new Set(["finetuneflow", input.method, "peft", ...(input.tags ?? [])])],
    ...(metrics.length
      ? {
          "model-index": [
            {
              name,
              results: [
                {
                  task: { type: "text-generation", name: "Text generation" },
                  // The Hub requires a dataset per result: the project's own eval split.
                  dataset: { name: `${input.projectName} eval split (v${input.datasetVersion.version})`, type: input.datasets?.[0] ?? "custom" },
                  metrics: metrics.map((m) => ({ type: m.type, value: m.value, name: m.name })),
                },
              ],
            },
          ],
        }
      : {}),
  };
  return `---\n${stringify(data, { lineWidth: 0 })}---\n`;
}

function table(header: [string, string], rows: Array<[string, string]>): string[] {
  return [`| ${header[0]} | ${header[1]} |`, "| --- | --- |", ...rows.map(([key, value]) => `| ${inline(key)} | ${inline(value)} |`)];
}

export function modelCard(input: ModelCardInput): string {
  const title = inline(input.repoName ?? input.projectName);
  const method = input.method === "qlora" ? "QLoRA (4-bit base)" : "LoRA";
  const adapter = input.repoName ?? "./adapter";
  const revision = input.baseModelRevision ? `, revision=${pyString(input.baseModelRevision)}` : "";
  const metrics = presentMetrics(input.metrics);
  const { version, contentHash, numTrain, numEval } = input.datasetVersion;
  const hyperparams = Object.entries(input.hyperparams).map(([key, value]): [string, string] => [key, displayValue(value)]);

  return [
    frontMatter(input),
    `# ${title}`,
    "",
    `A ${method} adapter for \`${inline(input.baseModel)}\`, fine-tuned with FineTuneFlow on the documents of the project "${inline(input.projectName)}"`,
    `(dataset version ${inline(String(version))}: ${numTrain} training and ${numEval} evaluation examples).`,
    "",
    "## How to use",
    "",
    "### With PEFT",
    "",
    "```python",
    "from peft import PeftModel",
    "from transformers import AutoModelForCausalLM, AutoTokenizer",
    "",
    `base = AutoModelForCausalLM.from_pretrained(${pyString(input.baseModel)}${revision}, torch_dtype="auto", device_map="auto")`,
    `tokenizer = AutoTokenizer.from_pretrained(${pyString(adapter)})`,
    `model = PeftModel.from_pretrained(base, ${pyString(adapter)})`,
    "",
    'messages = [{"role": "user", "content": "Your question"}]',
    'inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt").to(model.device)',
    "print(tokenizer.decode(model.generate(inputs, max_new_tokens=256)[0][inputs.shape[-1]:], skip_special_tokens=True))",
    "```",
    "",
    "### With Ollama",
    "",
    ollamaHowTo({
      modelName: input.repoName?.split("/").at(-1) ?? input.projectName,
      baseModel: input.baseModel,
      from: ollamaBaseFor(input.baseModel) ?? input.baseModel,
    }),
    "## Training details",
    "",
    ...table(
      ["Setting", "Value"],
      [
        ["Base model", input.baseModel],
        ...(input.baseModelRevision ? [["Base model revision", input.baseModelRevision] as [string, string]] : []),
        ["Method", method],
        ...(input.preset ? [["Preset", input.preset] as [string, string]] : []),
        ...hyperparams,
      ],
    ),
    "",
    "## Evaluation",
    "",
    ...(metrics.length
      ? [
          ...table(
            ["Metric", "Value"],
            metrics.map((m) => [m.name, String(m.value)]),
          ),
          "",
          ...metrics.map((m) => `- **${m.name}**: ${m.describe}`),
        ]
      : ["No evaluation was run for this adapter."]),
    "",
    "## Dataset version and reproducibility",
    "",
    ...table(
      ["Item", "Value"],
      [
        ["Project", input.projectName],
        ["Dataset version", String(version)],
        ["Dataset content hash", contentHash],
        ["Training examples", String(numTrain)],
        ["Evaluation examples", String(numEval)],
        ["Base model", input.baseModelRevision ? `${input.baseModel}@${input.baseModelRevision}` : input.baseModel],
        ["Created", iso(input.createdAt)],
      ],
    ),
    "",
    "The content hash identifies the exact examples trained on: the same dataset version, base model revision and",
    "hyperparameters (seed included) reproduce this run, up to GPU nondeterminism.",
    "",
  ].join("\n");
}
