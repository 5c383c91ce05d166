// A project's sources: documents (and URL sources) with their chunks, and uploaded datasets.
import crypto from "node:crypto";
import type { JobType, Prisma } from "@prisma/client";
import { z } from "zod";
import type { ProjectContext } from "@/lib/access/guard";
import { assertPermission } from "@/lib/access/guard";
import { seal } from "@/lib/crypto";
import { IMPORT_NOTES, type ImportNote } from "@/lib/datasets/formats/mapping";
import { importJob } from "@/lib/datasets/import-job";
import { db } from "@/lib/db/client";
import { withPgTransaction } from "@/lib/db/pool";
import { invalidInput, notFound } from "@/lib/errors";
import { cancelJob } from "@/lib/jobs/control";
import type { JobDefinition } from "@/lib/jobs/definition";
import { enqueueJob, enqueueJobs } from "@/lib/jobs/enqueue";
import { readProjectConfig } from "@/lib/projects/config";
import { getStorage } from "@/lib/storage";
import { fileKey } from "@/lib/storage/keys";
import { assertWithinQuota } from "@/lib/usage";
import { keepChunkTexts } from "./chunk-edits";
import { chunkingJob } from "./chunking-job";

const scope = (ctx: ProjectContext) => ({ projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } });

export type SourceView = {
  id: string;
  kind: "raw_doc" | "dataset_upload";
  status: "uploading" | "ready" | "processing" | "failed";
  filename: string;
  sourceUrl: string | null;
  mimeType: string | null;
  sizeBytes: number;
  errorMessage: string | null;
  format: string | null;
  chunkCount: number;
  tokenCount: number | null;
  pageCount: number | null;
  /** Chunked with other settings than the project's current ones. */
  stale: boolean;
  importSummary: Record<string, number> | null;
  /** What the import did beyond the counts, one line each: rows left out, notes, invalid rows by reason. */
  importDetails: string[];
  /** What the user should know about an extraction that succeeded: pages left out, and why. */
  warnings: string[];
  /** A PDF that failed for want of (the right) password: the list asks for it. */
  needsPassword: boolean;
  createdAt: string;
};

/**
 * The extraction's own warnings, plus, for files chunked before OCR came, the count of pages that
 * had no text at all.
 */
export function extractionWarnings(meta: Record<string, unknown>): string[] {
  const warnings = Array.isArray(meta.warnings) ? meta.warnings.filter((w): w is string => typeof w === "string") : [];
  const blank = typeof meta.pagesWithoutText === "number" ? meta.pagesWithoutText : 0;
  if (blank > 0) warnings.push(`${blank} ${blank === 1 ? "page has" : "pages have"} no text layer (scanned?) and ${blank === 1 ? "was" : "were"} left out.`);
  return warnings;
}

/** The import summary's notes and reasons in words, e.g. "12 tool calls and results kept in the input, before the reply that uses them". */
export function importDetails(summary: unknown): string[] {
  if (!summary || typeof summary !== "object") return [];
  const s = summary as { skipped?: unknown; notes?: unknown; reasons?: unknown };
  const lines: string[] = [];
  const counted = (value: unknown) =>
    value && typeof value === "object" ? Object.entries(value as Record<string, unknown>).filter(([, n]) => typeof n === "number" && n > 0) : [];
  if (typeof s.skipped === "number" && s.skipped > 0) lines.push(`${s.skipped.toLocaleString()} left out: marked bad in the file`);
  for (const [note, n] of counted(s.notes)) {
    const label = IMPORT_NOTES[note as ImportNote];
    if (label) lines.push(`${(n as number).toLocaleString()} ${label}`);
  }
  for (const [reason, n] of counted(s.reasons)) lines.push(`${(n as number).toLocaleString()} invalid: ${reason}`);
  return lines;
}

export async function listSources(ctx: ProjectContext): Promise<SourceView[]> {
  const [project, files] = await Promise.all([
    db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { config: true } }),
    db.file.findMany({
      where: { ...scope(ctx), kind: { in: ["raw_doc", "dataset_upload"] } },
      orderBy: { createdAt: "desc" },
      include: { _count: { select: { chunks: true } } },
    }),
  ]);
  const config = readProjectConfig(project.config);
  return files.map((f) => {
    const meta = (f.metadata ?? {}) as Record<string, unknown>;
    const chunking = meta.chunking as Partial<Record<keyof typeof config, unknown>> | undefined;
    return {
      id: f.id,
      kind: f.kind as SourceView["kind"],
      status: f.status,
      filename: f.filename,
      sourceUrl: f.sourceUrl,
      mimeType: f.mimeType,
      sizeBytes: Number(f.sizeBytes),
      errorMessage: f.errorMessage,
      format: typeof meta.format === "string" ? meta.format : null,
      chunkCount: f._count.chunks,
      tokenCount: typeof meta.tokenCount === "number" ? meta.tokenCount : null,
      pageCount: typeof meta.pageCount === "number" ? meta.pageCount : null,
      stale:
        f.kind === "raw_doc" &&
        f.status === "ready" &&
        Boolean(chunking) &&
        // Each setting the source was read with (chunk size and overlap always; OCR languages and
        // Word comments when they mattered to it) against the project's current one.
        // (Sources chunked before strategies existed were chunked by token windows.)
        Object.entries({ chunk_strategy: "tokens", ...chunking }).some(([key, value]) => key in config && value !== config[key as keyof typeof config]),
      importSummary: (meta.import as Record<string, number> | undefined) ?? null,
      importDetails: importDetails(meta.import),
      warnings: f.status === "ready" ? extractionWarnings(meta) : [],
      needsPassword: f.status === "failed" && meta.needsPassword === true,
      createdAt: f.createdAt.toISOString(),
    };
  });
}

export async function getSource(ctx: ProjectContext, fileId: string) {
  const file = await db.file.findFirst({ where: { id: fileId, ...scope(ctx), kind: { in: ["raw_doc", "dataset_upload"] } } });
  if (!file) throw notFound("Source");
  return file;
}

export const urlSchema = z
  .string()
  .trim()
  .max(2048, "At most 2048 characters.")
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "http:" || u.protocol === "https:") && Boolean(u.hostname);
    } catch {
      return false;
    }
  }, "Enter a web address starting with http:// or https://.");

/** Adds a web page as a source; the worker fetches it (with the private-address guard). */
export async function addUrlSource(ctx: ProjectContext, url: string) {
  assertPermission(ctx.role, "sources.manage");
  await assertWithinQuota(ctx, "storage");
  const existing = await db.file.findFirst({ where: { ...scope(ctx), sourceUrl: url, status: { not: "failed" } } });
  if (existing) throw invalidInput("This page is already a source of the project.", { url: "Already added." });
  const id = crypto.randomUUID();
  return db.$transaction(async (tx) => {
    const file = await tx.file.create({
      data: {
        id,
        projectId: ctx.projectId,
        kind: "raw_doc",
        status: "processing",
        filename: url.replace(/^https?:\/\//, "").slice(0, 512),
        sourceUrl: url,
        mimeType: "text/html",
        storagePath: fileKey(ctx.workspace.id, ctx.projectId, id),
        createdById: ctx.actor.id,
        metadata: { format: "html" },
      },
    });
    await enqueueJob(ctx, chunkingJob, { fileId: id }, { tx });
    return file;
  });
}

/** Deletes a source, its chunks and its stored bytes; examples made from it keep their text. */
export async function deleteSource(ctx: ProjectContext, fileId: string): Promise<void> {
  const file = await getSource(ctx, fileId);
  const active = await db.job.findMany({
    where: { ...scope(ctx), status: { in: ["queued", "running", "retrying"] }, payload: { path: ["fileId"], equals: file.id } },
    select: { id: true },
  });
  // Chunking and dataset-import jobs carry a fileId; each is cancelled with its own clean-up.
  const ownJobs = (type: JobType) => [chunkingJob, importJob].find((d) => d.type === type) as JobDefinition<unknown> | undefined;
  for (const job of active) await cancelJob(ctx, job.id, ownJobs).catch(() => {});
  await withPgTransaction(async (exec) => {
    // Examples made from its chunks keep the text they came from.
    await keepChunkTexts(exec, "rechunk", "c.source_file_id = $2::uuid", [file.id]);
    await exec("DELETE FROM files WHERE id = $1::uuid", [file.id]);
  });
  await getStorage().delete(file.storagePath);
}

/** Re-chunks documents with the project's current settings (all ready or failed ones by default). */
export async function rechunkSources(ctx: ProjectContext, fileIds?: string[]) {
  const files = await db.file.findMany({
    where: { ...scope(ctx), kind: "raw_doc", status: { in: ["ready", "failed"] }, ...(fileIds ? { id: { in: fileIds } } : {}) },
    select: { id: true },
  });
  if (files.length === 0) throw invalidInput("There is nothing to re-chunk yet.");
  await db.file.updateMany({ where: { id: { in: files.map((f) => f.id) } }, data: { status: "processing", errorMessage: null } });
  return enqueueJobs(
    ctx,
    chunkingJob,
    files.map((f) => ({ fileId: f.id })),
  );
}

/**
 * Reads an encrypted PDF with its password: kept sealed (AES-GCM with SECRET_KEY) on the file,
 * never shown again, used by the chunking job, which runs again now.
 */
export async function unlockPdf(ctx: ProjectContext, fileId: string, password: string) {
  const file = await getSource(ctx, fileId);
  const meta = (file.metadata ?? {}) as Record<string, unknown>;
  if (file.kind !== "raw_doc" || meta.needsPassword !== true) throw invalidInput("This source is not waiting for a password.");
  await db.file.update({
    where: { id: file.id },
    data: { status: "processing", errorMessage: null, metadata: { ...meta, pdfPassword: seal(password) } as Prisma.InputJsonObject },
  });
  return enqueueJob(ctx, chunkingJob, { fileId: file.id });
}

export const CHUNK_PAGE_SIZE = 50;

/** OCR confidence by page number (0–100, null where no words were found), from a file's metadata. */
export function ocrConfidenceByPage(meta: unknown): Map<number, number | null> {
  const pages = ((meta ?? {}) as { ocr?: { pages?: unknown } }).ocr?.pages;
  const found = new Map<number, number | null>();
  if (!Array.isArray(pages)) return found;
  for (const p of pages as { page?: unknown; confidence?: unknown }[]) {
    if (typeof p?.page === "number") found.set(p.page, typeof p.confidence === "number" ? p.confidence : null);
  }
  return found;
}

export async function listChunks(ctx: ProjectContext, fileId: string, page = 1) {
  const file = await getSource(ctx, fileId);
  const [chunks, total] = await Promise.all([
    db.chunk.findMany({
      where: { sourceFileId: file.id, projectId: ctx.projectId },
      orderBy: { chunkIndex: "asc" },
      skip: (Math.max(1, page) - 1) * CHUNK_PAGE_SIZE,
      take: CHUNK_PAGE_SIZE,
    }),
    db.chunk.count({ where: { sourceFileId: file.id, projectId: ctx.projectId } }),
  ]);
  return { file, chunks, total, pages: Math.max(1, Math.ceil(total / CHUNK_PAGE_SIZE)) };
}

export type ChunkStats = {
  documents: number;
  chunks: number;
  tokens: number;
  minTokens: number;
  maxTokens: number;
  avgTokens: number;
  histogram: Array<{ from: number; to: number; count: number }>;
};

/** Totals and a token-count histogram of the project's chunks (one query). */
export async function chunkStats(ctx: ProjectContext, buckets = 16): Promise<ChunkStats> {
  const project = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { config: true } });
  const size = readProjectConfig(project.config).chunk_size_tokens;
  const width = Math.max(1, Math.ceil(size / buckets));
  const [totals] = await db.$queryRaw<
    Array<{ documents: bigint; chunks: bigint; tokens: bigint | null; min: number | null; max: number | null; avg: number | null }>
  >`
    SELECT count(DISTINCT source_file_id) AS documents, count(*) AS chunks, sum(token_count) AS tokens,
           min(token_count) AS min, max(token_count) AS max, avg(token_count)::float AS avg
    FROM chunks WHERE project_id = ${ctx.projectId}::uuid`;
  const rows = await db.$queryRaw<Array<{ bucket: number; count: bigint }>>`
    SELECT LEAST(token_count / ${width}::int, ${buckets - 1}::int) AS bucket, count(*) AS count
    FROM chunks WHERE project_id = ${ctx.projectId}::uuid GROUP BY 1 ORDER BY 1`;
  const counts = new Map(rows.map((r) => [Number(r.bucket), Number(r.count)]));
  return {
    documents: Number(totals.documents),
    chunks: Number(totals.chunks),
    tokens: Number(totals.tokens ?? 0),
    minTokens: totals.min ?? 0,
    maxTokens: totals.max ?? 0,
    avgTokens: Math.round(totals.avg ?? 0),
    histogram: Array.from({ length: buckets }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: counts.get(i) ?? 0 })),
  };
}
