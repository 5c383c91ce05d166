import { describe, expect, it } from "vitest";
import { type DatasetMapping, datasetMappingSchema, toExample } from "./mapping";

const alpaca: DatasetMapping = { shape: "columns", columns: { instruction: "instruction", input: "input", output: "output" } };
const qaColumns: DatasetMapping = { shape: "columns", columns: { question: "question", input: "context", answer: "answer" } };

describe("toExample: columns", () => {
  const record = { instruction: "Translate to French.", input: "Good morning", output: "Bonjour" };

  it("keeps Alpaca records as they are in an instruction project", () => {
    expect(toExample(record, alpaca, "instruction")).toEqual({ data: record });
    expect(toExample({ instruction: "Name a prime.", output: "7" }, alpaca, "instruction")).toEqual({
      data: { instruction: "Name a prime.", input: "", output: "7" },
    });
  });

  it("folds instruction and input into the question of a QA project", () => {
    expect(toExample(record, alpaca, "qa")).toEqual({ data: { question: "Translate to French.\n\nGood morning", answer: "Bonjour" } });
  });

  it("turns a question into an instruction with its context as input", () => {
    const qa = { context: "Paris is in France.", question: "Where is Paris?", answer: "France" };
    expect(toExample(qa, qaColumns, "instruction")).toEqual({
      data: { instruction: "Where is Paris?", input: "Paris is in France.", output: "France" },
    });
    expect(toExample(qa, qaColumns, "qa")).toEqual({ data: { question: "Paris is in France.\n\nWhere is Paris?", answer: "France" } });
    expect(toExample({ question: "Why?", answer: "Because." }, qaColumns, "instruction")).toEqual({
      data: { instruction: "Why?", input: "", output: "Because." },
    });
  });

  it("follows a custom mapping, with a system column", () => {
    const mapping = datasetMappingSchema.parse({
      shape: "columns",
      columns: { question: "Frage", answer: "Antwort", system: "Rolle" },
    });
    const row = { Frage: "Wie spät ist es?", Antwort: "Drei Uhr.", Rolle: "Sei kurz.", Notiz: "ignored" };
    expect(toExample(row, mapping, "qa")).toEqual({ data: { question: "Sei kurz.\n\nWie spät ist es?", answer: "Drei Uhr." } });
    expect(toExample(row, mapping, "instruction")).toEqual({
      data: { instruction: "Wie spät ist es?", input: "Sei kurz.", output: "Drei Uhr." },
    });
  });

  it("reads numbers as text", () => {
    expect(toExample({ question: "6 × 7?", answer: 42 }, qaColumns, "qa")).toEqual({ data: { question: "6 × 7?", answer: "42" } });
  });

  it("explains what is wrong with a record", () => {
    expect(toExample({ instruction: "Do it." }, alpaca, "instruction")).toEqual({ error: 'The record has no "output" value.' });
    expect(toExample({ instruction: "Do it.", output: "  " }, alpaca, "instruction")).toEqual({ error: 'The "output" value is empty.' });
    expect(toExample({ instruction: ["a"], output: "b" }, alpaca, "qa")).toEqual({ error: 'The "instruction" value is a list, not text.' });
    expect(toExample({ instruction: "a", input: { x: 1 }, output: "b" }, alpaca, "qa")).toEqual({
      error: 'The "input" value is an object, not text.',
    });
  });
});

describe("toExample: conversations", () => {
  const sharegpt = {
    conversations: [
      { from: "system", value: "You are terse." },
      { from: "human", value: "Capital of France?" },
      { from: "gpt", value: "Paris." },
      { from: "human", value: "And Spain?" },
      { from: "gpt", value: "Madrid." },
    ],
  };

  it("takes the first exchange, with the system text in input or before the question", () => {
    expect(toExample(sharegpt, { shape: "sharegpt" }, "instruction")).toEqual({
      data: { instruction: "Capital of France?", input: "You are terse.", output: "Paris." },
    });
    expect(toExample(sharegpt, { shape: "sharegpt" }, "qa")).toEqual({
      data: { question: "You are terse.\n\nCapital of France?", answer: "Paris." },
    });
  });

  it("reads OpenAI messages, text content parts and tool turns included", () => {
    const record = {
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Oslo?" }] },
        { role: "tool", content: "cloudy" },
        { role: "assistant", content: "Cloudy." },
      ],
    };
    expect(toExample(record, { shape: "openai" }, "qa")).toEqual({ data: { question: "Weather in Oslo?", answer: "Cloudy." } });
  });

  it("refuses conversations without a reply", () => {
    const noReply = {
      messages: [
        { role: "system", content: "Hi" },
        { role: "user", content: "Hello?" },
      ],
    };
    expect(toExample(noReply, { shape: "openai" }, "qa")).toEqual({ error: "The first user turn is not followed by an assistant reply." });
    const noUser = { conversations: [{ from: "gpt", value: "Hello" }] };
    expect(toExample(noUser, { shape: "sharegpt" }, "qa")).toEqual({ error: "The conversation has no user turn." });
    expect(toExample({ text: "x" }, { shape: "sharegpt" }, "qa")).toEqual({ error: 'The record has no "conversations" list.' });
  });

  it("explains broken turns", () => {
    const noRole = { messages: [{ content: "Hi" }] };
    expect(toExample(noRole, { shape: "openai" }, "qa")).toEqual({ error: 'Turn 1 of "messages" has no "role".' });
    const image = {
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://x" } }] },
        { role: "assistant", content: "A cat." },
      ],
    };
    expect(toExample(image, { shape: "openai" }, "qa")).toEqual({ error: 'Turn 1 of "messages" has no text in "content".' });
    const blank = {
      conversations: [
        { from: "human", value: "Hi" },
        { from: "gpt", value: " " },
      ],
    };
    expect(toExample(blank, { shape: "sharegpt" }, "qa")).toEqual({ error: "The assistant reply is empty." });
  });
});

describe("datasetMappingSchema", () => {
  it("needs exactly one prompt and one response column", () => {
    const issues = (columns: object) => datasetMappingSchema.safeParse({ shape: "columns", columns }).error?.issues.map((issue) => issue.message) ?? [];
    expect(issues({ instruction: "a", output: "b" })).toEqual([]);
    expect(issues({ output: "b" })).toEqual(["Choose one column for the instruction or the question."]);
    expect(issues({ question: "a", instruction: "b", answer: "c", output: "d" })).toEqual([
      "Choose one column for the instruction or the question.",
      "Choose one column for the output or the answer.",
    ]);
  });

  it("accepts the chat shapes and refuses others", () => {
    expect(datasetMappingSchema.safeParse({ shape: "sharegpt" }).success).toBe(true);
    expect(datasetMappingSchema.safeParse({ shape: "openai" }).success).toBe(true);
    expect(datasetMappingSchema.safeParse({ shape: "alpaca" }).success).toBe(false);
  });
});
