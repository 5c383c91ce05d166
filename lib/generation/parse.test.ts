import { describe, expect, it } from "vitest";
import { botchOf } from "./ask";
import { findJson, parseExamples } from "./parse";

describe("reading a model's answer", () => {
  it("repairs the slips models make by hand: trailing commas, comments, single quotes", () => {
    expect(findJson('{ // examples\n"examples": [{"question": "Q?", "answer": "A.",},]}')).toEqual({ examples: [{ question: "Q?", answer: "A." }] });
    expect(findJson("Here you go: {'examples': [{'question': 'Q?', 'answer': 'A.'}]} Enjoy!")).toEqual({ examples: [{ question: "Q?", answer: "A." }] });
  });

  it("does not take braces in prose for an answer, nor mine a cut-off answer", () => {
    expect(findJson("Fill in {like this} and then {that}.")).toBeUndefined();
    expect(findJson('{"examples": [{"question": "Q?", "answer": "A."}, {"question": "Q2')).toBeUndefined();
    expect(parseExamples("I'm sorry, but I can't help with that.", "qa")).toEqual({ error: expect.stringMatching(/^The model's answer was not JSON/) });
  });

  it("names what is wrong with a botched answer, and asks for more room after a cut-off", () => {
    expect(botchOf('{"examples": [{"question": "Q?", "answer": "A."}]}', "stop", "qa")).toBeUndefined();
    expect(botchOf("", "stop", "qa")).toMatchObject({
      reason: "The model returned an empty answer.",
      reminder: expect.stringMatching(/^Your answer was empty/),
    });
    expect(botchOf("I can't help with that.", "stop", "qa")?.reminder).toMatch(/^That answer could not be used \(The model's answer was not JSON/);
    expect(botchOf('{"examples": [{"question": "Q?", "ans', "length", "qa")).toMatchObject({ larger: true, reason: expect.stringMatching(/cut off/) });
  });
});
