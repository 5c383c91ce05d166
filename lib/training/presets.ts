// Training presets: hyperparameter sets a run starts from. The
// built-in ones live here; teams save their own per workspace. Keys match the runner's
// RunnerConfig (worker/runner/PROTOCOL.md), so a preset goes to the box as it is.
import type { FinetuneMethod } from "@prisma/client";
import { z } from "zod";
import { isUuid, type WorkspaceContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { conflict, notFound, prismaErrorCode } from "@/lib/errors";

export const SCHEDULERS = ["cosine", "linear", "constant", "constant_with_warmup"] as const;
const TARGETS = /^[A-Za-z0-9_.]+$/;

export const hyperparamsSchema = z.object({
  lora_r: z.number().int().min(1, "At least 1.").max(512, "At most 512.").default(16),
  lora_alpha: z.number().int().min(1, "At least 1.").max(1024, "At most 1024.").default(32),
  lora_dropout: z.number().min(0, "0 to 0.5.").max(0.5, "0 to 0.5.").default(0.05),
  target_modules: z
    .union([z.literal("all-linear"), z.array(z.string().regex(TARGETS, "Module names: letters, digits, _ and .")).min(1, "Name at least one module.")])
    .default("all-linear"),
  learning_rate: z.number().gt(0, "Must be positive.").max(0.01, "At most 0.01.").default(2e-4),
  lr_scheduler: z.enum(SCHEDULERS).default("cosine"),
  warmup_ratio: z.number().min(0, "0 to 0.5.").max(0.5, "0 to 0.5.").default(0.03),
  num_epochs: z.number().gt(0, "More than 0.").max(100, "At most 100.").default(3),
  max_steps: z.number().int().min(-1).default(-1),
  per_device_batch_size: z.number().int().min(1, "At least 1.").max(512).default(4),
  gradient_accumulation_steps: z.number().int().min(1, "At least 1.").max(1024).default(4),
  max_seq_length: z.number().int().min(128, "At least 128.").max(131_072).default(2048),
  packing: z.boolean().default(true),
  /** "auto": the preflight decides at launch (off when the run fits without it); a run stores the decision. */
  gradient_checkpointing: z.union([z.boolean(), z.literal("auto")]).default("auto"),
  eval_steps: z.number().int().min(1, "At least 1.").default(50),
  save_steps: z.number().int().min(1, "At least 1.").default(100),
  seed: z.number().int().min(0).default(42),
});
export type Hyperparams = z.infer<typeof hyperparamsSchema>;

/**
 * Changes to a preset: only the keys given, validated as in a preset. Unlike
 * `hyperparamsSchema.partial()`, parsing never fills in defaults (zod fills a missing key's
 * default even under partial), which would silently replace the preset's values.
 */
export const hyperparamOverridesSchema = z.object(
  Object.fromEntries(Object.entries(hyperparamsSchema.shape).map(([key, field]) => [key, field.unwrap().optional()])),
) as unknown as z.ZodType<Partial<Hyperparams>>;

export type PresetView = { id: string; name: string; method: FinetuneMethod; description: string; builtIn: boolean; config: Hyperparams };

const builtIn = (id: string, name: string, method: FinetuneMethod, description: string, config: Partial<Hyperparams>): PresetView => ({
  id: `builtin:${id}`,
  name,
  method,
  description,
  builtIn: true,
  config: hyperparamsSchema.parse(config),
});

export const BUILT_IN_PRESETS: PresetView[] = [
  builtIn("lora-balanced", "LoRA · balanced", "lora", "r 16, 3 epochs. A good first run on a GPU that holds the model in 16-bit.", {}),
  builtIn("lora-quick", "LoRA · quick check", "lora", "r 8, one epoch, short sequences: see within minutes whether the data teaches anything.", {
    lora_r: 8,
    lora_alpha: 16,
    num_epochs: 1,
    max_seq_length: 1024,
    eval_steps: 20,
    save_steps: 50,
  }),
  builtIn("qlora-24gb", "QLoRA · 24 GB GPU", "qlora", "4-bit base, r 16, small batches with accumulation: 7–8B models on one 24 GB card.", {
    per_device_batch_size: 1,
    gradient_accumulation_steps: 16,
  }),
  builtIn("qlora-deep", "QLoRA · high rank", "qlora", "4-bit base, r 64, lower learning rate: more capacity for large or varied datasets.", {
    lora_r: 64,
    lora_alpha: 128,
    learning_rate: 1e-4,
    per_device_batch_size: 2,
    gradient_accumulation_steps: 8,
  }),
];

export const presetInputSchema = z.object({
  name: z.string().trim().min(1, "Give the preset a name.").max(120, "At most 120 characters."),
  method: z.enum(["lora", "qlora"]),
  config: hyperparamsSchema,
});
export type PresetInput = z.input<typeof presetInputSchema>;

export async function listPresets(ctx: WorkspaceContext): Promise<PresetView[]> {
  const rows = await db.trainingPreset.findMany({ where: { workspaceId: ctx.workspace.id }, orderBy: { name: "asc" } });
  const saved = rows.map((row) => ({
    id: row.id,
    name: row.name,
    method: row.method,
    description: "Saved in this workspace.",
    builtIn: false,
    config: hyperparamsSchema.parse(row.config),
  }));
  return [...BUILT_IN_PRESETS, ...saved];
}

/** A built-in preset by its id, or the workspace's saved one; 404 for anything else. */
export async function findPreset(workspaceId: string, id: string): Promise<PresetView> {
  const builtin = BUILT_IN_PRESETS.find((p) => p.id === id);
  if (builtin) return builtin;
  const row = isUuid(id) ? await db.trainingPreset.findFirst({ where: { id, workspaceId } }) : null;
  if (!row) throw notFound("Preset");
  return {
    id: row.id,
    name: row.name,
    method: row.method,
    description: "Saved in this workspace.",
    builtIn: false,
    config: hyperparamsSchema.parse(row.config),
  };
}

/** Saves (or overwrites by name) a workspace preset. */
export async function savePreset(ctx: WorkspaceContext, input: PresetInput): Promise<PresetView> {
  const fields = presetInputSchema.parse(input);
  if (BUILT_IN_PRESETS.some((p) => p.name === fields.name)) throw conflict("That is a built-in preset's name.", { name: "Choose another name." });
  try {
    const row = await db.trainingPreset.upsert({
      where: { workspaceId_name: { workspaceId: ctx.workspace.id, name: fields.name } },
      create: { workspaceId: ctx.workspace.id, name: fields.name, method: fields.method, config: fields.config, createdById: ctx.actor.id },
      update: { method: fields.method, config: fields.config },
    });
    return { id: row.id, name: row.name, method: row.method, description: "Saved in this workspace.", builtIn: false, config: fields.config };
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw conflict("A preset with this name already exists.", { name: "Choose another name." });
    throw error;
  }
}

export async function deletePreset(ctx: WorkspaceContext, id: string): Promise<void> {
  const { count } = isUuid(id) ? await db.trainingPreset.deleteMany({ where: { id, workspaceId: ctx.workspace.id } }) : { count: 0 };
  if (count === 0) throw notFound("Preset");
}
