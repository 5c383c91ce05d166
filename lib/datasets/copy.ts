// Detecting responses that copy text instead of answering. Comparisons run on "comparable"
// text: NFC, lower-case, punctuation and symbols dropped, whitespace collapsed, so a copy that
// only changed case, quotes or line breaks is still a copy.

/** The share of a reference a response must reproduce, unbroken, to count as copying it. */
const COPY_SHARE = 0.9;

function comparableText(text: string): string {
  return text
    .normalize("NFC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

/** The same words in the same order. */
export function sameText(a: string, b: string): boolean {
  const left = comparableText(a);
  return left !== "" && left === comparableText(b);
}

/** `response` contains at least COPY_SHARE of `reference` as one unbroken run. */
// References (a chunk, a prompt) are compared with each of their examples: normalised once.
const references = new Map<string, string>();
const REFERENCES_KEPT = 256;

function comparableReference(reference: string): string {
  let text = references.get(reference);
  if (text === undefined) {
    text = comparableText(reference);
    if (references.size >= REFERENCES_KEPT) references.delete(references.keys().next().value!);
    references.set(reference, text);
  }
  return text;
}

export function reproducesMostOf(response: string, reference: string): boolean {
  const text = comparableText(response);
  const ref = comparableReference(reference);
  const need = Math.ceil(ref.length * COPY_SHARE);
  if (need === 0 || text.length < need) return false;
  // Every run of `need` characters of `ref` contains ref[ref.length - need, need) (its middle
  // when need > half), so only the places where that middle occurs are worth extending.
  const coreStart = ref.length - need;
  const core = ref.slice(coreStart, need);
  for (let at = text.indexOf(core); at !== -1; at = text.indexOf(core, at + 1)) {
    let before = 0;
    while (before < coreStart && at - before > 0 && text[at - before - 1] === ref[coreStart - before - 1]) before++;
    let after = 0;
    const coreEnd = at + core.length;
    while (need + after < ref.length && text[coreEnd + after] === ref[need + after]) after++;
    if (before + core.length + after >= need) return true;
  }
  return false;
}

/**
 * The response is the prompt's own instructions rather than an answer: it is one of the
 * instruction sentences (or a piece of one, of 4 words or more), or most of it (80 % of its
 * words) is made of whole instruction sentences. "Write in the language of the source text."
 * as an answer is the common case.
 */
export function copiesInstructions(response: string, instructions: string): boolean {
  const text = comparableText(response);
  const words = text.split(" ").filter(Boolean).length;
  if (words === 0) return false;
  const sentences = instructions
    .split(/(?<=[.!?:])\s+|\n+/u)
    .map(comparableText)
    .filter((s) => s.split(" ").length >= 4);
  if (words >= 4 && sentences.some((s) => ` ${s} `.includes(` ${text} `))) return true;
  const copied = sentences.filter((s) => ` ${text} `.includes(` ${s} `)).reduce((n, s) => n + s.split(" ").length, 0);
  return copied >= 0.8 * words;
}
