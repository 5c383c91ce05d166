// The Dataset step's generation side: settings, the estimate shown before a run, preview and
// full runs, and the preview's examples with their source chunks.

import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { invalidInput } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { estimateCost, providerOptions } from "@/lib/llm";
import { projectConfigSchema, readProjectConfig } from "@/lib/projects/config";
import { countTokens } from "@/lib/tokens";
import { assertWithinQuota } from "@/lib/usage";
import { projectProvider } from "./context";
import { generateJob } from "./generate-job";
import { previewJob } from "./preview-job";
import { builtinPrompt, conversationPrompt, renderPrompt, SYSTEM_PROMPT, templateProblem } from "./prompts";
import { answerPrompt, questionsPrompt } from "./questions-first";
import { type GenerationSettings, generationSettingsSchema, readGenerationSettings } from "./settings";

/** Used when no preview has measured how long an answer takes. */
export const DEFAULT_SECONDS_PER_CALL = 8;
/** Used when no preview has measured how long an example is. */
export const DEFAULT_TOKENS_PER_EXAMPLE = 120;

async function loadProject(ctx: ProjectContext) {
  return db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id } });
}

/** The seed config keys that the Dataset step edits beside the generation settings. */
export const generationConfigSchema = z.object({
  examples_per_chunk: z.number(),
  num_examples_target: z.number(),
  max_seq_length: z.number(),
  train_eval_split: z.number(),
});

export async function saveGenerationSettings(
  ctx: ProjectContext,
  input: Partial<GenerationSettings>,
  configInput?: Partial<z.infer<typeof generationConfigSchema>>,
): Promise<GenerationSettings> {
  assertPermission(ctx.role, "dataset.edit");
  const project = await loadProject(ctx);
  const settings = generationSettingsSchema.parse({ ...readGenerationSettings(project.config), ...input });
  // The seed keys go through the project's own schema (with its field messages).
  const seedConfig = projectConfigSchema.parse({ ...readProjectConfig(project.config), ...(configInput ?? {}) });
  if (settings.provider_id && !(await db.llmProvider.findFirst({ where: { id: settings.provider_id, workspaceId: ctx.workspace.id } }))) {
    throw invalidInput("Choose a provider of this workspace.", { provider_id: "Not a provider of this workspace." });
  }
  for (const key of ["prompt_instruction", "prompt_qa"] as const) {
    const template = settings[key];
    if (template && templateProblem(template)) throw invalidInput("The prompt needs a fix.", { [key]: templateProblem(template)! });
    // Saving the built-in text unchanged keeps following the built-in prompt.
    if (template && template === builtinPrompt(key === "prompt_qa" ? "qa" : "instruction")) settings[key] = null;
  }
  const config = { ...(project.config as object), ...seedConfig, generation: settings } as Prisma.InputJsonObject;
  await db.project.update({ where: { id: project.id }, data: { config } });
  return settings;
}

export type GenerationEstimate = {
  provider: { id: string; name: string } | null;
  model: string;
  chunks: number;
  chunksNeeded: number;
  examples: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
  seconds: number;
  /** Which figures come from the last preview rather than defaults. */
  measured: { tokensPerExample: boolean; secondsPerCall: boolean };
};

export async function estimateGeneration(ctx: ProjectContext): Promise<GenerationEstimate> {
  const project = await loadProject(ctx);
  const config = readProjectConfig(project.config);
  const settings = readGenerationSettings(project.config);
  const provider = await projectProvider(ctx.workspace.id, settings.provider_id);
  const options = provider ? providerOptions(provider) : null;
  const [chunkAgg] = await db.$queryRaw<Array<{ chunks: bigint; avg: number | null }>>`
    SELECT count(*) AS chunks, avg(c.token_count)::float AS avg
    FROM chunks c JOIN files f ON f.id = c.source_file_id
    WHERE c.project_id = ${ctx.projectId}::uuid AND f.status = 'ready'`;
  const chunks = Number(chunkAgg.chunks);
  const template = (project.taskType === "qa" ? settings.prompt_qa : settings.prompt_instruction) ?? builtinPrompt(project.taskType);
  const conversation = settings.mode === "conversation";
  const promptTokens =
    countTokens(SYSTEM_PROMPT) +
    countTokens(
      conversation
        ? conversationPrompt({
            chunk: "",
            n: config.examples_per_chunk,
            turns: settings.conversation_turns,
            language: settings.language,
            taskType: project.taskType,
          })
        : renderPrompt(template, { chunk: "", n: config.examples_per_chunk, language: settings.language }),
    );
  const chunksNeeded = Math.min(chunks, Math.ceil(config.num_examples_target / config.examples_per_chunk));
  const examples = Math.min(config.num_examples_target, chunks * config.examples_per_chunk);

  const [previewAgg] = await db.$queryRaw<Array<{ avg: number | null }>>`
    SELECT avg(token_count)::float AS avg FROM dataset_examples WHERE project_id = ${ctx.projectId}::uuid AND split = 'preview' AND is_valid`;
  const lastPreview = await db.job.findFirst({
    where: { projectId: ctx.projectId, type: "dataset_preview", status: "success" },
    orderBy: { finishedAt: "desc" },
    select: { startedAt: true, finishedAt: true, resultSummary: true },
  });
  const previewChunks = Number((lastPreview?.resultSummary as { chunks?: number } | null)?.chunks ?? 0);
  const secondsPerCall =
    lastPreview?.startedAt && lastPreview.finishedAt && previewChunks
      ? // The preview asks all its chunks at once: its wall time is about one call.
        (lastPreview.finishedAt.getTime() - lastPreview.startedAt.getTime()) / 1000
      : null;
  const tokensPerExample = previewAgg.avg ?? null;
  // Questions first: one call for the questions, then one per question, each with the chunk.
  const questionsFirst = settings.mode === "questions_first";
  const callsPerChunk = questionsFirst ? 1 + config.examples_per_chunk : 1;
  const firstTokens = questionsFirst
    ? countTokens(SYSTEM_PROMPT) + countTokens(questionsPrompt("", config.examples_per_chunk, project.taskType, settings.language))
    : promptTokens;
  const answerTokens = questionsFirst ? countTokens(SYSTEM_PROMPT) + countTokens(answerPrompt("", "", project.taskType, settings.language)) + 30 : 0;
  const tokensIn = Math.round(
    chunksNeeded * (firstTokens + (chunkAgg.avg ?? 0)) + (questionsFirst ? chunksNeeded * config.examples_per_chunk * (answerTokens + (chunkAgg.avg ?? 0)) : 0),
  );
  // A conversation example holds all its turns: without a preview to measure, each turn counts as one example.
  const tokensOut = Math.round(examples * (tokensPerExample ?? DEFAULT_TOKENS_PER_EXAMPLE * (conversation ? settings.conversation_turns : 1)) * 1.15);
  const concurrency = options?.concurrency ?? 1;
  return {
    provider: provider ? { id: provider.id, name: provider.name } : null,
    model: settings.model || provider?.defaultModel || "",
    chunks,
    chunksNeeded,
    examples,
    tokensIn,
    tokensOut,
    costUsd: options ? estimateCost({ tokensIn, tokensOut }, options.prices) : null,
    seconds: Math.round((chunksNeeded * callsPerChunk * (secondsPerCall ?? DEFAULT_SECONDS_PER_CALL)) / Math.max(1, concurrency)),
    measured: { tokensPerExample: tokensPerExample !== null, secondsPerCall: secondsPerCall !== null },
  };
}

/** Why generation cannot start yet (no provider, or no model to ask), in words for the Run card; undefined when it can. */
export async function generationBlocker(ctx: ProjectContext): Promise<string | undefined> {
  const project = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { config: true } });
  const settings = readGenerationSettings(project.config);
  const provider = await projectProvider(ctx.workspace.id, settings.provider_id);
  if (!provider) return "No LLM provider is set up: add one in the workspace settings.";
  if (!settings.model && !provider.defaultModel) {
    return `${provider.name} has no default model: type the model to use in Model above (for Ollama, one you have pulled, such as llama3.1:8b), or give the provider a default model in the workspace settings.`;
  }
  return undefined;
}

async function assertCanGenerate(ctx: ProjectContext) {
  const chunks = await db.chunk.count({ where: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id }, sourceFile: { status: "ready" } } });
  if (chunks === 0) throw invalidInput("There are no chunks yet. Add sources in the Sources step and let them finish chunking.");
  await assertWithinQuota(ctx, "tokens");
  const blocker = await generationBlocker(ctx);
  if (blocker) throw invalidInput(blocker);
}

export async function startPreview(ctx: ProjectContext) {
  await assertCanGenerate(ctx);
  return enqueueJob(ctx, previewJob, {});
}

export async function startGeneration(ctx: ProjectContext) {
  await assertCanGenerate(ctx);
  return enqueueJob(ctx, generateJob, {});
}

export async function listPreviewExamples(ctx: ProjectContext) {
  const examples = await db.datasetExample.findMany({
    where: { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id }, split: "preview" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 50,
    include: { sourceChunk: { select: { content: true, chunkIndex: true, metadata: true, sourceFile: { select: { filename: true } } } } },
  });
  return examples.sort((a, b) => ((a.provenance as { order?: number })?.order ?? 0) - ((b.provenance as { order?: number })?.order ?? 0));
}
