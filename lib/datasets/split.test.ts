import { describe, expect, it } from "vitest";
import { contentHash } from "./hash";
import { assignSplit, evalChunks } from "./split";

const hashes = Array.from({ length: 20_000 }, (_, i) => contentHash({ question: `Question ${i}?`, answer: `Answer ${i}.` }));

function trainShareOf(seed: string, trainShare: number): number {
  return hashes.filter((hash) => assignSplit(hash, seed, trainShare) === "train").length / hashes.length;
}

describe("assignSplit", () => {
  it("gives the same input the same split, every time", () => {
    const first = hashes.map((hash) => assignSplit(hash, "project-1", 0.9));
    expect(hashes.map((hash) => assignSplit(hash, "project-1", 0.9))).toEqual(first);
  });

  it.each([0.5, 0.8, 0.9, 0.95])("converges to a train share of %s", (share) => {
    for (const seed of ["project-1", "project-2"]) expect(Math.abs(trainShareOf(seed, share) - share)).toBeLessThan(0.01);
  });

  it("depends on the project seed", () => {
    const a = hashes.map((hash) => assignSplit(hash, "project-1", 0.5));
    const b = hashes.map((hash) => assignSplit(hash, "project-2", 0.5));
    const same = a.filter((split, i) => split === b[i]).length / hashes.length;
    expect(same).toBeGreaterThan(0.45);
    expect(same).toBeLessThan(0.55);
  });

  it("only moves examples from eval to train when the train share grows", () => {
    for (const hash of hashes.slice(0, 2000)) {
      if (assignSplit(hash, "project-1", 0.8) === "train") expect(assignSplit(hash, "project-1", 0.9)).toBe("train");
    }
  });

  it("puts everything on one side at the extremes", () => {
    expect(trainShareOf("project-1", 1)).toBe(1);
    expect(trainShareOf("project-1", 0)).toBe(0);
  });

  it("refuses a share outside [0, 1]", () => {
    expect(() => assignSplit(hashes[0], "project-1", 1.5)).toThrow(RangeError);
    expect(() => assignSplit(hashes[0], "project-1", Number.NaN)).toThrow(RangeError);
  });
});

describe("evalChunks", () => {
  const chunks = (source: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${source}-${i}`, sourceFileId: source }));

  it("takes each document's share of its chunks, the same for the same seed", () => {
    const all = [...chunks("a", 24), ...chunks("b", 10), ...chunks("c", 3)];
    const chosen = evalChunks(all, "seed-1", 0.9);
    const count = (source: string) => [...chosen].filter((id) => id.startsWith(`${source}-`)).length;
    expect([count("a"), count("b"), count("c")]).toEqual([2, 1, 0]);
    expect(evalChunks(all, "seed-1", 0.9)).toEqual(chosen);
    expect(evalChunks(all, "seed-2", 0.9)).not.toEqual(chosen);
    expect(evalChunks(all, "seed-1", 0.5).size).toBe(12 + 5 + 2);
  });
});
