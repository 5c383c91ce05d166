// Train/eval assignment. Imported examples: by the project's seed and their content hash (exact
// duplicates on one side). Generated examples: by their chunk (evalChunks): all examples of one
// passage on one side, so its near-identical examples do not straddle the split, and each source
// document gives the eval split its share of its chunks. Either way, re-running generation or an
// import puts every example on the same side again.
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

/**
 * The chunks whose examples go to eval: in each source document, its chunks ordered by a draw
 * fixed by (seed, chunk), the first round(n × (1 − trainShare)) of them. Stratified by document
 * and exact in share, where drawing each chunk alone would leave a small project's eval empty.
 */
export function evalChunks(chunks: ReadonlyArray<{ id: string; sourceFileId: string }>, projectSeed: string, trainShare: number): Set<string> {
  const bySource = new Map<string, string[]>();
  for (const chunk of chunks) {
    const list = bySource.get(chunk.sourceFileId);
    if (list) list.push(chunk.id);
    else bySource.set(chunk.sourceFileId, [chunk.id]);
  }
  const chosen = new Set<string>();
  for (const ids of bySource.values()) {
    const ranked = ids.map((id) => ({ id, draw: splitDraw(`chunk:${id}`, projectSeed) })).sort((a, b) => a.draw - b.draw);
    const take = Math.round(ids.length * (1 - trainShare));
    for (const { id } of ranked.slice(0, take)) chosen.add(id);
  }
  return chosen;
}
