// A project's configuration (`Project.config`), with its defaults.
import { z } from "zod";
import { CHUNK_STRATEGIES, type ChunkStrategy } from "@/lib/chunking/types";
import { OCR_LANGUAGES_PATTERN } from "@/lib/ingest/ocr-languages";

export const projectConfigSchema = z
  .object({
    num_examples_target: z.number().int().min(1, "At least 1 example.").max(1_000_000).default(2000),
    max_seq_length: z.number().int().min(128, "At least 128 tokens.").max(131_072).default(2048),
    train_eval_split: z.number().gt(0, "Must be between 0 and 1.").lt(1, "Must be between 0 and 1 (the rest is the eval split).").default(0.9),
    examples_per_chunk: z.number().int().min(1, "At least 1.").max(50, "At most 50.").default(5),
    chunk_size_tokens: z.number().int().min(32, "At least 32 tokens.").max(8192, "At most 8192 tokens.").default(512),
    chunk_overlap_tokens: z.number().int().min(0, "Cannot be negative.").default(50),
    /** Where chunks may end (lib/chunking/types ChunkStrategy). */
    chunk_strategy: z.enum(CHUNK_STRATEGIES as [ChunkStrategy, ...ChunkStrategy[]], "Choose tokens, sections or paragraphs.").default("tokens"),
    /** A run refuses to start when more of the eval split than this leaks from train (lib/datasets/leakage), unless given a reason. */
    max_eval_leakage: z.number().min(0, "Between 0 and 1.").max(1, "Between 0 and 1.").default(0.1),
    /** Examples at least this similar (estimated Jaccard of their word pairs) are grouped as near-duplicates. */
    near_dup_threshold: z.number().min(0.5, "Between 0.5 and 1.").max(1, "Between 0.5 and 1.").default(0.7),
    /** Tesseract languages for scans and images, e.g. "eng+deu"; empty turns OCR off. */
    ocr_languages: z
      .string()
      .trim()
      .max(100, "At most 100 characters.")
      .refine((v) => v === "" || OCR_LANGUAGES_PATTERN.test(v), "Language codes joined by +, like eng or eng+deu (empty: no OCR).")
      .default("eng"),
    /** What reads scans and images: the workers' Tesseract, or a vision model on one of the workspace's LLM providers. */
    ocr_engine: z.enum(["tesseract", "vision"], "Choose Tesseract or a vision model.").default("tesseract"),
    /** The LLM provider whose vision model reads scans (its id); empty: the workspace's default provider. */
    ocr_vision_provider: z
      .string()
      .trim()
      .refine((v) => v === "" || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v), "Choose one of this workspace's providers.")
      .default(""),
    /** The vision model's name on that provider; empty: the provider's default model. */
    ocr_vision_model: z.string().trim().max(200, "At most 200 characters.").default(""),
    /** Word documents' comments: added to the text, labelled, instead of left out with a warning. */
    docx_comments: z.boolean().default(false),
    /** The dataset's licence as a Hub licence id (cc-by-4.0, apache-2.0 …); empty: not stated. Goes into the dataset card. */
    dataset_license: z
      .string()
      .trim()
      .toLowerCase()
      .max(64, "At most 64 characters.")
      .refine((v) => v === "" || /^[a-z0-9][a-z0-9.+-]*$/.test(v), "A licence id like cc-by-4.0 or apache-2.0 (empty: not stated).")
      .default(""),
  })
  .superRefine((config, ctx) => {
    if (config.chunk_overlap_tokens >= config.chunk_size_tokens / 2) {
      ctx.addIssue({
        code: "custom",
        path: ["chunk_overlap_tokens"],
        message: "The overlap must be less than half the chunk size.",
      });
    }
  });

export type ProjectConfig = z.infer<typeof projectConfigSchema>;

export const DEFAULT_PROJECT_CONFIG: ProjectConfig = projectConfigSchema.parse({});

/** Reads a stored config, filling defaults for keys it lacks. */
export function readProjectConfig(stored: unknown): ProjectConfig {
  const parsed = projectConfigSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : { ...DEFAULT_PROJECT_CONFIG, ...(stored as object) };
}

export const CONFIG_LABELS: Record<keyof ProjectConfig, { label: string; help: string }> = {
  num_examples_target: { label: "Target examples", help: "Generation stops once this many valid examples exist." },
  max_seq_length: { label: "Max sequence length", help: "Tokens per training example; longer examples are marked invalid." },
  train_eval_split: { label: "Train share", help: "Share of examples in the train split; the rest is eval." },
  examples_per_chunk: { label: "Examples per chunk", help: "How many examples the LLM writes from each chunk." },
  chunk_size_tokens: { label: "Chunk size (tokens)", help: "Largest chunk, in tiktoken tokens." },
  chunk_overlap_tokens: { label: "Chunk overlap (tokens)", help: "Tokens repeated between consecutive chunks." },
  chunk_strategy: {
    label: "Chunking strategy",
    help: "Token windows fill each chunk up to the size; by section never crosses a heading (Markdown, HTML, Word, PDF outlines); by paragraph ends at a blank line whenever one fits. Sources chunked another way are marked for re-chunking.",
  },
  max_eval_leakage: {
    label: "Max eval leakage",
    help: "Share of eval examples whose text is mostly in train (at least half of their 8-word runs). Above it a run starts only with a reason, kept on the run.",
  },
  near_dup_threshold: {
    label: "Near-duplicate similarity",
    help: "Examples sharing at least this share of their word pairs (0.5–1, estimated by MinHash; one word changed in a 25-word example leaves about 0.85) are grouped as near-duplicates in review.",
  },
  ocr_engine: {
    label: "OCR engine",
    help: "Tesseract runs on the workers at no cost. A vision model on one of the workspace's LLM providers reads hard scans, handwriting and mixed languages better, and is billed per page at the provider's prices.",
  },
  ocr_languages: {
    label: "OCR languages",
    help: "Scans and images are read by OCR in these languages (Tesseract codes: eng, deu, fra … joined by +). Empty turns OCR off.",
  },
  ocr_vision_provider: {
    label: "Vision model provider",
    help: "The LLM provider that reads scans when the OCR engine is a vision model.",
  },
  ocr_vision_model: {
    label: "Vision model",
    help: "A model of that provider that takes images (gpt-4o-mini, qwen2.5vl, llama3.2-vision …). Empty: the provider's default model.",
  },
  dataset_license: {
    label: "Dataset licence",
    help: "A Hugging Face licence id (cc-by-4.0, apache-2.0, mit, other …) written into the dataset card of exports and Hub pushes. Empty: the card says it is not stated.",
  },
  docx_comments: {
    label: "Include Word comments",
    help: "Reviewers' comments in .docx files are added to the text, labelled with their author. Off: left out, with a warning that counts them.",
  },
};

/** Settings typed as text, as on/off, or chosen from a list; the others are numbers. */
export const TEXT_CONFIG_KEYS = new Set<keyof ProjectConfig>(["ocr_languages", "ocr_vision_provider", "ocr_vision_model", "dataset_license"]);
export const CHOICE_CONFIG_KEYS: Partial<Record<keyof ProjectConfig, ReadonlyArray<{ value: string; label: string }>>> = {
  chunk_strategy: [
    { value: "tokens", label: "Token windows" },
    { value: "sections", label: "By section (headings)" },
    { value: "paragraphs", label: "By paragraph" },
  ],
  ocr_engine: [
    { value: "tesseract", label: "Tesseract (on the workers)" },
    { value: "vision", label: "A vision model (LLM provider)" },
  ],
};
export const BOOLEAN_CONFIG_KEYS = new Set<keyof ProjectConfig>(["docx_comments"]);
