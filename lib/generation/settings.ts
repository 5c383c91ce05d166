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
  /** The LLM judge's rubric for scoring examples; null = the built-in one (lib/datasets/example-judge). */
  judge_rubric: z.string().trim().max(4_000).nullable().default(null),
});

export type GenerationSettings = z.infer<typeof generationSettingsSchema>;

export function readGenerationSettings(config: unknown): GenerationSettings {
  const stored = (config as { generation?: unknown } | null)?.generation;
  const parsed = generationSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : generationSettingsSchema.parse({});
}
