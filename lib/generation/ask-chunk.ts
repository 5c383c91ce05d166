// One chunk's examples by the project's generation mode: one pass (./ask), multi-turn
// conversations (one pass with the conversation prompt), or questions first (./questions-first). Both give the single pass's JSON and the prompt the examples came from.
import { type Asked, askForExamples } from "./ask";
import type { GenerationContext } from "./context";
import { CONVERSATION_SHAPE, conversationPrompt, reasoningNote, renderPrompt } from "./prompts";
import { askQuestionsFirst } from "./questions-first";
import { type TopicPlan, topicNote } from "./topics";

export async function askChunk(
  gen: GenerationContext,
  chunk: { content: string; metadata: unknown },
  n: number,
  options: {
    signal: AbortSignal;
    onRetry?: (message: string) => void;
    /** The run's topic plan: each example (or question, asked first) names its topic from it. */
    plan?: TopicPlan;
  },
): Promise<{ asked: Asked; prompt: string }> {
  const section = (chunk.metadata as { section?: string } | null)?.section;
  const common = { model: gen.model, temperature: gen.settings.temperature, taskType: gen.taskType, signal: options.signal, onRetry: options.onRetry };
  if (gen.settings.mode === "questions_first") {
    const { prompt, ...asked } = await askQuestionsFirst(gen.provider, { content: chunk.content, section }, n, {
      ...common,
      language: gen.settings.language,
      reasoning: gen.settings.reasoning,
      note: options.plan && topicNote(options.plan, "questions"),
    });
    return { asked, prompt };
  }
  if (gen.settings.mode === "conversation") {
    const prompt =
      conversationPrompt({
        chunk: chunk.content,
        n,
        turns: gen.settings.conversation_turns,
        language: gen.settings.language,
        section,
        taskType: gen.taskType,
      }) +
      (gen.settings.reasoning ? reasoningNote(gen.taskType, true) : "") +
      (options.plan ? topicNote(options.plan, "conversations") : "");
    return { asked: await askForExamples(gen.provider, prompt, { ...common, shape: CONVERSATION_SHAPE }), prompt };
  }
  const prompt =
    renderPrompt(gen.template, { chunk: chunk.content, n, language: gen.settings.language, section }) +
    (gen.settings.reasoning ? reasoningNote(gen.taskType) : "") +
    (options.plan ? topicNote(options.plan) : "");
  return { asked: await askForExamples(gen.provider, prompt, common), prompt };
}
