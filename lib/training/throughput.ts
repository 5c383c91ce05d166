// How fast a run trains, as the run page states it: tokens/s, and MFU (model FLOPs
// utilisation) with the formula and the figures that went into it. Pure: shared by the page
// and its tests.

/** Stated on the run page beside the figure. The runner computes both factors (worker/runner/PROTOCOL.md). */
export const MFU_FORMULA = "MFU = tokens/s × model FLOPs per token ÷ the GPU's peak bf16 FLOP/s";

const SI: Array<[number, string]> = [
  [1e15, "P"],
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
];

/** 2.94e9 → "2.94 GFLOP"; with `perSecond`, 9.89e14 → "989 TFLOP/s". */
export function formatFlops(value: number, perSecond = false): string {
  const unit = perSecond ? "FLOP/s" : "FLOP";
  const [scale, prefix] = SI.find(([s]) => value >= s) ?? [1, ""];
  return `${Number((value / scale).toPrecision(3))} ${prefix}${unit}`;
}

/** 0.3124 → "31.2%". */
export function formatMfu(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** The sentence under the figure: the formula with this run's factors, or why MFU is missing. */
export function describeMfu(figures: { flopsPerToken: number | null; peakFlops: number | null; gpu: string | null }): string {
  const perToken = figures.flopsPerToken ? `${formatFlops(figures.flopsPerToken)} per token` : "not reported by the runner";
  const gpu = figures.gpu ? ` (${figures.gpu})` : "";
  const peak = figures.peakFlops ? `${formatFlops(figures.peakFlops, true)}${gpu}` : `unknown for this GPU${gpu}, so MFU is not computed`;
  return `${MFU_FORMULA}. Model FLOPs: ${perToken}; peak: ${peak}.`;
}
