// Reference-based scores for comparing the base model's answers with the tuned model's: ROUGE-L
// (as Google's rouge-score computes it, without stemming), SQuAD's exact match, perplexity from
// the runner's losses, and a summary of an evaluation's samples. Pure functions, no I/O.

export type RougeScore = { precision: number; recall: number; f1: number };

/** Lowercased words; punctuation separates words, as in rouge-score's tokenizer ("don't" → "don", "t"). */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, " ")
    .split(/\s+/)
    .filter(Boolean);
}

/** Length of the longest common subsequence; one row of the DP table, as long as the shorter list. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  const row = new Array<number>(short.length + 1).fill(0);
  for (const word of long) {
    // `diagonal` holds the previous row's value at j - 1, overwritten in place as j advances.
    let diagonal = 0;
    for (let j = 1; j <= short.length; j++) {
      const above = row[j];
      row[j] = word === short[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]);
      diagonal = above;
    }
  }
  return row[short.length];
}

/** ROUGE-L of `candidate` against `reference`; all zeros when either has no words (as rouge-score). */
export function rougeL(candidate: string, reference: string): RougeScore {
  const cand = rougeTokens(candidate);
  const ref = rougeTokens(reference);
  if (cand.length === 0 || ref.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const lcs = lcsLength(cand, ref);
  const precision = lcs / cand.length;
  const recall = lcs / ref.length;
  const f1 = lcs === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** SQuAD's normalisation: lowercase, drop punctuation and the articles a/an/the, collapse whitespace. */
export function normalizeAnswer(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[\p{P}\p{S}]/gu, "")
      // Unicode-aware word edges: \b would take the "a" of "aéroport" for an article.
      .replace(/(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu, " ")
      .split(/\s+/)
      .filter(Boolean)
      .join(" ")
  );
}

export function exactMatch(candidate: string, reference: string): 0 | 1 {
  return normalizeAnswer(candidate) === normalizeAnswer(reference) ? 1 : 0;
}

/** The runner reports mean cross-entropy per token (nats); perplexity is its exponential. */
export function perplexityFromLoss(meanLoss: number): number {
  return Math.exp(meanLoss);
}

/** Perplexity over batches of different sizes: the mean loss is weighted by each batch's tokens. */
export function perplexityFromLosses(losses: readonly number[], tokenCounts: readonly number[]): number {
  if (losses.length !== tokenCounts.length) {
    throw new RangeError(`perplexityFromLosses: ${losses.length} losses but ${tokenCounts.length} token counts.`);
  }
  let weighted = 0;
  let tokens = 0;
  for (let i = 0; i < losses.length; i++) {
    if (tokenCounts[i] < 0) throw new RangeError("perplexityFromLosses: token counts cannot be negative.");
    weighted += losses[i] * tokenCounts[i];
    tokens += tokenCounts[i];
  }
  if (tokens === 0) throw new RangeError("perplexityFromLosses: no tokens to average over.");
  return perplexityFromLoss(weighted / tokens);
}

export type EvalSample = {
  reference: string;
  baseOutput: string;
  tunedOutput: string;
  /** The judge's overall score (1–5) for the tuned answer; null or absent when not judged or unreadable. */
  judgeScore?: number | null;
};

export type ModelScores = { rougeL: number; exactMatch: number };

export type SampleSummary = {
  count: number;
  base: ModelScores;
  tuned: ModelScores;
  /** Per sample, the tuned answer's ROUGE-L F1 against the base answer's. */
  tunedVsBase: { wins: number; ties: number; losses: number };
  /** Mean over the judged samples; null when none was judged. */
  judgeScore: number | null;
  judged: number;
};

/** Differences below this are float noise, not a win. */
const TIE_EPSILON = 1e-9;

export function summarizeSamples(samples: readonly EvalSample[]): SampleSummary {
  const sums = { baseRouge: 0, baseExact: 0, tunedRouge: 0, tunedExact: 0, judge: 0 };
  const tunedVsBase = { wins: 0, ties: 0, losses: 0 };
  let judged = 0;
  for (const sample of samples) {
    const base = rougeL(sample.baseOutput, sample.reference).f1;
    const tuned = rougeL(sample.tunedOutput, sample.reference).f1;
    sums.baseRouge += base;
    sums.tunedRouge += tuned;
    sums.baseExact += exactMatch(sample.baseOutput, sample.reference);
    sums.tunedExact += exactMatch(sample.tunedOutput, sample.reference);
    if (tuned - base > TIE_EPSILON) tunedVsBase.wins += 1;
    else if (base - tuned > TIE_EPSILON) tunedVsBase.losses += 1;
    else tunedVsBase.ties += 1;
    if (typeof sample.judgeScore === "number" && Number.isFinite(sample.judgeScore)) {
      sums.judge += sample.judgeScore;
      judged += 1;
    }
  }
  const mean = (sum: number) => (samples.length ? sum / samples.length : 0);
  return {
    count: samples.length,
    base: { rougeL: mean(sums.baseRouge), exactMatch: mean(sums.baseExact) },
    tuned: { rougeL: mean(sums.tunedRouge), exactMatch: mean(sums.tunedExact) },
    tunedVsBase,
    judgeScore: judged ? sums.judge / judged : null,
    judged,
  };
}
