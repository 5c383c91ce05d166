// Dataset versions: the frozen set of examples a run trains on. Freezing streams the selected
// train and eval examples into two JSONL files (the runner's chat "messages" shape) and records
// each example's content hash by position, so two versions can be diffed and a run always
// knows exactly what it learned from. Freezing the same content twice gives back the existing
// version instead of a copy.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { DatasetVersion, Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { prismaErrorCode } from "@/lib/errors";
import { formatLine, withReasoning } from "@/lib/exports/dataset/formats";
import { DEFAULT_SELECTION, type ExportSelection, iterateExamples, selectionFilter } from "@/lib/exports/dataset/select";
import { getStorage } from "@/lib/storage";
import { datasetVersionKey } from "@/lib/storage/keys";
import { contentHash } from "./hash";

export type VersionManifest = {
  selection: ExportSelection;
  format: "messages";
  systemPrompt: string | null;
  /** Whether each answer has its reasoning before it, in a <think> block. */
  reasoning?: boolean;
  counts: { train: number; eval: number };
  files: { train: string; eval: string };
};

export type FreezeOptions = {
  workspaceId: string;
  projectId: string;
  actorId?: string | null;
  selection?: ExportSelection;
  systemPrompt?: string;
  /** Put each example's reasoning (where it has one) before its answer, in a <think> block. */
  reasoning?: boolean;
};

const SPLITS = ["train", "eval"] as const;
const ITEM_BATCH = 1000;

/** One example as the runner reads it: {"id", "messages": [...]}. */
function versionLine(id: string, line: string): string {
  return `{"id":${JSON.stringify(id)},${line.slice(1)}\n`;
}

async function nextVersionNumber(projectId: string): Promise<number> {
  const last = await db.datasetVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true } });
  return (last?.version ?? 0) + 1;
}

async function createRow(options: FreezeOptions): Promise<DatasetVersion> {
  // Two freezes at once race for the number; the loser takes the next one.
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.datasetVersion.create({
        data: { projectId: options.projectId, version: await nextVersionNumber(options.projectId), contentHash: "", createdById: options.actorId ?? null },
      });
    } catch (error) {
      if (prismaErrorCode(error) !== "P2002" || attempt >= 5) throw error;
    }
  }
}

/** Freezes the project's current examples; returns the existing version when nothing changed. */
export async function freezeDatasetVersion(options: FreezeOptions): Promise<DatasetVersion> {
  const selection = options.selection ?? "valid";
  const systemPrompt = options.systemPrompt?.trim() || undefined;
  const reasoning = options.reasoning === true;
  const row = await createRow(options);
  const digest = createHash("sha256");
  const counts = { train: 0, eval: 0 };
  const files = {
    train: datasetVersionKey(options.workspaceId, options.projectId, row.id, "train.jsonl"),
    eval: datasetVersionKey(options.workspaceId, options.projectId, row.id, "eval.jsonl"),
  };
  const stored: Partial<Record<(typeof SPLITS)[number], { size: number; sha256: string }>> = {};
  let position = 0;
  let pending: Prisma.DatasetVersionItemCreateManyInput[] = [];
  const flush = async () => {
    if (pending.length) await db.datasetVersionItem.createMany({ data: pending });
    pending = [];
  };

  try {
    for (const split of SPLITS) {
      async function* lines() {
        for await (const example of iterateExamples(options.projectId, split, selection)) {
          const hash = contentHash(example.data);
          digest.update(`${split}:${hash}\n`);
          pending.push({ versionId: row.id, position: position++, exampleId: example.id, split, contentHash: hash });
          if (pending.length >= ITEM_BATCH) await flush();
          counts[split]++;
          yield versionLine(example.id, formatLine("openai", reasoning ? withReasoning(example.data, example.reasoning) : example.data, { systemPrompt }));
        }
        await flush();
      }
      stored[split] = await getStorage().put(files[split], Readable.from(lines(), { objectMode: false }), { contentType: "application/x-ndjson" });
    }
    const hash = digest.digest("hex");
    const same = await db.datasetVersion.findFirst({
      where: { projectId: options.projectId, contentHash: hash, id: { not: row.id } },
      orderBy: { version: "desc" },
    });
    if (same && sameSettings(same.manifest, selection, systemPrompt, reasoning)) {
      await discard(row.id, files);
      return same;
    }
    const manifest: VersionManifest = { selection, format: "messages", systemPrompt: systemPrompt ?? null, ...(reasoning ? { reasoning } : {}), counts, files };
    return await db.$transaction(async (tx) => {
      // The version's files are the project's generated datasets (seed 000's dataset_generated):
      // listed with its files and counted in its storage (and quota) like every other object.
      await tx.file.createMany({
        data: SPLITS.map((split) => ({
          projectId: options.projectId,
          kind: "dataset_generated" as const,
          status: "ready" as const,
          filename: `dataset-v${row.version}-${split}.jsonl`,
          mimeType: "application/x-ndjson",
          storagePath: files[split],
          sizeBytes: BigInt(stored[split]?.size ?? 0),
          sha256: stored[split]?.sha256 ?? null,
          metadata: { dataset_version_id: row.id, split, examples: counts[split] },
          createdById: options.actorId ?? null,
        })),
      });
      return tx.datasetVersion.update({
        where: { id: row.id },
        data: { contentHash: hash, numTrain: counts.train, numEval: counts.eval, trainPath: files.train, evalPath: files.eval, manifest },
      });
    });
  } catch (error) {
    await discard(row.id, files).catch(() => {});
    throw error;
  }
}

function sameSettings(manifest: unknown, selection: ExportSelection, systemPrompt: string | undefined, reasoning: boolean): boolean {
  const m = manifest as Partial<VersionManifest> | null;
  return m?.selection === selection && (m.systemPrompt ?? null) === (systemPrompt ?? null) && (m.reasoning ?? false) === reasoning;
}

async function discard(versionId: string, files: { train: string; eval: string }) {
  await db.datasetVersion.delete({ where: { id: versionId } }).catch(() => {});
  await Promise.all(
    Object.values(files).map((key) =>
      getStorage()
        .delete(key)
        .catch(() => {}),
    ),
  );
}

/**
 * Whether freezing the project now would give back `version`: the examples its selection takes
 * are exactly its items, unchanged. Then what a run measured on that version (exact token
 * counts) still describes the dataset. One indexed pass over the project's train and eval rows.
 */
export async function versionIsCurrent(projectId: string, version: Pick<DatasetVersion, "id" | "numTrain" | "numEval" | "manifest">): Promise<boolean> {
  const selection = (version.manifest as Partial<VersionManifest> | null)?.selection ?? DEFAULT_SELECTION;
  const [row] = await db.$queryRaw<{ current: bigint; matching: bigint }[]>`
    SELECT count(*) AS current, count(i.version_id) AS matching
    FROM dataset_examples e
    LEFT JOIN dataset_version_items i
      ON i.version_id = ${version.id}::uuid AND i.content_hash = e.content_hash AND i.example_id = e.id AND i.split = e.split
    WHERE e.project_id = ${projectId}::uuid AND e.split IN ('train', 'eval') AND ${selectionFilter(selection)}`;
  const current = Number(row.current);
  return current === version.numTrain + version.numEval && Number(row.matching) === current;
}

export type VersionDiff = { added: number; removed: number; unchanged: number };

/** Examples in `to` and not in `from` (by content, so an edit counts as removed + added). */
export async function diffVersions(fromId: string, toId: string): Promise<VersionDiff> {
  const [row] = await db.$queryRaw<{ added: bigint; removed: bigint; unchanged: bigint }[]>`
    WITH a AS (SELECT DISTINCT content_hash FROM dataset_version_items WHERE version_id = ${fromId}::uuid),
         b AS (SELECT DISTINCT content_hash FROM dataset_version_items WHERE version_id = ${toId}::uuid)
    SELECT (SELECT count(*) FROM b WHERE content_hash NOT IN (SELECT content_hash FROM a)) AS added,
           (SELECT count(*) FROM a WHERE content_hash NOT IN (SELECT content_hash FROM b)) AS removed,
           (SELECT count(*) FROM a WHERE content_hash IN (SELECT content_hash FROM b)) AS unchanged`;
  return { added: Number(row.added), removed: Number(row.removed), unchanged: Number(row.unchanged) };
}
