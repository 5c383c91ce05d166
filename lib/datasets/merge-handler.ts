// The dataset_merge job's work (./merge-job). Another project's examples are copied row for row
// (their review state, tags, ratings and reasoning come along; their source links do not, those
// chunks belong to the other project); a version's are read back from its frozen files as the
// import reads a chat file. Either way an example whose content hash the project already has is
// left out, and a retry adds nothing twice (natural keys name the origin).
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { readProjectConfig } from "@/lib/projects/config";
import { getStorage } from "@/lib/storage";
import { searchTextOf } from "./example";
import { toExample } from "./formats/mapping";
import { readRecords } from "./formats/parse";
import { contentHash } from "./hash";
import type { MergePayload } from "./merge-payload";
import { refreshNearDuplicates } from "./near-dup-db";
import { validateExample } from "./validate";
import { freezeDatasetVersion, type VersionManifest } from "./versions";

const BATCH = 500;

async function fromProject(ctx: JobContext<MergePayload>, targetId: string, sourceId: string) {
  // A retry of this job counts what its first attempt added.
  const before = await db.datasetExample.count({ where: { projectId: targetId, jobId: ctx.jobId } });
  // One statement: the other project's usable examples, one per content, none the project has.
  const added = await db.$executeRaw`
    INSERT INTO dataset_examples (id, project_id, job_id, split, data, is_valid, validation_error, grounding, token_count, content_hash, is_duplicate,
      review_status, reviewed_by_id, reviewed_at, natural_key, provenance, edited_at, search_text, tags, rating, judge_score, judge_reason, created_at, updated_at)
    SELECT gen_random_uuid(), ${targetId}::uuid, ${ctx.jobId}::uuid, e.split, e.data, e.is_valid, e.validation_error, e.grounding, e.token_count, e.content_hash, false,
      e.review_status, e.reviewed_by_id, e.reviewed_at, 'merge:' || ${sourceId}::text || ':' || e.id::text,
      COALESCE(e.provenance, '{}'::jsonb) || jsonb_build_object('merged_from', jsonb_build_object('project_id', e.project_id, 'example_id', e.id)),
      e.edited_at, e.search_text, e.tags, e.rating, e.judge_score, e.judge_reason, e.created_at, now()
    FROM (
      SELECT DISTINCT ON (content_hash) * FROM dataset_examples
      WHERE project_id = ${sourceId}::uuid AND split IN ('train', 'eval') AND content_hash IS NOT NULL
      ORDER BY content_hash, created_at, id
    ) e
    WHERE NOT EXISTS (SELECT 1 FROM dataset_examples t WHERE t.project_id = ${targetId}::uuid AND t.content_hash = e.content_hash)
    ON CONFLICT (project_id, natural_key) DO NOTHING`;
  const considered = await db.datasetExample.count({ where: { projectId: sourceId, split: { in: ["train", "eval"] }, contentHash: { not: null } } });
  return { added: before + added, considered };
}

async function fromVersion(ctx: JobContext<MergePayload>, target: { id: string; taskType: "instruction" | "qa"; config: unknown }, versionId: string) {
  const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
  const manifest = (version.manifest ?? {}) as Partial<VersionManifest>;
  const config = readProjectConfig(target.config);
  // What the project has, by content: those examples are left out.
  const have = new Set(
    (await db.datasetExample.findMany({ where: { projectId: target.id, contentHash: { not: null } }, select: { contentHash: true } })).map(
      (e) => e.contentHash!,
    ),
  );
  let added = 0;
  let considered = 0;
  let unreadable = 0;
  for (const [split, key] of [
    ["train", version.trainPath],
    ["eval", version.evalPath],
  ] as const) {
    if (!key || (split === "eval" && version.numEval === 0)) continue;
    // The version's lines are chat records; the system prompt frozen into every one is the version's, not the examples'.
    const mapping = { shape: "openai" as const, split, systemTurns: manifest.systemPrompt ? ("drop" as const) : ("keep" as const) };
    let batch: Prisma.DatasetExampleCreateManyInput[] = [];
    const flush = async () => {
      if (batch.length) added += (await db.datasetExample.createMany({ data: batch, skipDuplicates: true })).count;
      batch = [];
    };
    for await (const parsed of readRecords(await getStorage().get(key), "jsonl")) {
      throwIfAborted(ctx.signal);
      considered++;
      const converted = parsed.record ? toExample(parsed.record, mapping, target.taskType) : null;
      if (!converted || !("data" in converted)) {
        unreadable++;
        continue;
      }
      const hash = contentHash(converted.data);
      if (have.has(hash)) continue;
      have.add(hash);
      const validation = validateExample(converted.data, { taskType: target.taskType, maxSeqLength: config.max_seq_length });
      batch.push({
        projectId: target.id,
        jobId: ctx.jobId,
        naturalKey: `merge:${version.id}:${split}:${parsed.line}`,
        split,
        data: converted.data as Prisma.InputJsonObject,
        isValid: validation.isValid,
        validationError: validation.validationError,
        tokenCount: validation.tokenCount,
        contentHash: hash,
        searchText: searchTextOf(converted.data),
        provenance: {
          source: "merge",
          merged_from: { project_id: version.projectId, version_id: version.id, version: version.version, split, line: parsed.line },
        },
      });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await ctx.progress({ done: considered, message: `${considered} examples of version ${version.version} read` });
  }
  return { added, considered, unreadable };
}

export async function mergeDataset(ctx: JobContext<MergePayload>): Promise<Record<string, unknown>> {
  const target = await db.project.findUniqueOrThrow({ where: { id: ctx.projectId }, select: { id: true, workspaceId: true, taskType: true, config: true } });
  const { fromProjectId, fromVersionId, freeze } = ctx.payload;
  // Checked again here: only ever from the same workspace.
  const sourceProject = fromProjectId
    ? await db.project.findFirst({ where: { id: fromProjectId, workspaceId: target.workspaceId }, select: { id: true, name: true, taskType: true } })
    : null;
  const sourceVersion = fromVersionId
    ? await db.datasetVersion.findFirst({
        where: { id: fromVersionId, project: { workspaceId: target.workspaceId } },
        select: { id: true, version: true, project: { select: { name: true } } },
      })
    : null;
  if (fromProjectId && !sourceProject) throw new NonRetryableError("The project to merge from was deleted.");
  if (fromVersionId && !sourceVersion) throw new NonRetryableError("The version to merge from was deleted.");
  if (sourceProject && sourceProject.taskType !== target.taskType)
    throw new NonRetryableError(
      `"${sourceProject.name}" makes ${sourceProject.taskType} examples and this project ${target.taskType} ones; merge a project of the same task type.`,
    );
  await ctx.progress({ message: "Adding the examples" });
  const result: { added: number; considered: number; unreadable?: number } = sourceProject
    ? await fromProject(ctx, target.id, sourceProject.id)
    : await fromVersion(ctx, target, sourceVersion!.id);
  await ctx.progress({ message: "Looking for near-duplicates" });
  await refreshNearDuplicates(target.id);
  const from = sourceProject ? `project "${sourceProject.name}"` : `version ${sourceVersion!.version} of "${sourceVersion!.project.name}"`;
  const unreadable = result.unreadable ?? 0;
  const skipped = result.considered - result.added - unreadable;
  let version: { id: string; version: number } | null = null;
  if (freeze) {
    await ctx.progress({ message: "Freezing a new version" });
    const { createdById } = await db.job.findUniqueOrThrow({ where: { id: ctx.jobId }, select: { createdById: true } });
    version = await freezeDatasetVersion({ workspaceId: target.workspaceId, projectId: target.id, actorId: createdById });
  }
  ctx.log("info", `Merged from ${from}: ${result.added} examples added, ${skipped} already here.${version ? ` Version ${version.version} frozen.` : ""}`);
  return {
    from,
    added: result.added,
    duplicates: skipped,
    ...(unreadable ? { unreadable } : {}),
    ...(version ? { version: version.version, versionId: version.id } : {}),
  };
}
