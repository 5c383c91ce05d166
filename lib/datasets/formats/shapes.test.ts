import { describe, expect, it } from "vitest";
import { detectShape } from "./shapes";

describe("detectShape", () => {
  it("detects Alpaca, with or without input", () => {
    const sample = [
      { instruction: "Add.", input: "2 + 2", output: "4" },
      { instruction: "Name a colour.", output: "Blue" },
    ];
    expect(detectShape(sample)).toEqual({
      shape: "alpaca",
      columns: ["instruction", "input", "output"],
      suggestedMapping: { shape: "columns", columns: { instruction: "instruction", input: "input", output: "output" } },
    });
  });

  it("detects Dolly's instruction/context/response as Alpaca", () => {
    const sample = [{ instruction: "Summarise.", context: "Long text", response: "Short", category: "summarization" }];
    expect(detectShape(sample).suggestedMapping).toEqual({
      shape: "columns",
      columns: { instruction: "instruction", input: "context", output: "response" },
    });
  });

  it("detects ShareGPT conversations", () => {
    const sample = [
      {
        conversations: [
          { from: "human", value: "Hi" },
          { from: "gpt", value: "Hello" },
        ],
        id: "1",
      },
      {
        conversations: [
          { from: "system", value: "Be brief." },
          { from: "human", value: "Hi" },
          { from: "gpt", value: "Yo" },
        ],
      },
    ];
    expect(detectShape(sample)).toEqual({ shape: "sharegpt", columns: ["conversations", "id"], suggestedMapping: { shape: "sharegpt" } });
  });

  it("detects OpenAI messages", () => {
    const sample = [
      {
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
      },
    ];
    expect(detectShape(sample)).toEqual({ shape: "openai", columns: ["messages"], suggestedMapping: { shape: "openai" } });
  });

  it("detects QA and its common aliases, case-insensitively", () => {
    expect(detectShape([{ Question: "Why?", Answer: "Because." }]).suggestedMapping).toEqual({
      shape: "columns",
      columns: { question: "Question", answer: "Answer" },
    });
    for (const [question, answer] of [
      ["prompt", "completion"],
      ["prompt", "response"],
      ["query", "response"],
    ]) {
      const detection = detectShape([{ [question]: "Why?", [answer]: "Because." }]);
      expect(detection.shape).toBe("qa");
      expect(detection.suggestedMapping).toEqual({ shape: "columns", columns: { question, answer } });
    }
  });

  it("maps a QA context and a system prompt", () => {
    const sample = [{ context: "Paris is in France.", question: "Where is Paris?", answer: "France", system: "Be brief." }];
    expect(detectShape(sample)).toEqual({
      shape: "qa",
      columns: ["context", "question", "answer", "system"],
      suggestedMapping: { shape: "columns", columns: { question: "question", answer: "answer", input: "context", system: "system" } },
    });
  });

  it("lists every column seen, for the mapping form, when the shape is unknown", () => {
    expect(detectShape([{ text: "a" }, { text: "b", label: 1 }])).toEqual({ shape: "unknown", columns: ["text", "label"], suggestedMapping: null });
    expect(detectShape([])).toEqual({ shape: "unknown", columns: [], suggestedMapping: null });
  });

  it("goes by most of the sample", () => {
    const chat = {
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
      ],
    };
    expect(detectShape([chat, chat, { messages: "broken" }]).shape).toBe("openai");
    expect(detectShape([chat, { messages: "broken" }, { messages: null }]).shape).toBe("unknown");
  });
});

describe("detectShape: preference and feedback data", () => {
  it("takes chosen/rejected as DPO pairs, with the prompt column or, without one, the chosen conversation", () => {
    expect(detectShape([{ prompt: "a", chosen: "b", rejected: "c" }])).toEqual({
      shape: "preference",
      columns: ["prompt", "chosen", "rejected"],
      suggestedMapping: { shape: "columns", columns: { question: "prompt", answer: "chosen", rejected: "rejected" } },
    });
    expect(detectShape([{ chosen: [], rejected: [] }]).suggestedMapping).toEqual({
      shape: "columns",
      columns: { question: "chosen", answer: "chosen", rejected: "rejected" },
    });
  });

  it("takes a true/false label column as KTO's, rejecting the bad answers by default", () => {
    const rows = [
      { prompt: "a", completion: "b", label: true },
      { prompt: "c", completion: "d", label: false },
    ];
    expect(detectShape(rows)).toEqual({
      shape: "kto",
      columns: ["prompt", "completion", "label"],
      suggestedMapping: { shape: "columns", columns: { question: "prompt", answer: "completion" }, label: { column: "label", whenFalse: "reject" } },
    });
    // A label of classes is not KTO's.
    expect(detectShape([{ text: "a", label: "sports" }]).shape).toBe("unknown");
  });
});
