import { describe, expect, it } from "vitest";
import { metricRows, parseEvents } from "./events";

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const time = "2026-11-23T10:00:00Z";

describe("parseEvents", () => {
  it("reads complete lines and leaves a half-written one for the next read", () => {
    const full = line({ type: "metric", time, step: 1, loss: 2.5, learning_rate: 1e-4 }) + line({ type: "eval", time, step: 1, eval_loss: 2.1, perplexity: 8.17 });
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
    const chunk = parseEvents(Buffer.from(`Traceback (most recent call last):\n${line({ type: "metric", time, step: "two" })}${line({ type: "checkpoint", time, step: 5, path: "output/checkpoints/checkpoint-5" })}`));
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
    const [event] = parseEvents(Buffer.from(line({ type: "metric", time, step: 3, epoch: 0.5, loss: 1.5, learning_rate: 2e-4, grad_norm: null, tokens_per_second: 900 }))).events;
    expect(metricRows(event).map((r) => r.name)).toEqual(["train_loss", "learning_rate", "tokens_per_second"]);
    expect(metricRows(event)[0]).toEqual({ step: 3, epoch: 0.5, name: "train_loss", value: 1.5 });
  });
});
