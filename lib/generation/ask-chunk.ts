// One chunk's examples by the project's generation mode: one pass (./ask), or questions first
// (./questions-first). Both give the single pass's JSON and the prompt the examples came from.
import { type Asked, askForExamples } from "./ask";
import type { GenerationContext } from "./context";
import { reasoningNote, renderPrompt } from "./prompts";
import { askQuestionsFirst } from "./questions-first";

export async function askChunk(
  gen: GenerationContext,
  chunk: { content: string; metadata: unknown },
  n: number,
  options: {
    signal: AbortSignal;
    onRetry?: (message: string) => void;
    /** Added to a one-pass prompt (the topic plan). */
    note?: string;
  },
): Promise<{ asked: Asked; prompt: string }> {
  const section = (chunk.metadata as { section?: string } | null)?.section;
  const common = { model: gen.model, temperature: gen.settings.temperature, taskType: gen.taskType, signal: options.signal, onRetry: options.onRetry };
  if (gen.settings.mode === "questions_first") {
    const { prompt, ...asked } = await askQuestionsFirst(gen.provider, { content: chunk.content, section }, n, {
      ...common,
      language: gen.settings.language,
      reasoning: gen.settings.reasoning,
    });
    return { asked, prompt };
  }
  const prompt =
    renderPrompt(gen.template, { chunk: chunk.content, n, language: gen.settings.language, section }) +
    (gen.settings.reasoning ? reasoningNote(gen.taskType) : "") +
    (options.note ?? "");
  return { asked: await askForExamples(gen.provider, prompt, common), prompt };
}
