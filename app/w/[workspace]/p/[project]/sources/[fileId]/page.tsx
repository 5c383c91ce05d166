import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChunkText } from "@/components/sources/chunk-editor";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { AppError } from "@/lib/errors";
import { extractionWarnings, listChunks, ocrConfidenceByPage } from "@/lib/sources";

export const metadata: Metadata = { title: "Chunks" };

function pages(meta: unknown): string | null {
  const m = (meta ?? {}) as { page_start?: number; page_end?: number };
  if (!m.page_start) return null;
  return m.page_end && m.page_end !== m.page_start ? `pages ${m.page_start}–${m.page_end}` : `page ${m.page_start}`;
}

/** "OCR 94 %" for a chunk from OCR'd pages (the lowest of their confidences), else null. */
function ocrLabel(meta: unknown, confidence: Map<number, number | null>, wholeFile: boolean): string | null {
  if (!confidence.size) return null;
  const m = (meta ?? {}) as { page_start?: number; page_end?: number };
  const numbers = m.page_start ? Array.from({ length: (m.page_end ?? m.page_start) - m.page_start + 1 }, (_, i) => m.page_start! + i) : wholeFile ? [1] : [];
  const values = numbers.filter((n) => confidence.has(n)).map((n) => confidence.get(n));
  if (!values.length) return null;
  const known = values.filter((v): v is number => typeof v === "number");
  return known.length ? `OCR ${Math.min(...known)} %` : "OCR";
}

export default async function ChunkViewer({
  params,
  searchParams,
}: {
  params: Promise<{ workspace: string; project: string; fileId: string }>;
  searchParams: Promise<{ page?: string }>;
}) {
  const { workspace, project, fileId } = await params;
  const page = Math.max(1, Number((await searchParams).page ?? 1) || 1);
  const ctx = await projectPageContext(workspace, project);
  const result = await listChunks(ctx, fileId, page).catch((error) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const base = `/w/${workspace}/p/${ctx.projectId}/sources`;
  const canEdit = can(ctx.role, "sources.manage");
  const warnings = extractionWarnings((result.file.metadata ?? {}) as Record<string, unknown>);
  const confidence = ocrConfidenceByPage(result.file.metadata);
  // An image is one page without page marks on its chunks.
  const wholeFile = result.file.mimeType?.startsWith("image/") ?? false;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Button asChild variant="ghost" size="sm">
          <Link href={base}>
            <ArrowLeft className="size-4" /> Sources
          </Link>
        </Button>
        <h2 className="truncate text-lg font-semibold">{result.file.filename}</h2>
        <span className="text-sm text-muted-foreground">{result.total.toLocaleString()} chunks</span>
      </div>
      {warnings.length > 0 && (
        <ul
          className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          data-testid="extraction-warnings"
        >
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <ol className="space-y-3" data-testid="chunk-list">
        {result.chunks.map((chunk) => {
          const meta = (chunk.metadata ?? {}) as { section?: string; edited?: boolean };
          const ocr = ocrLabel(chunk.metadata, confidence, wholeFile);
          return (
            <li key={chunk.id}>
              <Card className="py-3">
                <CardContent className="space-y-2">
                  <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                    <Badge variant="secondary">#{chunk.chunkIndex + 1}</Badge>
                    <span className="tabular-nums">{chunk.tokenCount} tokens</span>
                    {pages(chunk.metadata) && <span data-testid="chunk-pages">{pages(chunk.metadata)}</span>}
                    {ocr && (
                      <Badge variant="outline" data-testid="chunk-ocr" title="Read by OCR: the lowest confidence of its pages">
                        {ocr}
                      </Badge>
                    )}
                    {meta.section && <span className="truncate">§ {meta.section}</span>}
                    {meta.edited && (
                      <Badge variant="outline" title={chunk.editedAt ? `Changed by hand ${chunk.editedAt.toLocaleString()}` : undefined}>
                        edited
                      </Badge>
                    )}
                  </div>
                  <ChunkText
                    projectId={ctx.projectId}
                    chunk={{ id: chunk.id, chunkIndex: chunk.chunkIndex, content: chunk.content }}
                    isLast={chunk.chunkIndex === result.total - 1}
                    canEdit={canEdit}
                  />
                </CardContent>
              </Card>
            </li>
          );
        })}
      </ol>
      {result.pages > 1 && (
        <div className="flex items-center justify-center gap-2 text-sm">
          {page > 1 && (
            <Button asChild variant="outline" size="sm">
              <Link href={`${base}/${fileId}?page=${page - 1}`}>Previous</Link>
            </Button>
          )}
          <span>
            Page {page} of {result.pages}
          </span>
          {page < result.pages && (
            <Button asChild variant="outline" size="sm">
              <Link href={`${base}/${fileId}?page=${page + 1}`}>Next</Link>
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
