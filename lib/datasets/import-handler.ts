// The import job's work (see import-job.ts).
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import type { DatasetFormat } from "@/lib/ingest/types";
import { type JobContext, NonRetryableError, throwIfAborted } from "@/lib/jobs/definition";
import { readProjectConfig } from "@/lib/projects/config";
import { readDatasetFile } from "./dataset-file";
import { flagDuplicates } from "./dedup";
import { type ExampleData, searchTextOf } from "./example";
import { type DatasetMapping, recordSplit, toExample } from "./formats/mapping";
import { DatasetReadError, type ParsedRecord } from "./formats/record";
import { contentHash } from "./hash";
import { refreshNearDuplicates } from "./near-dup-db";
import { assignSplit } from "./split";
import { validateExample } from "./validate";

const BATCH = 500;

/** A file that cannot be read at all (a damaged Parquet footer) fails the job for good. */
async function* unlessUnreadable(records: AsyncGenerator<ParsedRecord>): AsyncGenerator<ParsedRecord> {
  try {
    yield* records;
  } catch (error) {
    if (error instanceof DatasetReadError) throw new NonRetryableError(error.message);
    throw error;
  }
}
const DATASET_FORMATS: DatasetFormat[] = ["jsonl", "json", "csv", "parquet"];

type Row = Prisma.DatasetExampleCreateManyInput;

export async function importDataset(ctx: JobContext<{ fileId: string; mapping: DatasetMapping }>): Promise<Record<string, unknown>> {
  const file = await db.file.findFirst({ where: { id: ctx.payload.fileId, projectId: ctx.projectId, kind: "dataset_upload" }, include: { project: true } });
  if (!file) throw new NonRetryableError("This dataset file was deleted.");
  const format = (file.metadata as { format?: DatasetFormat } | null)?.format;
  if (!format || !DATASET_FORMATS.includes(format)) throw new NonRetryableError("This file is not a dataset (JSONL, JSON, CSV or Parquet).");
  const config = readProjectConfig(file.project.config);
  const taskType = file.project.taskType;
  const checkpoint = ctx.checkpoint.get<{ line: number; skipped?: number }>();
  const resumeAfter = checkpoint?.line ?? 0;
  // Rows left out on purpose (a bad label the user chose to skip) are counted, never stored.
  let skipped = checkpoint?.skipped ?? 0;
  if (resumeAfter > 0) ctx.log("info", `Resuming after line ${resumeAfter}.`);

  const total = Number(file.sizeBytes) || 1;
  let bytes = 0;

  let batch: Row[] = [];
  let lastLine = resumeAfter;
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    await db.$transaction(async (tx) => {
      await tx.datasetExample.createMany({ data: pending, skipDuplicates: true });
      await ctx.checkpoint.saveIn(tx, { line: lastLine, skipped });
    });
    await ctx.progress({ pct: Math.min(95, Math.floor((bytes / total) * 95)), message: `Imported through line ${lastLine.toLocaleString()}`, done: rows });
  };

  for await (const parsed of unlessUnreadable(readDatasetFile(file, format, (n) => (bytes += n)))) {
    if (parsed.line <= resumeAfter) continue;
    throwIfAborted(ctx.signal);
    rows++;
    lastLine = parsed.line;
    const base = {
      projectId: file.projectId,
      jobId: ctx.jobId,
      sourceFileId: file.id,
      naturalKey: `import:${file.id}:${parsed.line}`,
      provenance: { source: "import", file: file.filename, line: parsed.line },
    };
    const problem = parsed.error ?? null;
    const converted = parsed.record ? toExample(parsed.record, ctx.payload.mapping, taskType) : null;
    if (converted && "skipped" in converted) {
      skipped++;
      continue;
    }
    if (problem || !converted || "error" in converted) {
      const reason = problem ?? (converted && "error" in converted ? converted.error : "Unreadable row.");
      batch.push({
        ...base,
        data: { raw: (parsed.record ?? null) as Prisma.InputJsonValue },
        isValid: false,
        validationError: `Line ${parsed.line}: ${reason}`,
        tokenCount: 0,
        split: "train",
      });
    } else {
      const data: ExampleData = converted.data;
      const validation = validateExample(data, { taskType, maxSeqLength: config.max_seq_length });
      const hash = contentHash(data);
      batch.push({
        ...base,
        provenance: {
          ...base.provenance,
          ...(converted.notes.length ? { notes: converted.notes } : {}),
          ...(converted.rejected !== undefined ? { rejected: converted.rejected } : {}),
          ...(converted.labelledBad ? { label: false } : {}),
        },
        // Marked bad in the file: kept for review, never trained unless a person approves it.
        ...(converted.labelledBad ? { reviewStatus: "rejected" as const } : {}),
        data: data as Prisma.InputJsonObject,
        isValid: validation.isValid,
        validationError: validation.validationError ? `Line ${parsed.line}: ${validation.validationError}` : null,
        tokenCount: validation.tokenCount,
        contentHash: hash,
        searchText: searchTextOf(data),
        split: splitFor(ctx.payload.mapping, parsed.record!, () => assignSplit(hash, file.projectId, config.train_eval_split)),
      });
    }
    if (batch.length >= BATCH) await flush();
  }
  await flush();

  await ctx.progress({ pct: 97, message: "Looking for duplicates" });
  const duplicates = await flagDuplicates(file.projectId);
  await refreshNearDuplicates(file.projectId);
  const [imported, valid] = await Promise.all([
    db.datasetExample.count({ where: { sourceFileId: file.id } }),
    db.datasetExample.count({ where: { sourceFileId: file.id, isValid: true } }),
  ]);
  const fromFileDuplicates = await db.datasetExample.count({ where: { sourceFileId: file.id, isDuplicate: true } });
  const summary = { imported, valid, invalid: imported - valid, duplicates: fromFileDuplicates, skipped, ...(await importNotes(file.id)) };
  await db.file.update({
    where: { id: file.id },
    data: { errorMessage: null, metadata: { ...((file.metadata as object) ?? {}), import: summary, mapping: ctx.payload.mapping as Prisma.InputJsonObject } },
  });
  ctx.log(
    "info",
    `${file.filename}: ${imported} rows, ${valid} valid, ${imported - valid} invalid, ${fromFileDuplicates} duplicates (${duplicates} in the project)${skipped ? `, ${skipped} left out as marked bad` : ""}.`,
  );
  return summary;
}

/** The mapping's split, else the row's own, else the project's share (assignSplit). */
function splitFor(mapping: DatasetMapping, record: Record<string, unknown>, byShare: () => "train" | "eval"): "train" | "eval" {
  const chosen = mapping.split ?? "auto";
  if (chosen !== "auto") return chosen;
  return recordSplit(record) ?? byShare();
}

/**
 * What the summary says beyond the counts, from the stored rows (so a resumed import counts every
 * row once): `notes`, how many examples carry each import note (conversations kept whole, later turns left out, tool turns
 * kept, rejected answers, bad labels); `reasons`, the invalid rows by reason, most common first.
 */
async function importNotes(fileId: string): Promise<{ notes: Record<string, number>; reasons: Record<string, number> }> {
  const [notes, reasons] = await Promise.all([
    db.$queryRaw<{ note: string; n: bigint }[]>`
      SELECT note, count(*) AS n FROM dataset_examples, jsonb_array_elements_text(CASE WHEN jsonb_typeof(provenance->'notes') = 'array' THEN provenance->'notes' ELSE '[]'::jsonb END) AS note
      WHERE source_file_id = ${fileId}::uuid GROUP BY note ORDER BY n DESC`,
    db.$queryRaw<{ reason: string; n: bigint }[]>`
      SELECT regexp_replace(validation_error, '^Line [0-9]+: ', '') AS reason, count(*) AS n FROM dataset_examples
      WHERE source_file_id = ${fileId}::uuid AND NOT is_valid GROUP BY reason ORDER BY n DESC, reason LIMIT 10`,
  ]);
  return {
    notes: Object.fromEntries(notes.map((r) => [r.note, Number(r.n)])),
    reasons: Object.fromEntries(reasons.map((r) => [r.reason, Number(r.n)])),
  };
}
