import { describe, expect, it } from "vitest";
import { type DatasetMapping, datasetMappingSchema, toExample } from "./mapping";

const alpaca: DatasetMapping = { shape: "columns", columns: { instruction: "instruction", input: "input", output: "output" } };
const qaColumns: DatasetMapping = { shape: "columns", columns: { question: "question", input: "context", answer: "answer" } };

describe("toExample: columns", () => {
  const record = { instruction: "Translate to French.", input: "Good morning", output: "Bonjour" };

  it("keeps Alpaca records as they are in an instruction project", () => {
    expect(toExample(record, alpaca, "instruction")).toEqual({ notes: [], data: record });
    expect(toExample({ instruction: "Name a prime.", output: "7" }, alpaca, "instruction")).toEqual({
      notes: [],
      data: { instruction: "Name a prime.", input: "", output: "7" },
    });
  });

  it("folds instruction and input into the question of a QA project", () => {
    expect(toExample(record, alpaca, "qa")).toEqual({ notes: [], data: { question: "Translate to French.\n\nGood morning", answer: "Bonjour" } });
  });

  it("turns a question into an instruction with its context as input", () => {
    const qa = { context: "Paris is in France.", question: "Where is Paris?", answer: "France" };
    expect(toExample(qa, qaColumns, "instruction")).toEqual({
      notes: [],
      data: { instruction: "Where is Paris?", input: "Paris is in France.", output: "France" },
    });
    expect(toExample(qa, qaColumns, "qa")).toEqual({ notes: [], data: { question: "Paris is in France.\n\nWhere is Paris?", answer: "France" } });
    expect(toExample({ question: "Why?", answer: "Because." }, qaColumns, "instruction")).toEqual({
      notes: [],
      data: { instruction: "Why?", input: "", output: "Because." },
    });
  });

  it("follows a custom mapping, with a system column", () => {
    const mapping = datasetMappingSchema.parse({
      shape: "columns",
      columns: { question: "Frage", answer: "Antwort", system: "Rolle" },
    });
    const row = { Frage: "Wie spät ist es?", Antwort: "Drei Uhr.", Rolle: "Sei kurz.", Notiz: "ignored" };
    expect(toExample(row, mapping, "qa")).toEqual({ notes: [], data: { question: "Sei kurz.\n\nWie spät ist es?", answer: "Drei Uhr." } });
    expect(toExample(row, mapping, "instruction")).toEqual({
      notes: [],
      data: { instruction: "Wie spät ist es?", input: "Sei kurz.", output: "Drei Uhr." },
    });
  });

  it("reads numbers as text", () => {
    expect(toExample({ question: "6 × 7?", answer: 42 }, qaColumns, "qa")).toEqual({ notes: [], data: { question: "6 × 7?", answer: "42" } });
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

  it("keeps a conversation whole: the last exchange is the example, the earlier ones its history, the system text opening the first", () => {
    expect(toExample(sharegpt, { shape: "sharegpt" }, "instruction")).toEqual({
      notes: ["conversations"],
      data: { instruction: "And Spain?", input: "", output: "Madrid.", history: [["You are terse.\n\nCapital of France?", "Paris."]] },
    });
    expect(toExample(sharegpt, { shape: "sharegpt" }, "qa")).toEqual({
      notes: ["conversations"],
      data: { question: "And Spain?", answer: "Madrid.", history: [["You are terse.\n\nCapital of France?", "Paris."]] },
    });
  });

  it("a single exchange keeps the system text in input or before the question; an unanswered last turn is left out and noted", () => {
    const single = { conversations: [...sharegpt.conversations.slice(0, 3), { from: "human", value: "Thanks!" }] };
    expect(toExample(single, { shape: "sharegpt" }, "instruction")).toEqual({
      notes: ["later_turns"],
      data: { instruction: "Capital of France?", input: "You are terse.", output: "Paris." },
    });
    expect(toExample(single, { shape: "sharegpt" }, "qa")).toEqual({
      notes: ["later_turns"],
      data: { question: "You are terse.\n\nCapital of France?", answer: "Paris." },
    });
  });

  it("reads a history column as a list or as its JSON text (CSV), and refuses one that is not [user, reply] pairs", () => {
    const columns = { question: "q", answer: "a", history: "h" };
    const turns = [["Capital of France?", "Paris."]];
    expect(toExample({ q: "And Spain?", a: "Madrid.", h: turns }, { shape: "columns", columns }, "qa")).toEqual({
      notes: [],
      data: { question: "And Spain?", answer: "Madrid.", history: turns },
    });
    expect(toExample({ q: "And Spain?", a: "Madrid.", h: JSON.stringify(turns) }, { shape: "columns", columns }, "qa")).toMatchObject({
      data: { history: turns },
    });
    expect(toExample({ q: "Hi?", a: "Hello.", h: "" }, { shape: "columns", columns }, "qa")).toEqual({
      notes: [],
      data: { question: "Hi?", answer: "Hello." },
    });
    expect(toExample({ q: "Hi?", a: "Hello.", h: [["only one side"]] }, { shape: "columns", columns }, "qa")).toEqual({
      error: 'The "h" value is not a list of [user, reply] pairs.',
    });
  });

  it("reads OpenAI messages with text content parts, and keeps tool calls and results before the reply that uses them", () => {
    const record = {
      messages: [
        { role: "developer", content: "Answer from the tools." },
        { role: "user", content: [{ type: "text", text: "Weather in Oslo?" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "cloudy, 4 °C" },
        { role: "assistant", content: "Cloudy and 4 °C." },
      ],
    };
    expect(toExample(record, { shape: "openai" }, "instruction")).toEqual({
      notes: ["tool_turns"],
      data: {
        instruction: "Weather in Oslo?",
        input: 'Answer from the tools.\n\n[Tool call] get_weather({"city":"Oslo"})\n[Tool result] cloudy, 4 °C',
        output: "Cloudy and 4 °C.",
      },
    });
  });

  it("keeps ShareGPT's function_call and observation turns (LLaMA-Factory's tool format)", () => {
    const record = {
      conversations: [
        { from: "human", value: "What is 17 × 23?" },
        { from: "function_call", value: '{"name": "calculator", "arguments": {"expression": "17*23"}}' },
        { from: "observation", value: "391" },
        { from: "gpt", value: "17 × 23 = 391." },
      ],
      tools: '[{"name": "calculator"}]',
    };
    expect(toExample(record, { shape: "sharegpt" }, "qa")).toEqual({
      notes: ["tool_turns"],
      data: { question: 'What is 17 × 23?\n\n[Tool call] calculator({"expression":"17*23"})\n[Tool result] 391', answer: "17 × 23 = 391." },
    });
    const noReply = { conversations: [record.conversations[0], record.conversations[1], record.conversations[2]] };
    expect(toExample(noReply, { shape: "sharegpt" }, "qa")).toEqual({ error: "The tool results are not followed by an assistant reply." });
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

describe("preference and feedback data", () => {
  const qa = { shape: "columns", columns: { question: "prompt", answer: "completion" } } as const;

  it("KTO: an answer labelled false is rejected, or left out when the user chooses; a label that is not true or false is a problem", () => {
    const bad = { prompt: "Capital of Peru?", completion: "Quito.", label: false };
    const reject = { ...qa, label: { column: "label", whenFalse: "reject" as const } };
    expect(toExample(bad, reject, "qa")).toEqual({ notes: ["labelled_bad"], labelledBad: true, data: { question: "Capital of Peru?", answer: "Quito." } });
    expect(toExample({ ...bad, completion: "Lima.", label: true }, reject, "qa")).toEqual({
      notes: [],
      data: { question: "Capital of Peru?", answer: "Lima." },
    });
    expect(toExample({ ...bad, label: "bad" }, reject, "qa")).toMatchObject({ labelledBad: true });
    expect(toExample(bad, { ...qa, label: { column: "label", whenFalse: "skip" } }, "qa")).toEqual({ skipped: 'marked bad ("label" is false)' });
    expect(toExample({ ...bad, label: "maybe" }, reject, "qa")).toEqual({ error: 'The "label" label is "maybe", not true or false.' });
  });

  it("KTO and DPO conversations in columns (TRL's conversational format): the prompt's turns and the last assistant turn", () => {
    const record = {
      prompt: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Largest ocean?" },
      ],
      completion: [{ role: "assistant", content: "The Pacific." }],
      label: true,
    };
    expect(toExample(record, { ...qa, label: { column: "label", whenFalse: "reject" } }, "qa")).toEqual({
      notes: [],
      data: { question: "Be brief.\n\nLargest ocean?", answer: "The Pacific." },
    });
  });

  it("DPO: the chosen answer is the response and the rejected one is kept, with an explicit or an implicit prompt", () => {
    const explicit = { prompt: "2 + 2?", chosen: "4", rejected: "5" };
    const mapping = { shape: "columns", columns: { question: "prompt", answer: "chosen", rejected: "rejected" } } as const;
    expect(toExample(explicit, mapping, "qa")).toEqual({ notes: ["rejected_answer"], rejected: "5", data: { question: "2 + 2?", answer: "4" } });
    const implicit = {
      chosen: [
        { role: "user", content: "Sky colour?" },
        { role: "assistant", content: "Blue." },
      ],
      rejected: [
        { role: "user", content: "Sky colour?" },
        { role: "assistant", content: "Green." },
      ],
    };
    const fromChosen = { shape: "columns", columns: { question: "chosen", answer: "chosen", rejected: "rejected" } } as const;
    expect(toExample(implicit, fromChosen, "instruction")).toEqual({
      notes: ["rejected_answer"],
      rejected: "Green.",
      data: { instruction: "Sky colour?", input: "", output: "Blue." },
    });
  });
});
