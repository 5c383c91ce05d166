// Importing an uploaded dataset: a preview (detected shape, columns, suggested mapping, sample
// rows and their problems) for the user to confirm or change, then the import job.
import type { ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import type { DatasetFormat } from "@/lib/ingest/types";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { readDatasetFile } from "./dataset-file";
import type { ExampleData } from "./example";
import { type DatasetMapping, IMPORT_NOTES, toExample } from "./formats/mapping";
import { type DatasetShape, detectShape } from "./formats/shapes";
import { importJob } from "./import-job";

const SAMPLE_RECORDS = 200;
const SHOWN = 5;

export type ImportPreview = {
  format: DatasetFormat;
  shape: DatasetShape;
  columns: string[];
  suggestedMapping: DatasetMapping | null;
  taskType: "instruction" | "qa";
  sample: Array<{ line: number; record: Record<string, unknown> | null; example: ExampleData | null; error: string | null; notes?: string[] }>;
  sampledRows: number;
  sampleErrors: number;
};

async function datasetFile(ctx: ProjectContext, fileId: string) {
  const file = await db.file.findFirst({
    where: { id: fileId, projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id }, kind: "dataset_upload" },
    include: { project: { select: { taskType: true } } },
  });
  if (!file) throw notFound("Dataset file");
  const format = (file.metadata as { format?: DatasetFormat } | null)?.format;
  if (!format) throw invalidInput("This file's format is unknown; upload it again.");
  return { file, format };
}

export async function previewImport(ctx: ProjectContext, fileId: string, mapping?: DatasetMapping): Promise<ImportPreview> {
  const { file, format } = await datasetFile(ctx, fileId);
  const parsed: Array<{ line: number; record?: Record<string, unknown>; error?: string }> = [];
  for await (const row of readDatasetFile(file, format)) {
    parsed.push(row);
    if (parsed.length >= SAMPLE_RECORDS) break;
  }
  const records = parsed.flatMap((p) => (p.record ? [p.record] : []));
  const detected = detectShape(records);
  // A file named as a split (an export's train.jsonl and eval.jsonl, test.csv …) keeps its rows there.
  const named = /^(eval|evaluation|test|valid|validation|dev)([._-]|$)/i.test(file.filename)
    ? ("eval" as const)
    : /^train(ing)?([._-]|$)/i.test(file.filename)
      ? ("train" as const)
      : undefined;
  const detection = named && detected.suggestedMapping ? { ...detected, suggestedMapping: { ...detected.suggestedMapping, split: named } } : detected;
  const effective = mapping ?? detection.suggestedMapping;
  const taskType = file.project.taskType;
  const sample = parsed.slice(0, SHOWN).map((p) => {
    if (!p.record) return { line: p.line, record: null, example: null, error: p.error ?? "Unreadable row." };
    if (!effective) return { line: p.line, record: p.record, example: null, error: null };
    const converted = toExample(p.record, effective, taskType);
    if ("error" in converted) return { line: p.line, record: p.record, example: null, error: converted.error };
    if ("skipped" in converted) return { line: p.line, record: p.record, example: null, error: `Left out: ${converted.skipped}.` };
    return { line: p.line, record: p.record, example: converted.data, error: null, notes: converted.notes.map((n) => IMPORT_NOTES[n]) };
  });
  const sampleErrors = effective
    ? parsed.filter((p) => !p.record || "error" in toExample(p.record, effective, taskType)).length
    : parsed.filter((p) => !p.record).length;
  return {
    format,
    shape: detection.shape,
    columns: detection.columns,
    suggestedMapping: detection.suggestedMapping,
    taskType,
    sample,
    sampledRows: parsed.length,
    sampleErrors,
  };
}

export async function startImport(ctx: ProjectContext, fileId: string, mapping: DatasetMapping) {
  const { file } = await datasetFile(ctx, fileId);
  if (file.status !== "ready") throw invalidInput("This file is not ready to import.");
  return enqueueJob(ctx, importJob, { fileId: file.id, mapping });
}
