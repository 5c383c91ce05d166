import { describe, expect, it } from "vitest";
import { CAUSE_MAX_CHARS, DETAIL_MAX_CHARS, lastLine, splitErrorText } from "./error-text";

describe("splitErrorText", () => {
  it("keeps a one-line message as it is, with no detail", () => {
    expect(splitErrorText("This run was deleted.")).toEqual({ message: "This run was deleted.", detail: null });
  });

  it("puts everything after the first line into the detail, never into the cause", () => {
    const log = `Setting up Python on lab-box failed: pip could not install the requirements.\n${"Collecting torch==2.15.0\n".repeat(80)}ERROR: No matching distribution found for torch==2.15.0`;
    const { message, detail } = splitErrorText(log);
    expect(message).toBe("Setting up Python on lab-box failed: pip could not install the requirements.");
    expect(message).not.toContain("\n");
    expect(detail).toBe(log);
  });

  it("adds a given detail after the rest of the text", () => {
    expect(splitErrorText("Failed.\nmore", "Traceback …")).toEqual({ message: "Failed.", detail: "Failed.\nmore\n\nTraceback …" });
    expect(splitErrorText("Failed.", "Traceback …")).toEqual({ message: "Failed.", detail: "Traceback …" });
  });

  it("cuts a long first line at a sentence end, or with an ellipsis, and keeps the whole in the detail", () => {
    const sentences = `Missing Python packages: torch, transformers. ${"Install them into the runner's Python environment with pip. ".repeat(8)}`;
    const split = splitErrorText(sentences);
    expect(split.message).toBe(
      "Missing Python packages: torch, transformers. Install them into the runner's Python environment with pip. Install them into the runner's Python environment with pip. Install them into the runner's Python environment with pip.",
    );
    expect(split.message.length).toBeLessThanOrEqual(CAUSE_MAX_CHARS);
    expect(split.detail).toBe(sentences.trim());
    const word = splitErrorText("x".repeat(1000));
    expect(word.message).toHaveLength(CAUSE_MAX_CHARS);
    expect(word.message.endsWith("…")).toBe(true);
  });

  it("skips leading blank lines and keeps the end of a huge log", () => {
    expect(splitErrorText("\n\n  Boom  \n").message).toBe("Boom");
    const huge = splitErrorText(`cause\n${"y".repeat(DETAIL_MAX_CHARS * 2)}END`);
    expect(huge.detail!.length).toBe(DETAIL_MAX_CHARS + 1);
    expect(huge.detail!.endsWith("END")).toBe(true);
    expect(splitErrorText("   ").message).toBe("Failed without a message.");
  });
});

describe("lastLine", () => {
  it("is the exception line of a traceback", () => {
    expect(lastLine('Traceback (most recent call last):\n  File "x.py"\nRuntimeError: CUDA error\n\n')).toBe("RuntimeError: CUDA error");
    expect(lastLine("\n \n")).toBeUndefined();
  });
});
