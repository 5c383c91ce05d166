// How far an answer is supported by the chunk it was written from: the share of its content
// words (not stop words; numbers count) that occur in the chunk. Cheap and explainable ("only
// 18 % of the output's words appear in its source"), and language-aware through Intl.Segmenter
// (CJK text has no spaces between words). Paraphrase lowers it, so it only flags: below
// LOW_GROUNDING an example is marked low-grounding for review; below UNGROUNDED, with enough
// words to judge, it is invalid.
export const LOW_GROUNDING = 0.5;
export const UNGROUNDED = 0.2;
/** Fewer content words than this and there is nothing to judge. */
const MIN_WORDS = 5;

const STOP_WORDS = new Set(
  (
    "the a an and or but if then than so of to in on at by for with from into onto about as is are was were be been being it its this that these those there " +
    "here which who whom whose what when where why how not no nor do does did done has have had can could will would shall should may might must also " +
    "just only very more most such each any all some other both either neither one two you your yours we our ours they their theirs he him his she her " +
    "hers i me my mine us them out up down over under again further once same own too"
  ).split(" "),
);

const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });

/** A crude stem, so that "refund" and "refunds", "issue" and "issued" meet. */
function stem(word: string): string {
  return word.length > 4 ? word.replace(/(ing|ed|es|s)$/u, "") : word;
}

export function contentWords(text: string): string[] {
  const words: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(text.normalize("NFKC").toLowerCase())) {
    if (!isWordLike || STOP_WORDS.has(segment)) continue;
    // Short Latin words are mostly function words the list misses; numbers always count.
    if (/^[a-z]{1,2}$/u.test(segment)) continue;
    words.push(stem(segment));
  }
  return words;
}

/** The share (0–1) of the response's content words found in the source; null when too short to judge. */
export function groundingScore(response: string, source: string): number | null {
  const words = contentWords(response);
  if (words.length < MIN_WORDS) return null;
  const vocabulary = vocabularyOf(source);
  return words.filter((w) => vocabulary.has(w)).length / words.length;
}

// A chunk's examples are scored one after another: its vocabulary is worked out once.
const vocabularies = new Map<string, Set<string>>();
const VOCABULARIES_KEPT = 256;

function vocabularyOf(source: string): Set<string> {
  let vocabulary = vocabularies.get(source);
  if (!vocabulary) {
    vocabulary = new Set(contentWords(source));
    if (vocabularies.size >= VOCABULARIES_KEPT) vocabularies.delete(vocabularies.keys().next().value!);
    vocabularies.set(source, vocabulary);
  }
  return vocabulary;
}
