import { describe, expect, it } from "vitest";
import { describeMfu, formatFlops, formatMfu } from "./throughput";

describe("throughput figures", () => {
  it("formats FLOPs and MFU", () => {
    expect(formatFlops(2.94e9)).toBe("2.94 GFLOP");
    expect(formatFlops(9.89e14, true)).toBe("989 TFLOP/s");
    expect(formatFlops(1.2e15, true)).toBe("1.2 PFLOP/s");
    expect(formatMfu(0.3124)).toBe("31.2%");
  });

  it("states the formula with the run's factors, and says why MFU is missing without a known peak", () => {
    expect(describeMfu({ flopsPerToken: 3e9, peakFlops: 165e12, gpu: "NVIDIA L40S" })).toBe(
      "MFU = tokens/s × model FLOPs per token ÷ the GPU's peak bf16 FLOP/s. Model FLOPs: 3 GFLOP per token; peak: 165 TFLOP/s (NVIDIA L40S).",
    );
    expect(describeMfu({ flopsPerToken: 3e9, peakFlops: null, gpu: "Some GPU" })).toMatch(/peak: unknown for this GPU \(Some GPU\), so MFU is not computed\.$/);
    expect(describeMfu({ flopsPerToken: null, peakFlops: null, gpu: null })).toMatch(/Model FLOPs: not reported by the runner;/);
  });
});
