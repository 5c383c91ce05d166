// Train/eval assignment. It depends only on the project's seed and the example's content hash,
// so re-running generation or an import puts every example on the same side again, and exact
// duplicates can never straddle train and eval.
import { createHash } from "node:crypto";

export type TrainEvalSplit = "train" | "eval";

/** A uniform draw in [0, 1) fixed by (seed, content hash). */
function splitDraw(contentHash: string, projectSeed: string): number {
  const digest = createHash("sha256").update(`${projectSeed}:${contentHash}`).digest();
  // 48 bits: the widest integer Buffer reads at once, and exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function assignSplit(contentHash: string, projectSeed: string, trainShare: number): TrainEvalSplit {
  if (!(trainShare >= 0 && trainShare <= 1)) {
    throw new RangeError(`trainShare must be between 0 and 1, got ${trainShare}`);
  }
  return splitDraw(contentHash, projectSeed) < trainShare ? "train" : "eval";
}
