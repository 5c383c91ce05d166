import { describe, expect, it } from "vitest";
import { metricRows, parseEvents } from "./events";

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const time = "2026-11-23T10:00:00Z";

describe("parseEvents", () => {
  it("reads complete lines and leaves a half-written one for the next read", () => {
    const full =
      line({ type: "metric", time, step: 1, loss: 2.5, learning_rate: 1e-4 }) + line({ type: "eval", time, step: 1, eval_loss: 2.1, perplexity: 8.17 });
    const partial = '{"type":"metric","time":"x","st';
    const chunk = parseEvents(Buffer.from(full + partial));
    expect(chunk.events.map((e) => e.type)).toEqual(["metric", "eval"]);
    expect(chunk.consumed).toBe(Buffer.byteLength(full));
    expect(parseEvents(Buffer.from(partial))).toEqual({ events: [], consumed: 0, skipped: [] });
  });

  it("counts bytes, not characters, so offsets stay right with non-ASCII text", () => {
    const text = line({ type: "log", time, level: "info", message: "Modèle chargé — 日本語" });
    const chunk = parseEvents(Buffer.from(text));
    expect(chunk.consumed).toBe(Buffer.byteLength(text));
    expect(chunk.events[0]).toMatchObject({ type: "log", message: "Modèle chargé — 日本語" });
  });

  it("skips lines that are not events instead of stopping", () => {
    const chunk = parseEvents(
      Buffer.from(
        `Traceback (most recent call last):\n${line({ type: "metric", time, step: "two" })}${line({ type: "checkpoint", time, step: 5, path: "output/checkpoints/checkpoint-5" })}`,
      ),
    );
    expect(chunk.events).toHaveLength(1);
    expect(chunk.skipped).toHaveLength(2);
  });

  it("validates done artifacts' checksums", () => {
    const bad = parseEvents(Buffer.from(line({ type: "done", time, metrics: {}, artifacts: [{ path: "a", size: 1, sha256: "nope" }] })));
    expect(bad.events).toHaveLength(0);
  });
});

describe("metricRows", () => {
  it("turns a metric event into one row per present figure", () => {
    const [event] = parseEvents(
      Buffer.from(line({ type: "metric", time, step: 3, epoch: 0.5, loss: 1.5, learning_rate: 2e-4, grad_norm: null, tokens_per_second: 900 })),
    ).events;
    expect(metricRows(event).map((r) => r.name)).toEqual(["train_loss", "learning_rate", "tokens_per_second"]);
    expect(metricRows(event)[0]).toEqual({ step: 3, epoch: 0.5, name: "train_loss", value: 1.5 });
  });
});

describe("throughput and exact token counts", () => {
  it("stores MFU as a run metric and reads the start event's FLOPs figures", () => {
    const [metric, start] = parseEvents(
      Buffer.from(
        line({ type: "metric", time, step: 4, loss: 1.2, tokens_per_second: 5200, mfu: 0.31 }) +
          line({ type: "start", time, total_steps: 10, hardware: { python: "3.11", gpus: [], flops_per_token: 2.9e9, peak_flops: null } }),
      ),
    ).events;
    expect(metricRows(metric).map((r) => [r.name, r.value])).toEqual([
      ["train_loss", 1.2],
      ["tokens_per_second", 5200],
      ["mfu", 0.31],
    ]);
    expect(start).toMatchObject({ type: "start", hardware: { python: "3.11", flops_per_token: 2.9e9, peak_flops: null } });
    // A negative MFU is not a figure the runner can mean.
    expect(parseEvents(Buffer.from(line({ type: "metric", time, step: 1, mfu: -0.1 }))).events).toHaveLength(0);
  });

  it("accepts the prepare step's counts per split and refuses a split it does not know", () => {
    const prepared = { type: "prepared", time, split: "train", examples: 1234, sequences: 310, tokens: 412_000, truncated: 3, dropped: 0, longest: 2048 };
    const chunk = parseEvents(
      Buffer.from(
        line(prepared) + line({ ...prepared, split: "preview" }) + line({ type: "prepared", time, split: "eval", examples: 5, sequences: 5, tokens: 90 }),
      ),
    );
    expect(chunk.events).toEqual([prepared, { type: "prepared", time, split: "eval", examples: 5, sequences: 5, tokens: 90, truncated: 0, dropped: 0 }]);
    expect(chunk.skipped).toHaveLength(1);
    expect(metricRows(chunk.events[0])).toEqual([]);
  });
});
