// OCR by a vision model on one of the workspace's LLM providers, for projects that chose it over
// Tesseract: each scanned page goes to the model as an image with a transcription prompt, and its
// answer is the page's text. The confidence is the mean probability of the answer's tokens where
// the server gives log-probabilities (OpenAI-compatible servers, Hugging Face), else "not
// reported". Pages read are kept in the job's checkpoint, so a retry after a dropped provider does
// not pay for them again; tokens and cost add up for the job's summary (and so the workspace's usage).

import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { IngestError, type VisionOcr } from "@/lib/ingest/types";
import type { JobContext } from "@/lib/jobs/definition";
import { completeChat, estimateCost, LlmError, loadProviderRecord, providerOptions } from "@/lib/llm";
import type { ProjectConfig } from "@/lib/projects/config";
import { assertWithinQuota } from "@/lib/usage";

/** Said to the model with every page. */
export const VISION_OCR_PROMPT = [
  "Transcribe all the text in this image exactly as it is written, in reading order.",
  "Keep the original language and spelling; do not translate, correct, summarise or describe the image.",
  "Put a blank line between paragraphs and write tables as Markdown tables.",
  "Answer with the text only, without any comment. If the image holds no text, answer NO_TEXT.",
].join(" ");

/** Enough for a dense page; a longer answer is cut off (finish reason "length") and kept as far as it got. */
const MAX_ANSWER_TOKENS = 4096;

export type VisionUsage = { pages: number; tokensIn: number; tokensOut: number; costUsd: number | null };

type Read = { text: string; confidence?: number };
type Checkpoint = { vision?: { pages: Record<string, Read>; usage: VisionUsage } };

/** The model's answer as page text: fences and a NO_TEXT answer removed. */
export function pageText(answer: string): string {
  const text = answer
    .trim()
    .replace(/^```[a-z]*\n([\s\S]*?)\n?```$/i, "$1")
    .trim();
  return /^NO_TEXT\.?$/i.test(text) ? "" : text;
}

/**
 * The vision reader for a chunking job, or undefined when the project reads scans with Tesseract.
 * `usage()` is what the pages cost so far, this attempt and earlier ones together.
 */
export async function visionOcrFor(
  ctx: JobContext<{ fileId: string }>,
  workspaceId: string,
  config: ProjectConfig,
  fileKey: string,
): Promise<{ vision: VisionOcr; usage: () => VisionUsage } | undefined> {
  if (config.ocr_engine !== "vision") return undefined;
  let provider: Awaited<ReturnType<typeof loadProviderRecord>>;
  try {
    provider = await loadProviderRecord(workspaceId, config.ocr_vision_provider || null);
  } catch {
    throw new IngestError(
      "ocr_unavailable",
      config.ocr_vision_provider
        ? "The LLM provider chosen to read scans no longer exists. Choose another in the project's settings and process the source again."
        : "This project reads scans with a vision model, and the workspace has no default LLM provider. Add one in Settings → LLM providers, or choose Tesseract.",
    );
  }
  const model = config.ocr_vision_model || provider.defaultModel;
  if (!model) {
    throw new IngestError("ocr_unavailable", "Name the vision model in the project's settings: the chosen provider has no default model.");
  }
  const { name } = await db.llmProvider.findFirstOrThrow({ where: { id: provider.id, workspaceId }, select: { name: true } });
  const prices = providerOptions(provider).prices;
  const saved = ctx.checkpoint.get<Checkpoint>()?.vision;
  const pages: Record<string, Read> = { ...(saved?.pages ?? {}) };
  const usage: VisionUsage = saved?.usage ?? { pages: 0, tokensIn: 0, tokensOut: 0, costUsd: prices ? 0 : null };
  let quotaChecked = false;

  const vision: VisionOcr = {
    describe: { engine: "vision", provider: name, model },
    label: `${model} on ${name}`,
    async read(image, page, signal) {
      // Keyed by what was read and how: another file version or model reads again.
      const key = `${fileKey}:${provider.id}:${model}:${page}`;
      const known = pages[key];
      if (known) return { text: known.text, confidence: known.confidence };
      if (!quotaChecked) {
        try {
          await assertWithinQuota({ workspace: { id: workspaceId } } as Parameters<typeof assertWithinQuota>[0], "tokens");
        } catch (error) {
          if (error instanceof AppError) throw new IngestError("ocr_unavailable", error.message);
          throw error;
        }
        quotaChecked = true;
      }
      let answer: Awaited<ReturnType<typeof completeChat>>;
      try {
        answer = await completeChat(provider, [{ role: "user", content: VISION_OCR_PROMPT, images: [image] }], {
          model,
          temperature: 0,
          maxTokens: MAX_ANSWER_TOKENS,
          logprobs: true,
          signal,
          onRetry: (message) => ctx.log("warn", `Vision OCR, page ${page}: ${message}`),
        });
      } catch (error) {
        // Refusals (a model without vision, a wrong key) fail the source with the provider's words;
        // a provider that stays down fails the attempt, and the job retries from the pages read.
        if (error instanceof LlmError && !error.retryable) {
          throw new IngestError("ocr_unavailable", `${name} could not read page ${page} with ${model}: ${error.message}`);
        }
        throw error;
      }
      const read: Read = {
        text: pageText(answer.text),
        ...(answer.meanTokenProbability !== undefined ? { confidence: answer.meanTokenProbability * 100 } : {}),
      };
      if (answer.finishReason === "length") ctx.log("warn", `Vision OCR, page ${page}: the answer was cut off at ${MAX_ANSWER_TOKENS} tokens.`);
      pages[key] = read;
      usage.pages += 1;
      usage.tokensIn += answer.tokensIn;
      usage.tokensOut += answer.tokensOut;
      const cost = estimateCost(answer, prices);
      if (cost !== null) usage.costUsd = (usage.costUsd ?? 0) + cost;
      await ctx.checkpoint.save({ ...(ctx.checkpoint.get<object>() ?? {}), vision: { pages, usage } } satisfies Checkpoint);
      return { text: read.text, confidence: read.confidence };
    },
  };
  return { vision, usage: () => ({ ...usage }) };
}
