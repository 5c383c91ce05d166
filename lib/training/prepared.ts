// Exact token counts: what the runner's prepare step measured with the base model's own
// tokenizer (the `prepared` events), kept on the Run. Until a run has measured a dataset, the
// app's counts are cl100k estimates. Pure: the run page and the dataset stats share it.
import type { PreparedSplit } from "@/lib/runner-program/events";

/** Run.prepared: per split, with the settings that shaped the counts (truncation, packing). */
export type PreparedCounts = { train?: PreparedSplit; eval?: PreparedSplit; max_seq_length: number; packing: boolean };

/** 950 → "950", 412,345 → "412k", 3,400,000 → "3.4M". */
export function formatTokenCount(n: number): string {
  if (n < 10_000) return n.toLocaleString("en-US");
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${Number((n / 1_000_000).toPrecision(3))}M`;
}

/** "1,234 examples → 310 packed sequences, 412k tokens, 3 truncated at max length, 0 dropped". */
export function describePrepared(split: PreparedSplit, packing: boolean): string {
  const count = (n: number) => n.toLocaleString("en-US");
  const sequences = `${count(split.sequences)} ${packing ? "packed " : ""}sequence${split.sequences === 1 ? "" : "s"}`;
  return `${count(split.examples)} example${split.examples === 1 ? "" : "s"} → ${sequences}, ${formatTokenCount(split.tokens)} tokens, ${count(split.truncated)} truncated at max length, ${count(split.dropped)} dropped`;
}

/** Run.prepared as stored (null or anything else: none). */
export function readPrepared(value: unknown): PreparedCounts | null {
  if (!value || typeof value !== "object") return null;
  const counts = value as Partial<PreparedCounts>;
  if (typeof counts.max_seq_length !== "number" || (!counts.train && !counts.eval)) return null;
  return { train: counts.train, eval: counts.eval, max_seq_length: counts.max_seq_length, packing: Boolean(counts.packing) };
}
