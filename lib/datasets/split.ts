// Train/eval assignment. It depends only on the project's seed and a key: for generated examples
// their chunk (all examples of one passage on one side, so its near-identical examples do not
// straddle the split, and each document's chunks are drawn at the project's share), for imported
// ones their content hash (exact duplicates on one side). Re-running generation or an import puts
// every example on the same side again.
import { createHash } from "node:crypto";

export type TrainEvalSplit = "train" | "eval";

/** A uniform draw in [0, 1) fixed by (seed, content hash). */
function splitDraw(contentHash: string, projectSeed: string): number {
  const digest = createHash("sha256").update(`${projectSeed}:${contentHash}`).digest();
  // 48 bits: the widest integer Buffer reads at once, and exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function assignSplit(key: string, projectSeed: string, trainShare: number): TrainEvalSplit {
  if (!(trainShare >= 0 && trainShare <= 1)) {
    throw new RangeError(`trainShare must be between 0 and 1, got ${trainShare}`);
  }
  return splitDraw(key, projectSeed) < trainShare ? "train" : "eval";
}
