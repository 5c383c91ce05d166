import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type DatasetCardFacts, renderDatasetCard, sizeCategory } from "./card";

const facts: DatasetCardFacts = {
  projectName: 'Support "handbook": QA',
  taskType: "qa",
  license: "cc-by-4.0",
  sources: [
    { filename: "handbook.pdf", kind: "document", format: "pdf", pages: 12, chunks: 40 },
    { filename: "faq.jsonl", kind: "dataset", format: "jsonl", pages: null, chunks: 0 },
  ],
  generation: { provider: "Team vLLM", model: "qwen2.5-7b", temperature: 0.7, examplesPerChunk: 5, jobs: 2, tokensIn: 12_000, tokensOut: 3_400 },
  review: { approved: 10, rejected: 2, pending: 150 },
  duplicates: 7,
  leakage: { eval: 20, leaked: 1, share: 0.05 },
  ratings: { "5": 3, "3": 1 },
  judgeScores: { scored: 12, buckets: { "4": 7, "5": 2, "2": 3 } },
};

describe("renderDatasetCard", () => {
  it("writes the Hub's front matter (licence, task, size, split files) and says where the examples came from", () => {
    const card = renderDatasetCard(facts, {
      files: { train: "train.jsonl", eval: "eval.jsonl" },
      counts: { train: 140, eval: 20 },
      format: "Alpaca",
      loadable: true,
    });
    const [, yaml, body] = card.split(/^---$/m);
    expect(parse(yaml)).toEqual({
      pretty_name: 'Support "handbook": QA',
      license: "cc-by-4.0",
      task_categories: ["question-answering"],
      size_categories: ["n<1K"],
      tags: ["finetuneflow", "synthetic"],
      configs: [
        {
          config_name: "default",
          data_files: [
            { split: "train", path: "train.jsonl" },
            { split: "eval", path: "eval.jsonl" },
          ],
        },
      ],
    });
    expect(body).toContain("| train | train.jsonl | 140 |");
    expect(body).toContain("- handbook.pdf (PDF, 12 pages, 40 chunks)");
    expect(body).toContain("Imported from faq.jsonl.");
    expect(body).toContain("qwen2.5-7b on Team vLLM, temperature 0.7, 5 examples per chunk; 2 runs, 12,000 tokens in and 3,400 out.");
    expect(body).toContain("Exact duplicates left out: 7.");
    expect(body).toContain("1 of 20 eval examples (5.0 %)");
    expect(body).toContain("Ratings: 5★ 3, 3★ 1.");
    expect(body).toContain("LLM-judge scores (12 scored): 5 2, 4–4.9 7, 2–2.9 3.");
  });

  it("leaves `configs` out for files the Hub cannot load and says when the licence or leakage is unknown", () => {
    const card = renderDatasetCard(
      { ...facts, license: "", leakage: null, generation: null, judgeScores: { scored: 0, buckets: {} } },
      { files: { train: "train.xlsx" }, counts: { train: 5, eval: 0 }, format: "Excel", loadable: false },
    );
    const yaml = parse(card.split(/^---$/m)[1]);
    expect(yaml.configs).toBeUndefined();
    expect(yaml.license).toBe("other");
    expect(yaml.tags).toEqual(["finetuneflow"]);
    expect(card).toContain("| eval | (none) | 0 |");
    expect(card).toContain("Licence: not stated");
    expect(card).toContain("leakage: not measured here");
    expect(card).not.toContain("LLM-judge");
  });

  it("sizes as the Hub does", () => {
    expect([0, 999, 1000, 99_999, 100_000, 2_000_000].map(sizeCategory)).toEqual(["n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"]);
  });
});
