// Whether an example can be trained on, with the reason shown to the user when it cannot.
// Checks run in this order and the first failure is reported:
//   1. shape: the project's task type's fields, as text;
//   2. required fields not blank (instruction/output, question/answer, every earlier turn of a
//      conversation; `input` may be empty);
//   3. the response is not a copy: of a prompt field (same words in the same order, ignoring
//      case, punctuation and spacing: answers may restate the question, so only equality
//      counts here), nor of the source chunk or the generation prompt (it reproduces ≥ 90 % of
//      either as one unbroken run, see ./copy), nor of the prompt's instructions (an answer
//      that is "Write in the language of the source text.");
//   4. the response is supported by its source chunk: at least UNGROUNDED of its content words
//      occur there (./grounding; the score is returned for every example with a chunk);
//   5. the token count of exampleText is within maxSeqLength.
// The token count is returned whenever the shape is right, valid or not.
import { countTokens } from "@/lib/tokens";
import { copiesInstructions, reproducesMostOf, sameText } from "./copy";
import { type ExampleData, exampleSchemaFor, exampleText, isInstructionExample, type TaskType } from "./example";
import { groundingScore, UNGROUNDED } from "./grounding";

export type ValidationOptions = {
  taskType: TaskType;
  maxSeqLength: number;
  /** The chunk the example was generated from. */
  sourceText?: string;
  /** The prompt the LLM was sent to write the example. */
  prompt?: string;
  /** The prompt's own words (without the chunk), for the instruction-copy check. */
  instructions?: string;
  /** Whether low grounding makes the example invalid (a person's edit is scored, not judged). */
  judgeGrounding?: boolean;
};

export type ValidationResult = {
  isValid: boolean;
  validationError: string | null;
  tokenCount: number;
  /** Share of the response's content words found in the source chunk; null without one, or too short to judge. */
  grounding: number | null;
};

const SHAPE_MESSAGES: Record<TaskType, string> = {
  instruction: "This example needs an instruction, an output and optionally an input, all as text.",
  qa: "This example needs a question and an answer, both as text.",
};

const numbers = new Intl.NumberFormat("en-US");

export function validateExample(data: unknown, options: ValidationOptions): ValidationResult {
  const parsed = exampleSchemaFor(options.taskType).safeParse(data);
  if (!parsed.success) return { isValid: false, validationError: SHAPE_MESSAGES[options.taskType], tokenCount: 0, grounding: null };
  const example: ExampleData = parsed.data;
  const tokenCount = countTokens(exampleText(example));
  const [responseName, responseText] = fieldsOf(example).response;
  const grounding = options.sourceText !== undefined ? groundingScore(responseText, options.sourceText) : null;
  const validationError =
    contentProblem(example, options) ??
    (options.judgeGrounding === false ? null : groundingProblem(responseName, grounding)) ??
    lengthProblem(tokenCount, options.maxSeqLength);
  return { isValid: validationError === null, validationError, tokenCount, grounding };
}

type NamedText = [name: string, text: string];

/** The response, the fields that must not be blank, and the prompt fields it must not repeat. */
function fieldsOf(example: ExampleData): { response: NamedText; required: NamedText[]; prompts: NamedText[] } {
  if (isInstructionExample(example)) {
    const instruction: NamedText = ["instruction", example.instruction];
    const output: NamedText = ["output", example.output];
    return { response: output, required: [instruction, output], prompts: [instruction, ["input", example.input]] };
  }
  const question: NamedText = ["question", example.question];
  const answer: NamedText = ["answer", example.answer];
  return { response: answer, required: [question, answer], prompts: [question] };
}

function contentProblem(example: ExampleData, options: ValidationOptions): string | null {
  const { response, required, prompts } = fieldsOf(example);
  const [responseName, responseText] = response;
  for (const [name, text] of required) {
    if (text.trim() === "") return `The ${name} is empty.`;
  }
  for (const [at, turn] of (example.history ?? []).entries()) {
    if (turn[0].trim() === "") return `Turn ${at + 1}'s user message is empty.`;
    if (turn[1].trim() === "") return `Turn ${at + 1}'s reply is empty.`;
  }
  for (const [name, text] of prompts) {
    if (sameText(responseText, text)) return `The ${responseName} repeats the ${name}.`;
  }
  if (options.sourceText !== undefined && reproducesMostOf(responseText, options.sourceText)) {
    return `The ${responseName} copies the source text instead of answering.`;
  }
  if (options.prompt !== undefined && reproducesMostOf(responseText, options.prompt)) {
    return `The ${responseName} repeats the generation prompt.`;
  }
  if (options.instructions !== undefined && copiesInstructions(responseText, options.instructions)) {
    return `The ${responseName} copies the prompt's instructions instead of answering.`;
  }
  return null;
}

function groundingProblem(responseName: string, grounding: number | null): string | null {
  if (grounding === null || grounding >= UNGROUNDED) return null;
  return `Not supported by its source chunk: only ${Math.round(grounding * 100)} % of the ${responseName}'s words appear in it.`;
}

function lengthProblem(tokenCount: number, maxSeqLength: number): string | null {
  if (tokenCount <= maxSeqLength) return null;
  return `Too long: ${numbers.format(tokenCount)} tokens, the limit is ${numbers.format(maxSeqLength)}.`;
}
