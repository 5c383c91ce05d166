// Which token counts describe the project's dataset for a base model: the exact ones a run's
// prepare step measured with that model's tokenizer, as long as the dataset is still the version
// that run trained on; otherwise none, and callers keep the cl100k estimates (labelled so).
import { Prisma } from "@prisma/client";
import { versionIsCurrent } from "@/lib/datasets/versions";
import { db } from "@/lib/db/client";
import { type PreparedCounts, readPrepared } from "./prepared";

export type ExactTokenCounts = PreparedCounts & { baseModelId: string; runId: string; runName: string; datasetVersion: number };

/** Recent measuring runs looked at; each distinct version among them costs one query. */
const CANDIDATE_RUNS = 10;

export async function findExactTokenCounts(projectId: string, baseModelId: string | null): Promise<ExactTokenCounts | null> {
  if (!baseModelId) return null;
  const runs = await db.run.findMany({
    where: { projectId, baseModelId, prepared: { not: Prisma.DbNull }, datasetVersionId: { not: null } },
    orderBy: { createdAt: "desc" },
    take: CANDIDATE_RUNS,
    select: { id: true, name: true, prepared: true, datasetVersion: { select: { id: true, version: true, numTrain: true, numEval: true, manifest: true } } },
  });
  const checked = new Map<string, boolean>();
  for (const run of runs) {
    const counts = readPrepared(run.prepared);
    const version = run.datasetVersion;
    if (!counts?.train || !version) continue;
    if (!checked.has(version.id)) checked.set(version.id, await versionIsCurrent(projectId, version));
    if (checked.get(version.id)) return { ...counts, baseModelId, runId: run.id, runName: run.name, datasetVersion: version.version };
  }
  return null;
}
