import { describe, expect, it } from "vitest";
import { answerPrompt, parseQuestions, questionsPrompt, scoreAnswer, wilson } from "./questions";

describe("parseQuestions", () => {
  const all = ["true_false", "multiple_choice", "short_answer", "open_answer"] as const;

  it("reads each type, shuffles options the same way each time, and says why unusable ones were left out", () => {
    const reply = JSON.stringify({
      questions: [
        { type: "true_false", question: "Refunds take 3 days.", answer: true },
        { type: "true_false", question: "Refunds take 9 days.", answer: "False" },
        { type: "multiple_choice", question: "Who issues refunds?", options: ["Billing", "Sales", "Legal", "Support"], answer: "billing" },
        { type: "multiple_choice", question: "Who?", options: ["A", "B"], answer: "C" },
        { type: "multiple_choice", question: "Twice?", options: ["A", "a", "B"], answer: "A" },
        { type: "short_answer", question: "How many days?", answer: "3", accepted: ["three", "3", " "] },
        { type: "open_answer", question: "Explain the refund process.", answer: "Billing issues it within 3 days.", rubric: "Names billing and 3 days." },
        { type: "essay", question: "?" },
      ],
    });
    const parsed = parseQuestions(reply, all);
    if ("error" in parsed) throw new Error(parsed.error);
    expect(parsed.questions.map((q) => [q.type, q.answer])).toEqual([
      ["true_false", "true"],
      ["true_false", "false"],
      ["multiple_choice", "Billing"],
      ["short_answer", "3"],
      ["open_answer", "Billing issues it within 3 days."],
    ]);
    const mc = parsed.questions[2];
    expect([...mc.options].sort()).toEqual(["Billing", "Legal", "Sales", "Support"]);
    expect((parseQuestions(reply, all) as { questions: { options: string[] }[] }).questions[2].options).toEqual(mc.options);
    expect(parsed.questions[3].accepted).toEqual(["three"]);
    expect(parsed.questions[4].rubric).toBe("Names billing and 3 days.");
    expect(parsed.rejected).toEqual([
      "A multiple-choice answer was not one of its options.",
      "A multiple-choice question repeated an option.",
      "A question did not have the fields of its type.",
    ]);
  });

  it("leaves out types not asked for, and reports an answer without questions", () => {
    const parsed = parseQuestions(JSON.stringify({ questions: [{ type: "true_false", question: "X.", answer: true }] }), ["short_answer"]);
    expect(parsed).toEqual({ questions: [], rejected: ["A true / false question was not asked for."] });
    expect(parseQuestions("Sorry, I cannot.", ["short_answer"])).toEqual({ error: "The model's answer had no list of questions." });
  });

  it("asks for each chosen type with its shape", () => {
    const prompt = questionsPrompt("Refunds take 3 days.", ["true_false", "short_answer"], 2, "English");
    expect(prompt).toContain("2 true / false, 2 short answer questions of each type named");
    expect(prompt).toContain('{"type": "short_answer", "question": "...", "answer": "...", "accepted": ["..."]}');
    expect(prompt).not.toContain("multiple_choice");
  });
});

describe("scoreAnswer", () => {
  const mc = { type: "multiple_choice" as const, options: ["Sales", "Billing", "Legal", "Support"], answer: "Billing", accepted: [] };

  it("true/false by the first true/false word", () => {
    const q = { type: "true_false" as const, options: [], answer: "false", accepted: [] };
    expect(scoreAnswer(q, "False.")).toBe(1);
    expect(scoreAnswer(q, "No, that is wrong.")).toBe(1);
    expect(scoreAnswer(q, "True")).toBe(0);
    expect(scoreAnswer(q, "I am not sure.")).toBe(0);
  });

  it("multiple choice by the letter, or by the option's text", () => {
    expect(answerPrompt({ type: "multiple_choice", question: "Who?", options: mc.options })).toContain("B. Billing");
    for (const answer of ["B", "b.", "(B)", "Answer: B", "The answer is B", "Billing"]) expect(scoreAnswer(mc, answer)).toBe(1);
    for (const answer of ["A", "C. Legal", "Legal", "I don't know"]) expect(scoreAnswer(mc, answer)).toBe(0);
  });

  it("short answers by normalised match with the answer or a variant, also inside a sentence", () => {
    const q = { type: "short_answer" as const, options: [], answer: "3 days", accepted: ["three days"] };
    for (const answer of ["3 days", "Three days.", "It takes 3 days."]) expect(scoreAnswer(q, answer)).toBe(1);
    for (const answer of ["30 days", "3", "a week"]) expect(scoreAnswer(q, answer)).toBe(0);
  });

  it("open answers are left to the judge", () => {
    expect(scoreAnswer({ type: "open_answer", options: [], answer: "x", accepted: [] }, "x")).toBeUndefined();
  });
});

describe("wilson", () => {
  it("gives the usual 95 % interval, inside 0–1", () => {
    const { low, high } = wilson(8, 10);
    expect(low).toBeCloseTo(0.49, 2);
    expect(high).toBeCloseTo(0.943, 2);
    expect(wilson(0, 5).low).toBe(0);
    expect(wilson(5, 5).high).toBe(1);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
