import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { licenseFields, type ModelCardInput, modelCard } from "./model-card";

const base: ModelCardInput = {
  repoName: "acme/handbook-qa",
  baseModel: "Qwen/Qwen2.5-0.5B-Instruct",
  baseModelRevision: "7ae557604adf67be50417f59c2c2f167def9a775",
  license: "apache-2.0",
  datasets: ["acme/handbook"],
  method: "qlora",
  preset: "balanced",
  hyperparams: { lora_r: 16, lora_alpha: 32, learning_rate: 0.0002, num_epochs: 3, target_modules: ["q_proj", "v_proj"], seed: 42 },
  metrics: { eval_loss: 1.234567, perplexity: 3.4372, rouge_l: 0.41234, exact_match: 0.125, judge_score: 3.9 },
  datasetVersion: { version: 3, contentHash: "sha256:ab12cd", numTrain: 900, numEval: 100 },
  projectName: "Handbook QA",
  createdAt: new Date("2025-01-02T03:04:05Z"),
  language: "en",
  tags: ["support"],
};

/** The front matter as data, and the Markdown after it. */
function split(card: string): { meta: Record<string, unknown>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(card);
  if (!match) throw new Error("no front matter");
  return { meta: parse(match[1]) as Record<string, unknown>, body: card.slice(match[0].length) };
}

describe("modelCard", () => {
  it("writes Hugging Face front matter that parses, with the model index", () => {
    const { meta } = split(modelCard(base));
    expect(meta).toMatchObject({
      base_model: "Qwen/Qwen2.5-0.5B-Instruct",
      library_name: "peft",
      license: "apache-2.0",
      datasets: ["acme/handbook"],
      language: ["en"],
      pipeline_tag: "text-generation",
      tags: ["finetuneflow", "qlora", "peft", "support"],
    });
    const [entry] = meta["model-index"] as Array<{ name: string; results: Array<{ task: { type: string }; dataset: { name: string }; metrics: unknown[] }> }>;
    expect(entry.name).toBe("acme/handbook-qa");
    expect(entry.results[0].task.type).toBe("text-generation");
    expect(entry.results[0].dataset.name).toBe("Handbook QA eval split (v3)");
    expect(entry.results[0].metrics).toEqual([
      { type: "loss", value: 1.2346, name: "Eval loss" },
      { type: "perplexity", value: 3.4372, name: "Perplexity" },
      { type: "rougeL", value: 0.4123, name: "ROUGE-L F1" },
      { type: "exact_match", value: 0.125, name: "Exact match" },
      { type: "llm_judge", value: 3.9, name: "LLM judge score" },
    ]);
  });

  it("has the usage, training, evaluation and reproducibility sections", () => {
    const { body } = split(modelCard(base));
    expect(body.trimStart()).toMatch(/^# acme\/handbook-qa\n/);
    const headings = body.split("\n").filter((line) => line.startsWith("## "));
    expect(headings).toEqual(["## How to use", "## Training details", "## Evaluation", "## Dataset version and reproducibility"]);
    expect(body).toContain('model = PeftModel.from_pretrained(base, "acme/handbook-qa")');
    expect(body).toContain('revision="7ae557604adf67be50417f59c2c2f167def9a775"');
    expect(body).toContain("ollama create handbook-qa -f Modelfile");
    expect(body).toContain("`FROM qwen2.5:0.5b`");
    expect(body).toContain("| target_modules | q_proj, v_proj |");
    expect(body).toContain("| Preset | balanced |");
    expect(body).toContain("| Perplexity | 3.4372 |");
    expect(body).toContain("| Dataset content hash | sha256:ab12cd |");
    expect(body).toContain("| Created | 2025-01-02T03:04:05.000Z |");
  });

  it("leaves out what is unknown: no license, no model index without metrics", () => {
    const card = modelCard({ ...base, repoName: undefined, license: undefined, datasets: undefined, language: undefined, metrics: {} });
    const { meta, body } = split(card);
    expect(Object.keys(meta)).toEqual(["base_model", "library_name", "pipeline_tag", "tags"]);
    expect(body).toContain("No evaluation was run");
    expect(body).toContain('PeftModel.from_pretrained(base, "./adapter")');
  });

  it("uses Hub license ids as they are and names others; puts metrics in the model index only with a Hub dataset", () => {
    expect(licenseFields("Apache-2.0", "a/b")).toEqual({ license: "apache-2.0" });
    expect(licenseFields("llama3.1", "meta-llama/Llama-3.1-8B")).toEqual({ license: "llama3.1" });
    expect(licenseFields("qwen", "Qwen/Qwen2.5-7B")).toEqual({
      license: "other",
      license_name: "qwen",
      license_link: "https://huggingface.co/Qwen/Qwen2.5-7B",
    });
    expect(licenseFields("other", "/models/local")).toEqual({ license: "other", license_name: "base-model-license", license_link: "LICENSE" });
    const { meta } = split(modelCard({ ...base, datasets: undefined }));
    expect(meta["model-index"]).toBeUndefined();
    const withDataset = split(modelCard({ ...base, datasets: ["acme/handbook-qa-dataset"] })).meta;
    const [entry] = withDataset["model-index"] as Array<{ results: Array<{ dataset: { type: string; split: string } }> }>;
    expect(entry.results[0].dataset).toMatchObject({ type: "acme/handbook-qa-dataset", split: "eval" });
  });

  it("keeps quotes, colons, newlines and front-matter markers in names as values", () => {
    const odd = 'Acme "QA": v2\n---\nbase_model: evil | `x`';
    const card = modelCard({
      ...base,
      repoName: 'acme/qa: "beta" `x`',
      projectName: odd,
      license: "other: see LICENSE",
      tags: ["it's", "a: b", "- c", "#d"],
      datasets: ["acme/data\nset"],
    });
    const { meta, body } = split(card);
    expect(meta.base_model).toBe("Qwen/Qwen2.5-0.5B-Instruct");
    // Not a Hub license id: "other", named, with a link, as the Hub's metadata spec asks.
    expect(meta).toMatchObject({ license: "other", license_name: "other-see-license", license_link: "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct" });
    expect(meta.tags).toEqual(["finetuneflow", "qlora", "peft", "it's", "a: b", "- c", "#d"]);
    expect(meta.datasets).toEqual(["acme/data\nset"]);
    const [entry] = meta["model-index"] as Array<{ name: string; results: Array<{ dataset: { name: string } }> }>;
    expect(entry.name).toBe('acme/qa: "beta" `x`');
    expect(entry.results[0].dataset.name).toBe(`${odd} eval split (v3)`);
    // In the body the name stays on one line, and a pipe cannot open a new table cell.
    expect(body).toContain('| Project | Acme "QA": v2 --- base_model: evil \\| `x` |');
    expect(body.split("\n").filter((line) => line === "---")).toEqual([]);
    // A backtick in a Python string is escaped, so it cannot close the code fence.
    expect(body).toContain('PeftModel.from_pretrained(base, "acme/qa: \\"beta\\" \\x60x\\x60")');
    expect(body).toContain("ollama run qa-beta-x");
  });
});
