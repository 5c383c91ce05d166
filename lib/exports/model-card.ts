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

/**
 * License ids the Hub's metadata spec accepts as they are (https://huggingface.co/docs/hub/repositories-licenses).
 * Anything else is `license: other` with a `license_name` and a `license_link`, as the spec asks.
 */
const HUB_LICENSES = new Set([
  "apache-2.0",
  "mit",
  "openrail",
  "bigscience-openrail-m",
  "creativeml-openrail-m",
  "bigscience-bloom-rail-1.0",
  "bigcode-openrail-m",
  "afl-3.0",
  "artistic-2.0",
  "bsl-1.0",
  "bsd",
  "bsd-2-clause",
  "bsd-3-clause",
  "bsd-3-clause-clear",
  "c-uda",
  "cc",
  "cc0-1.0",
  "cc-by-2.0",
  "cc-by-2.5",
  "cc-by-3.0",
  "cc-by-4.0",
  "cc-by-sa-3.0",
  "cc-by-sa-4.0",
  "cc-by-nc-2.0",
  "cc-by-nc-3.0",
  "cc-by-nc-4.0",
  "cc-by-nd-4.0",
  "cc-by-nc-nd-3.0",
  "cc-by-nc-nd-4.0",
  "cc-by-nc-sa-2.0",
  "cc-by-nc-sa-3.0",
  "cc-by-nc-sa-4.0",
  "cdla-sharing-1.0",
  "cdla-permissive-1.0",
  "cdla-permissive-2.0",
  "wtfpl",
  "ecl-2.0",
  "epl-1.0",
  "epl-2.0",
  "etalab-2.0",
  "eupl-1.1",
  "eupl-1.2",
  "agpl-3.0",
  "gfdl",
  "gpl",
  "gpl-2.0",
  "gpl-3.0",
  "lgpl",
  "lgpl-2.1",
  "lgpl-3.0",
  "isc",
  "h-research",
  "intel-research",
  "lppl-1.3c",
  "ms-pl",
  "apple-ascl",
  "apple-amlr",
  "mpl-2.0",
  "odc-by",
  "odbl",
  "openmdw-1.0",
  "openrail++",
  "osl-3.0",
  "postgresql",
  "ofl-1.1",
  "ncsa",
  "unlicense",
  "zlib",
  "pddl",
  "lgpl-lr",
  "deepfloyd-if-license",
  "fair-noncommercial-research-license",
  "llama2",
  "llama3",
  "llama3.1",
  "llama3.2",
  "llama3.3",
  "llama4",
  "grok2-community",
  "gemma",
  "unknown",
  "other",
]);

/** The card's license fields: a Hub id as is; anything else as other + license_name + license_link (the base model's page). */
export function licenseFields(license: string | undefined, baseModel: string): Record<string, string> {
  if (!license) return {};
  const id = license.trim().toLowerCase();
  if (HUB_LICENSES.has(id) && id !== "other") return { license: id };
  const name =
    id
      .replace(/[^a-z0-9.]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64) || "base-model-license";
  const link = /^[\w.-]+\/[\w.-]+$/.test(baseModel) ? `https://huggingface.co/${baseModel}` : "LICENSE";
  return { license: "other", license_name: id === "other" ? "base-model-license" : name, license_link: link };
}

function frontMatter(input: ModelCardInput): string {
  const metrics = presentMetrics(input.metrics);
  const name = input.repoName ?? input.projectName;
  // The Hub wants each result's dataset as a Hub dataset id: without a pushed dataset, the
  // metrics are in the card's body only.
  const hubDataset = input.datasets?.[0];
  const data: Record<string, unknown> = {
    base_model: input.baseModel,
    library_name: "peft",
    ...licenseFields(input.license, input.baseModel),
    ...(input.datasets?.length ? { datasets: input.datasets } : {}),
    ...(input.language ? { language: typeof input.language === "string" ? [input.language] : input.language } : {}),
    pipeline_tag: "text-generation",
    tags: [...new Set(["finetuneflow", input.method, "peft", ...(input.tags ?? [])])],
    ...(metrics.length && hubDataset
      ? {
          "model-index": [
            {
              name,
              results: [
                {
                  task: { type: "text-generation", name: "Text generation" },
                  // The Hub requires a dataset per result: the project's own eval split.
                  dataset: { name: `${input.projectName} eval split (v${input.datasetVersion.version})`, type: hubDataset, split: "eval" },
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
