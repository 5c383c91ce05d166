// Re-splitting a project's dataset between train and eval on request: a share and a seed, over
// the examples still pending review or over all of them, optionally stratified by source file so
// that each document contributes the same share to eval. Unlike the draw new examples get
// (./split: each on its own, so 0.9 can come out as 94.6 %), this allocates exactly: each group's
// examples are ordered by a seeded hash and the first round(share × n) go to train. Examples with
// the same content stay on one side.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { readProjectConfig } from "@/lib/projects/config";

export const resplitSchema = z.object({
  share: z.number().min(0.5, "Keep at least half for training.").max(0.99, "Leave at least 1 % for evaluation."),
  seed: z.string().trim().max(100).default(""),
  scope: z.enum(["pending", "all"]).default("pending"),
  stratify: z.boolean().default(true),
});

type Item = { id: string; contentHash: string | null; sourceFileId: string | null };

function rank(seed: string, key: string): string {
  return createHash("sha256").update(`${seed}:${key}`).digest("hex");
}

/** `items` grouped by `key`, in one pass. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Which of `items` go to train: per group, exactly round(share × n), content-hash groups kept whole. */
export function allocateSplit(items: Item[], share: number, seed: string, stratify: boolean): Set<string> {
  const train = new Set<string>();
  for (const members of groupBy(items, (item) => (stratify ? (item.sourceFileId ?? "") : "")).values()) {
    // Same content, same side: allocate by content hash, in a seeded order (each rank hashed once).
    const ordered = [...groupBy(members, (item) => item.contentHash ?? item.id).entries()]
      .map(([key, same]) => ({ rank: rank(seed, key), same }))
      .sort((a, b) => (a.rank < b.rank ? -1 : 1));
    const want = Math.round(share * members.length);
    let taken = 0;
    for (const { same } of ordered) {
      if (taken >= want) break;
      for (const item of same) train.add(item.id);
      taken += same.length;
    }
  }
  return train;
}

export async function resplitDataset(ctx: ProjectContext, input: z.infer<typeof resplitSchema>): Promise<{ train: number; eval: number; moved: number }> {
  assertPermission(ctx.role, "dataset.edit");
  const items = await db.datasetExample.findMany({
    where: { projectId: ctx.projectId, split: { in: ["train", "eval"] }, ...(input.scope === "pending" ? { reviewStatus: "pending" } : {}) },
    select: { id: true, contentHash: true, sourceFileId: true, split: true },
  });
  const seed = input.seed || ctx.projectId;
  const train = allocateSplit(items, input.share, seed, input.stratify);
  const toTrain = items.filter((i) => train.has(i.id) && i.split !== "train").map((i) => i.id);
  const toEval = items.filter((i) => !train.has(i.id) && i.split !== "eval").map((i) => i.id);
  await db.$transaction(async (tx) => {
    // One array parameter each, however many examples move (an IN list would hit the bind limit).
    for (const [split, ids] of [
      ["train", toTrain],
      ["eval", toEval],
    ] as const) {
      if (ids.length) {
        await tx.$executeRaw`UPDATE dataset_examples SET split = ${split}::dataset_split, updated_at = now() WHERE project_id = ${ctx.projectId}::uuid AND id = ANY(${ids}::uuid[])`;
      }
    }
    // The share new examples are drawn with from now on.
    const project = await tx.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { config: true } });
    // The rest of the config (generation settings, text and switch settings) stays as it is.
    const config = { ...(project.config as object), ...readProjectConfig(project.config), train_eval_split: input.share };
    await tx.project.update({ where: { id: ctx.projectId }, data: { config } });
  });
  const moved = toTrain.length + toEval.length;
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "dataset.split",
    targetType: "project",
    targetId: ctx.projectId,
    metadata: { ...input, moved },
  });
  return { train: train.size, eval: items.length - train.size, moved };
}
