// From one LLM answer about one chunk to example rows: parsed, validated against the chunk,
// hashed for dedup and split deterministically. Unusable answers become one invalid row with
// the reason, so every chunk's outcome is visible in review.
import type { Prisma, TaskType } from "@prisma/client";
import { searchTextOf } from "@/lib/datasets/example";
import { contentHash } from "@/lib/datasets/hash";
import { assignSplit } from "@/lib/datasets/split";
import { validateExample } from "@/lib/datasets/validate";
import type { GenerationContext } from "./context";
import { parseExamples } from "./parse";
import { promptInstructions } from "./prompts";
import { matchTopic, TOPIC_TAG } from "./topics";

export type ExampleRow = Omit<Prisma.DatasetExampleCreateManyInput, "projectId" | "naturalKey" | "jobId" | "sourceChunkId" | "provenance"> & {
  /** The model's reasoning towards the answer, when asked for; stored in the provenance, apart from the answer. */
  reasoning?: string;
};

function topicTags(topics: string[] | undefined, named: unknown): { tags?: string[] } {
  const topic = topics && matchTopic(topics, named);
  return topic ? { tags: [`${TOPIC_TAG}${topic}`] } : {};
}

export function rowsFromAnswer(
  answer: string,
  options: {
    taskType: TaskType;
    chunkText: string;
    prompt: string;
    maxSeqLength: number;
    projectId: string;
    trainShare: number;
    /** Models often write more than asked; keep the number the settings ask for. */
    maxExamples: number;
    /** The split every example of this answer goes to (a preview, or the chunk's side); by default each example's content decides. */
    split?: "preview" | "train" | "eval";
    /** The run's topic plan: an example naming one of these topics is tagged with it. */
    topics?: string[];
  },
): ExampleRow[] {
  const parsed = parseExamples(answer, options.taskType);
  if ("error" in parsed) {
    return [{ data: { raw: answer.slice(0, 20_000) }, isValid: false, validationError: parsed.error, tokenCount: 0, split: options.split ?? "train" }];
  }
  const instructions = promptInstructions(options.prompt, options.chunkText);
  return parsed.items.slice(0, options.maxExamples).map((item) => {
    if ("error" in item) {
      return { data: { raw: item.raw as Prisma.InputJsonValue }, isValid: false, validationError: item.error, tokenCount: 0, split: options.split ?? "train" };
    }
    const validation = validateExample(item.data, {
      taskType: options.taskType,
      maxSeqLength: options.maxSeqLength,
      sourceText: options.chunkText,
      prompt: options.prompt,
      instructions,
    });
    const hash = contentHash(item.data);
    return {
      data: item.data as Prisma.InputJsonObject,
      isValid: validation.isValid,
      validationError: validation.validationError,
      grounding: validation.grounding,
      tokenCount: validation.tokenCount,
      contentHash: hash,
      searchText: searchTextOf(item.data),
      split: options.split ?? assignSplit(hash, options.projectId, options.trainShare),
      ...(item.reasoning ? { reasoning: item.reasoning } : {}),
      ...topicTags(options.topics, item.topic),
    };
  });
}

/** rowsFromAnswer with the run's settings: task type, limits and split share. */
export function answerRows(
  gen: Pick<GenerationContext, "taskType" | "config" | "projectId">,
  answer: string,
  chunk: { text: string; prompt: string; maxExamples: number; split?: "preview" | "train" | "eval"; topics?: string[] },
): ExampleRow[] {
  return rowsFromAnswer(answer, {
    taskType: gen.taskType,
    chunkText: chunk.text,
    prompt: chunk.prompt,
    maxSeqLength: gen.config.max_seq_length,
    projectId: gen.projectId,
    trainShare: gen.config.train_eval_split,
    maxExamples: chunk.maxExamples,
    split: chunk.split,
    topics: chunk.topics,
  });
}
