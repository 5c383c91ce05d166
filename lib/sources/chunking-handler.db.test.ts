// The chunking job's work (processDocument) on the real database and storage: streamed plain text
// and Markdown store exactly the chunks and file metadata of the whole-file path; PDF and DOCX
// chunks go in batch by batch and are still chunkDocument's; a re-chunk swaps the whole set at once
// (readers see the old set until the commit), and a cancelled or failed run keeps the old set.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { chunkDocument } from "@/lib/chunking";
import { db } from "@/lib/db/client";
import { extractDocument } from "@/lib/ingest";
import type { DocumentFormat } from "@/lib/ingest/types";
import type { JobContext } from "@/lib/jobs/definition";
import { listSources } from "@/lib/sources";
import { getStorage } from "@/lib/storage";
import { makeDocx, makePdf, makeScanImage, makeScannedPdf, makeZip } from "@/tests/support/corpus";
import { createProjectIn, createTeam } from "@/tests/support/fixtures";
import { testJobContext } from "@/tests/support/job-context";
import { processDocument } from "./chunking-handler";

let workspaceId: string;

beforeAll(async () => {
  workspaceId = (await createTeam()).workspace.id;
});

async function project(config: { chunk_size_tokens?: number; chunk_overlap_tokens?: number; ocr_languages?: string } = {}) {
  const created = await createProjectIn(workspaceId);
  return db.project.update({ where: { id: created.id }, data: { config } });
}

async function storedFile(projectId: string, filename: string, bytes: Buffer) {
  const storagePath = `test/${projectId}/${crypto.randomUUID()}`;
  await getStorage().put(storagePath, bytes);
  return db.file.create({ data: { projectId, kind: "raw_doc", status: "processing", filename, storagePath } });
}

function context(projectId: string, fileId: string, overrides: Partial<JobContext<{ fileId: string }>> = {}) {
  return testJobContext(projectId, { fileId }, { overrides });
}

async function rows(fileId: string) {
  const chunks = await db.chunk.findMany({ where: { sourceFileId: fileId }, orderBy: { chunkIndex: "asc" } });
  return chunks.map((c) => ({ index: c.chunkIndex, content: c.content, tokenCount: c.tokenCount, charCount: c.charCount, metadata: c.metadata }));
}

async function expectedRows(format: DocumentFormat, bytes: Buffer, options = { chunkSizeTokens: 512, chunkOverlapTokens: 50 }) {
  const doc = await extractDocument(format, { bytes });
  return chunkDocument(doc, options).map((c) => ({
    index: c.index,
    content: c.content,
    tokenCount: c.tokenCount,
    charCount: c.charCount,
    metadata: c.metadata,
  }));
}

const paragraph = (topic: string, i: number) =>
  `${topic} ${i}: the warranty covers parts and labour for two years.  ${"Claims go through the support team, who answer within a day. ".repeat(1 + (i % 9))}`;

function markdown(): Buffer {
  const parts = ["---\ntitle: Support handbook\nowner: support\n---", ""];
  for (let s = 0; s < 30; s++) {
    parts.push(s % 4 === 0 ? `Part ${s}\n${"=".repeat(12)}` : `${"#".repeat(1 + (s % 3))} Section ${s}`);
    for (let i = 0; i < 4 + (s % 5); i++) parts.push(paragraph(`S${s}`, i));
    if (s % 7 === 0) parts.push("```\n# not a heading\n```");
    // An mdBook chapter's listings, which one uploaded file cannot resolve.
    if (s % 5 === 0) parts.push(`\`\`\`rust\n{{#include ../listings/ch${s}/src/main.rs}}\n\`\`\``);
  }
  return Buffer.from(parts.join("\r\n\r\n"));
}

function plainText(): Buffer {
  return Buffer.from(Array.from({ length: 600 }, (_, i) => `${paragraph("Line", i)}  \r\n${i % 9 === 0 ? "\r\n\r\n\r\n" : ""}`).join(""));
}

describe("processDocument", () => {
  it("streams plain text and Markdown into exactly the chunks and file metadata of the whole-file path", async () => {
    const p = await project();
    for (const [filename, format, bytes] of [
      ["handbook.md", "markdown", markdown()],
      ["notes.txt", "text", plainText()],
    ] as const) {
      const expected = await expectedRows(format, bytes);
      expect(expected.length).toBeGreaterThan(20);
      if (format === "markdown") expect(new Set(expected.map((c) => c.metadata.section)).size).toBeGreaterThan(20);

      const streamedFile = await storedFile(p.id, filename, bytes);
      const streamed = context(p.id, streamedFile.id);
      const result = await processDocument(streamed.ctx, { streamAboveBytes: 0 });
      expect(streamed.logs.join("\n")).toContain("(streamed)");
      expect(await rows(streamedFile.id)).toEqual(expected);

      const wholeFile = await storedFile(p.id, filename, bytes);
      const whole = context(p.id, wholeFile.id);
      expect(await processDocument(whole.ctx)).toEqual(result);
      expect(whole.logs.join("\n")).not.toContain("(streamed)");
      expect(await rows(wholeFile.id)).toEqual(expected);

      const [a, b] = await Promise.all([streamedFile, wholeFile].map((f) => db.file.findUniqueOrThrow({ where: { id: f.id } })));
      expect(a.status).toBe("ready");
      expect(a.metadata).toEqual(b.metadata);
      expect(a.metadata).toMatchObject({ format, encoding: "utf-8", chunkCount: expected.length });
      if (format === "markdown") {
        expect(a.metadata).toMatchObject({
          unresolvedIncludes: { mdBook: 6 },
          warnings: [expect.stringMatching(/^6 include directives were not resolved \(6 mdBook\)/)],
        });
      }
      if (format === "markdown") expect(a.metadata).toMatchObject({ title: "Support handbook", sectionCount: 30 });
    }
  }, 60_000);

  it("stores a multi-page PDF's and a DOCX's chunks, batch by batch, exactly as chunkDocument makes them", async () => {
    const p = await project({ chunk_size_tokens: 64, chunk_overlap_tokens: 8 });
    const pages = Array.from({ length: 40 }, (_, n) => [
      { text: `Chapter ${n + 1}`, size: 20 },
      ...Array.from({ length: 45 }, (_, i) => ({ text: paragraph(`Page ${n + 1} line`, i).slice(0, 90) })),
    ]);
    const pdf = await makePdf(pages);
    const docx = await makeDocx(
      ["Refund policy", "Fees", "Exceptions", "Contacts"].flatMap((heading, h) => [
        { heading: (1 + (h % 2)) as 1 | 2, text: heading },
        ...Array.from({ length: 120 }, (_, i) => ({ text: paragraph(heading, i) })),
      ]),
    );
    for (const [filename, format, bytes] of [
      ["manual.pdf", "pdf", pdf],
      ["policy.docx", "docx", docx],
    ] as const) {
      const expected = await expectedRows(format, bytes, { chunkSizeTokens: 64, chunkOverlapTokens: 8 });
      // More than one insert batch (500 chunks).
      expect(expected.length).toBeGreaterThan(500);
      const file = await storedFile(p.id, filename, bytes);
      await processDocument(context(p.id, file.id).ctx);
      expect(await rows(file.id)).toEqual(expected);
      if (format === "pdf") expect(new Set(expected.map((c) => c.metadata.page_end)).size).toBe(40);
      else expect(new Set(expected.map((c) => c.metadata.section)).size).toBe(4);
    }
  }, 60_000);

  it("re-chunks by swapping the whole set at once: readers see the old set until then, and a cancelled or failed run keeps it", async () => {
    const p = await project();
    const bytes = Buffer.concat(Array.from({ length: 40 }, () => markdown()));
    const file = await storedFile(p.id, "big.md", bytes);
    await processDocument(context(p.id, file.id).ctx, { streamAboveBytes: 0 });
    const old = await rows(file.id);
    expect(old.length).toBeGreaterThan(100);

    // Smaller chunks: many batches. Cancelled half way, after readers checked the old set.
    await db.project.update({ where: { id: p.id }, data: { config: { chunk_size_tokens: 32, chunk_overlap_tokens: 4 } } });
    const controller = new AbortController();
    const seen: Promise<unknown>[] = [];
    let reports = 0;
    const cancelled = context(p.id, file.id, {
      signal: controller.signal,
      progress: async ({ pct }) => {
        if ((pct ?? 0) <= 40) return;
        // Another connection, while the new set is going in.
        seen.push(rows(file.id));
        if (++reports === 6) controller.abort("cancelled");
      },
    });
    await expect(processDocument(cancelled.ctx, { streamAboveBytes: 0 })).rejects.toThrow(/cancel/i);
    expect(reports).toBeGreaterThanOrEqual(6);
    for (const view of await Promise.all(seen)) expect(view).toEqual(old);
    expect(await rows(file.id)).toEqual(old);

    // A run that fails (the stored file is now blank) keeps the old set too, with a plain message.
    const blank = Buffer.from(" \n\n\u2003\n \t\n".repeat(1000));
    await getStorage().put(file.storagePath, blank);
    await expect(processDocument(context(p.id, file.id).ctx, { streamAboveBytes: 0 })).rejects.toThrow("This Markdown file has no text in it.");
    expect(await db.file.findUniqueOrThrow({ where: { id: file.id } })).toMatchObject({
      status: "failed",
      errorMessage: "This Markdown file has no text in it.",
    });
    expect(await rows(file.id)).toEqual(old);

    // The same for plain text, whose blankness is known only at the end of the stream.
    const txt = await storedFile(p.id, "notes.txt", plainText());
    await processDocument(context(p.id, txt.id).ctx, { streamAboveBytes: 0 });
    const oldText = await rows(txt.id);
    await getStorage().put(txt.storagePath, blank);
    await expect(processDocument(context(p.id, txt.id).ctx, { streamAboveBytes: 0 })).rejects.toThrow("This file has no text in it.");
    expect(await rows(txt.id)).toEqual(oldText);

    // Then a run that goes through replaces the whole set; a re-run changes nothing.
    await getStorage().put(file.storagePath, bytes);
    await processDocument(context(p.id, file.id).ctx, { streamAboveBytes: 0 });
    const fresh = await rows(file.id);
    expect(fresh).toEqual(await expectedRows("markdown", bytes, { chunkSizeTokens: 32, chunkOverlapTokens: 4 }));
    expect(fresh.map((c) => c.index)).toEqual(fresh.map((_, i) => i));
    await processDocument(context(p.id, file.id).ctx, { streamAboveBytes: 0 });
    expect(await rows(file.id)).toEqual(fresh);
    expect(await db.file.findUniqueOrThrow({ where: { id: file.id } })).toMatchObject({ status: "ready", errorMessage: null });
  }, 120_000);

  it("reads scans by OCR in the project's languages: page numbers on the chunks, progress page by page, warnings on the source", async () => {
    const p = await project();
    const pdf = await makeScannedPdf([
      { text: [{ text: "Section one is typed and has a text layer." }] },
      { scan: ["Section two was scanned from paper.", "Its text comes from OCR."] },
    ]);
    const file = await storedFile(p.id, "binder.pdf", pdf);
    const progress: string[] = [];
    const { ctx } = context(p.id, file.id, { progress: async ({ message }) => void progress.push(message ?? "") });
    expect(await processDocument(ctx)).toMatchObject({ chunks: 1, pages: 2 });
    const [chunk] = await rows(file.id);
    expect(chunk.content).toBe("Section one is typed and has a text layer.\n\nSection two was scanned from paper.\nIts text comes from OCR.");
    expect(chunk.metadata).toMatchObject({ page_start: 1, page_end: 2 });
    expect(progress).toContain("Reading page 2 by OCR (1 of 1)");
    const stored = await db.file.findUniqueOrThrow({ where: { id: file.id } });
    expect(stored.metadata).toMatchObject({
      format: "pdf",
      ocr: { engine: "tesseract", languages: "eng", pages: [{ page: 2, confidence: expect.any(Number) }] },
    });

    const image = await storedFile(p.id, "receipt.png", await makeScanImage(["Receipt 4471: two filters, one lens cap."]));
    expect(await processDocument(context(p.id, image.id).ctx)).toMatchObject({ chunks: 1 });
    expect((await rows(image.id))[0].content).toBe("Receipt 4471: two filters, one lens cap.");

    const ctxFor = { workspace: { id: workspaceId }, projectId: p.id } as Parameters<typeof listSources>[0];
    const sources = await listSources(ctxFor);
    expect(sources.find((s) => s.id === file.id)?.warnings).toEqual([expect.stringMatching(/^Page 2 was read by OCR \(confidence \d+ %\)/)]);
    expect(sources.find((s) => s.id === image.id)).toMatchObject({
      status: "ready",
      mimeType: "image/png",
      warnings: [expect.stringMatching(/^The image was read by OCR/)],
    });

    // A source read by OCR needs a re-chunk when the OCR languages change; one without scans does not.
    const typed = await storedFile(p.id, "typed.pdf", await makePdf([[{ text: "Typed only." }]]));
    await processDocument(context(p.id, typed.id).ctx);
    expect((await listSources(ctxFor)).filter((s) => s.stale)).toEqual([]);
    await db.project.update({ where: { id: p.id }, data: { config: { ocr_languages: "" } } });
    const stale = (await listSources(ctxFor)).filter((s) => s.stale).map((s) => s.filename);
    expect(stale.sort()).toEqual(["binder.pdf", "receipt.png"]);
  });

  it("with OCR off for the project, a scan fails with what to set and a partly scanned PDF keeps its text pages", async () => {
    const p = await project({ ocr_languages: "" });
    const image = await storedFile(p.id, "scan.jpg", await makeScanImage(["Not read"], { format: "jpeg" }));
    await expect(processDocument(context(p.id, image.id).ctx)).rejects.toThrow(/OCR is off for this project/);
    expect(await db.file.findUniqueOrThrow({ where: { id: image.id } })).toMatchObject({
      status: "failed",
      errorMessage: expect.stringMatching(/OCR is off for this project/),
    });

    const pdf = await storedFile(p.id, "mixed.pdf", await makeScannedPdf([{ text: [{ text: "Typed page." }] }, { scan: ["Scanned page."] }]));
    await processDocument(context(p.id, pdf.id).ctx);
    expect((await rows(pdf.id)).map((r) => r.content)).toEqual(["Typed page."]);
    expect((await db.file.findUniqueOrThrow({ where: { id: pdf.id } })).metadata).toMatchObject({
      pagesNeedingOcr: [2],
      warnings: [expect.stringMatching(/^Page 2 was left out: it has no text layer \(scanned\)\. OCR is off/)],
    });
  });

  it("reads a ZIP of Markdown as one document with its includes resolved", async () => {
    const p = await project();
    const zip = await makeZip([
      ["book/SUMMARY.md", "- [One](one.md)\n- [Two](two.md)"],
      ["book/one.md", "# One\n\n{{#include ../code/hello.py}}"],
      ["book/two.md", "# Two\n\nThe end."],
      ["code/hello.py", "print('hello')"],
    ]);
    const file = await storedFile(p.id, "book.zip", zip);
    expect(await processDocument(context(p.id, file.id).ctx)).toMatchObject({ chunks: 1 });
    expect((await rows(file.id))[0].content).toBe("# One\n\nprint('hello')\n\n# Two\n\nThe end.");
    const stored = await db.file.findUniqueOrThrow({ where: { id: file.id } });
    expect(stored).toMatchObject({
      status: "ready",
      mimeType: "application/zip",
      metadata: expect.objectContaining({ format: "markdown_zip", chapters: 2, includesResolved: 1 }),
    });
  });
});
