import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { ExampleData } from "@/lib/datasets/example";
import { csvField, EXPORT_FORMATS, fileHeader, formatInfo, formatLine, lineEnd, withReasoning } from "./formats";

const instruction: ExampleData = { instruction: "Summarise the note.", input: "Café prices rose.", output: "Prices went up." };
const bare: ExampleData = { instruction: "Say hello.", input: "", output: "Hello." };
const qa: ExampleData = { question: "What is 2+2?", answer: "4." };

describe("alpaca", () => {
  it("writes instruction examples as they are", () => {
    expect(formatLine("alpaca", instruction)).toBe('{"instruction":"Summarise the note.","input":"Café prices rose.","output":"Prices went up."}');
  });

  it("maps question to instruction and answer to output, with an empty input", () => {
    expect(formatLine("alpaca", qa)).toBe('{"instruction":"What is 2+2?","input":"","output":"4."}');
  });

  it("has no system field even when a system prompt is given", () => {
    expect(formatLine("alpaca", qa, { systemPrompt: "Be brief." })).toBe('{"instruction":"What is 2+2?","input":"","output":"4."}');
  });
});

describe("sharegpt", () => {
  it("joins instruction and input into the human turn", () => {
    expect(formatLine("sharegpt", instruction)).toBe(
      '{"conversations":[{"from":"human","value":"Summarise the note.\\nCafé prices rose."},{"from":"gpt","value":"Prices went up."}]}',
    );
    expect(formatLine("sharegpt", bare)).toBe('{"conversations":[{"from":"human","value":"Say hello."},{"from":"gpt","value":"Hello."}]}');
  });

  it("writes QA examples as question and answer turns, after the system prompt", () => {
    expect(formatLine("sharegpt", qa)).toBe('{"conversations":[{"from":"human","value":"What is 2+2?"},{"from":"gpt","value":"4."}]}');
    expect(formatLine("sharegpt", qa, { systemPrompt: "Be brief." })).toBe(
      '{"conversations":[{"from":"system","value":"Be brief."},{"from":"human","value":"What is 2+2?"},{"from":"gpt","value":"4."}]}',
    );
  });

  it("treats a blank system prompt as none", () => {
    expect(formatLine("sharegpt", qa, { systemPrompt: "  " })).toBe(formatLine("sharegpt", qa));
  });
});

describe("openai", () => {
  it("writes user and assistant messages", () => {
    expect(formatLine("openai", instruction)).toBe(
      '{"messages":[{"role":"user","content":"Summarise the note.\\nCafé prices rose."},{"role":"assistant","content":"Prices went up."}]}',
    );
    expect(formatLine("openai", qa)).toBe('{"messages":[{"role":"user","content":"What is 2+2?"},{"role":"assistant","content":"4."}]}');
  });

  it("puts the system prompt first", () => {
    expect(formatLine("openai", instruction, { systemPrompt: "You are helpful." })).toBe(
      '{"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Summarise the note.\\nCafé prices rose."},{"role":"assistant","content":"Prices went up."}]}',
    );
  });
});

describe("jsonl", () => {
  it("writes the example's own fields, in a fixed order", () => {
    expect(formatLine("jsonl", instruction)).toBe('{"instruction":"Summarise the note.","input":"Café prices rose.","output":"Prices went up."}');
    expect(formatLine("jsonl", { output: "o", instruction: "i", input: "" })).toBe('{"instruction":"i","input":"","output":"o"}');
    expect(formatLine("jsonl", qa)).toBe('{"question":"What is 2+2?","answer":"4."}');
  });

  it("escapes every line break, U+2028 and U+2029 included, so one example stays one line", () => {
    const line = formatLine("jsonl", { question: "a\nb", answer: "c\r\nd\u2028e\u2029" });
    expect(line).toBe('{"question":"a\\nb","answer":"c\\r\\nd\\u2028e\\u2029"}');
    expect(JSON.parse(line)).toEqual({ question: "a\nb", answer: "c\r\nd\u2028e\u2029" });
  });
});

describe("csv", () => {
  it("starts with a BOM and the task type's header, ending in CRLF", () => {
    expect(fileHeader("csv", "instruction")).toBe("\uFEFFinstruction,input,output\r\n");
    expect(fileHeader("csv", "qa")).toBe("\uFEFFquestion,answer\r\n");
    expect([...Buffer.from(fileHeader("csv", "qa")).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(lineEnd("csv")).toBe("\r\n");
  });

  it("leaves plain fields bare and writes accents as UTF-8", () => {
    expect(formatLine("csv", { instruction: "Crème brûlée?", input: "", output: "Ñandú" })).toBe("Crème brûlée?,,Ñandú");
    expect(Buffer.from(formatLine("csv", { question: "é", answer: "x" })).toString("hex")).toBe("c3a92c78");
  });

  it("quotes fields with commas, quotes, CR or LF and doubles the quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line 1\nline 2")).toBe('"line 1\nline 2"');
    expect(csvField("a\rb")).toBe('"a\rb"');
    expect(csvField("")).toBe("");
    expect(formatLine("csv", { question: 'Is "1,5" a number?', answer: "Yes,\r\nin France." })).toBe('"Is ""1,5"" a number?","Yes,\r\nin France."');
  });

  it("neutralises cells a spreadsheet would run as formulas (issue 13, CSV injection)", () => {
    expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
    for (const cell of ["+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]) expect(csvField(cell).replace(/^"/, "")).toMatch(/^'/);
    expect(formatLine("csv", { question: "=1+1", answer: "ok" })).toBe("'=1+1,ok");
    expect(csvField("a=b")).toBe("a=b");
  });

  it("reads back field for field with an RFC 4180 parser", () => {
    const rows: ExampleData[] = [
      { instruction: 'He said "non".', input: "a,b;c", output: "x\ny\r\nz" },
      { instruction: "Ça va ?", input: "", output: '""' },
    ];
    const file = fileHeader("csv", "instruction") + rows.map((row) => formatLine("csv", row) + lineEnd("csv")).join("");
    const parsed = parse(Buffer.from(file), { bom: true, columns: true, record_delimiter: "\r\n" });
    expect(parsed).toEqual(rows);
  });
});

describe("EXPORT_FORMATS", () => {
  it("lists each dataset format once, with its file extension", () => {
    expect(EXPORT_FORMATS.map((format) => format.id)).toEqual(["jsonl", "alpaca", "sharegpt", "openai", "csv", "xlsx"]);
    expect(formatInfo("csv").extension).toBe("csv");
    expect(formatInfo("xlsx").extension).toBe("xlsx");
    expect(EXPORT_FORMATS.filter((format) => format.spreadsheet).map((format) => format.id)).toEqual(["csv", "xlsx"]);
    expect(formatInfo("openai").extension).toBe("jsonl");
    expect(EXPORT_FORMATS.filter((format) => format.systemPrompt).map((format) => format.id)).toEqual(["sharegpt", "openai"]);
    expect(lineEnd("sharegpt")).toBe("\n");
    expect(fileHeader("jsonl", "qa")).toBe("");
  });
});

describe("withReasoning", () => {
  it("puts the reasoning before the answer in a think block, and leaves examples without one alone", () => {
    expect(withReasoning({ question: "Q?", answer: "A." }, "Because.")).toEqual({ question: "Q?", answer: "<think>\nBecause.\n</think>\n\nA." });
    expect(withReasoning({ instruction: "Do.", input: "", output: "Done." }, "Steps.")).toEqual({
      instruction: "Do.",
      input: "",
      output: "<think>\nSteps.\n</think>\n\nDone.",
    });
    expect(withReasoning({ question: "Q?", answer: "A." }, undefined)).toEqual({ question: "Q?", answer: "A." });
  });
});

describe("conversations (examples with earlier turns)", () => {
  const conversation: ExampleData = { question: "And Spain?", answer: "Madrid.", history: [["Capital of France?", "Paris."]] };

  it("chat formats write every turn in order, after the system prompt", () => {
    expect(JSON.parse(formatLine("openai", conversation, { systemPrompt: "Be brief." })).messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "And Spain?" },
      { role: "assistant", content: "Madrid." },
    ]);
    expect(JSON.parse(formatLine("sharegpt", conversation)).conversations.map((t: { from: string }) => t.from)).toEqual(["human", "gpt", "human", "gpt"]);
  });

  it("Alpaca and JSON Lines carry LLaMA-Factory's history pairs; single exchanges have no history key", () => {
    expect(JSON.parse(formatLine("alpaca", conversation))).toEqual({
      instruction: "And Spain?",
      input: "",
      output: "Madrid.",
      history: [["Capital of France?", "Paris."]],
    });
    expect(JSON.parse(formatLine("jsonl", conversation)).history).toEqual([["Capital of France?", "Paris."]]);
    expect(formatLine("jsonl", qa)).not.toContain("history");
  });

  it("CSV adds a history column (JSON) only to an export holding conversations", () => {
    expect(fileHeader("csv", "qa", true)).toBe("\uFEFFquestion,answer,history\r\n");
    const [row] = parse(formatLine("csv", conversation, { conversations: true }));
    expect(JSON.parse(row[2])).toEqual([["Capital of France?", "Paris."]]);
    expect(parse(formatLine("csv", qa, { conversations: true }))[0]).toEqual(["What is 2+2?", "4.", ""]);
  });
});
