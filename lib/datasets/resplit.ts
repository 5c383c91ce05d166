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

/** Which of `items` go to train: per group, exactly round(share × n), content-hash groups kept whole. */
export function allocateSplit(items: Item[], share: number, seed: string, stratify: boolean): Set<string> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const key = stratify ? (item.sourceFileId ?? "") : "";
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const train = new Set<string>();
  for (const members of groups.values()) {
    // Same content, same side: allocate by content hash, in a seeded order.
    const byContent = new Map<string, Item[]>();
    for (const item of members) {
      const key = item.contentHash ?? item.id;
      byContent.set(key, [...(byContent.get(key) ?? []), item]);
    }
    const ordered = [...byContent.entries()].sort(([a], [b]) => (rank(seed, a) < rank(seed, b) ? -1 : 1));
    const want = Math.round(share * members.length);
    let taken = 0;
    for (const [, same] of ordered) {
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
    if (toTrain.length) await tx.datasetExample.updateMany({ where: { id: { in: toTrain } }, data: { split: "train" } });
    if (toEval.length) await tx.datasetExample.updateMany({ where: { id: { in: toEval } }, data: { split: "eval" } });
    // The share new examples are drawn with from now on.
    const project = await tx.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { config: true } });
    await tx.project.update({ where: { id: ctx.projectId }, data: { config: { ...readProjectConfig(project.config), train_eval_split: input.share } } });
  });
  const moved = toTrain.length + toEval.length;
  await recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "dataset.split", targetType: "project", targetId: ctx.projectId, metadata: { ...input, moved } });
  return { train: train.size, eval: items.length - train.size, moved };
}
