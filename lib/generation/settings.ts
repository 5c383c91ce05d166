// Generation settings, kept in the project's config under `generation` (a provider
// and a model). Changed only through the Dataset step; editing the
// project itself keeps them.
import { z } from "zod";

export const generationSettingsSchema = z.object({
  provider_id: z.uuid().nullable().default(null),
  model: z.string().trim().max(255).default(""),
  temperature: z.number().min(0, "Between 0 and 2.").max(2, "Between 0 and 2.").default(0.7),
  language: z.string().trim().min(1, "Say which language to write in.").max(100).default("the language of the source text"),
  /** Custom prompt templates; null = the built-in prompt of the task type. */
  prompt_instruction: z.string().max(20_000).nullable().default(null),
  prompt_qa: z.string().max(20_000).nullable().default(null),
  /**
   * "single": one call per chunk writes its examples; "questions_first": questions (or
   * instructions) first, deduplicated, then each answered on its own; "conversation": one call per
   * chunk writes multi-turn conversations (each example is the last turn, with the earlier ones as
   * its history).
   */
  mode: z.enum(["single", "questions_first", "conversation"]).default("single"),
  /** Exchanges (user turn and reply) per conversation, in "conversation" mode. */
  conversation_turns: z.number().int().min(2, "At least 2 turns.").max(8, "At most 8 turns.").default(3),
  /** Ask for the reasoning behind each answer too, kept apart from it (exports can include it, as a think block). */
  reasoning: z.boolean().default(false),
  /** Plan topics across the chunks first, label each example with one, and lean towards the topics with fewest examples (one pass only). */
  topic_plan: z.boolean().default(false),
  /** Train with each answer's reasoning before it, in a <think> block (the dataset version a run freezes). */
  train_with_reasoning: z.boolean().default(false),
  /** The LLM judge's rubric for scoring examples; null = the built-in one (lib/datasets/example-judge). */
  judge_rubric: z.string().trim().max(4_000).nullable().default(null),
});

export type GenerationSettings = z.infer<typeof generationSettingsSchema>;

/**
 * What a save may change: each setting optional and without its default, so a key left out keeps
 * its saved value (`.partial()` would fill the defaults in and reset the provider and model).
 */
export const generationSettingsPatchSchema = z.object({
  provider_id: generationSettingsSchema.shape.provider_id.unwrap().optional(),
  model: generationSettingsSchema.shape.model.unwrap().optional(),
  temperature: generationSettingsSchema.shape.temperature.unwrap().optional(),
  language: generationSettingsSchema.shape.language.unwrap().optional(),
  prompt_instruction: generationSettingsSchema.shape.prompt_instruction.unwrap().optional(),
  prompt_qa: generationSettingsSchema.shape.prompt_qa.unwrap().optional(),
  mode: generationSettingsSchema.shape.mode.unwrap().optional(),
  conversation_turns: generationSettingsSchema.shape.conversation_turns.unwrap().optional(),
  reasoning: generationSettingsSchema.shape.reasoning.unwrap().optional(),
  train_with_reasoning: generationSettingsSchema.shape.train_with_reasoning.unwrap().optional(),
  topic_plan: generationSettingsSchema.shape.topic_plan.unwrap().optional(),
  judge_rubric: generationSettingsSchema.shape.judge_rubric.unwrap().optional(),
}) satisfies z.ZodType<Partial<GenerationSettings>>;

export function readGenerationSettings(config: unknown): GenerationSettings {
  const stored = (config as { generation?: unknown } | null)?.generation;
  const parsed = generationSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : generationSettingsSchema.parse({});
}
