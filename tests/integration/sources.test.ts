// Sources end to end on real parts: the upload route streams to storage, the worker process
// extracts and chunks (or imports), failures are explained per file, and nothing else is lost.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/projects/[projectId]/files/route";
import { requireProject } from "@/lib/access/guard";
import { chunkDocument } from "@/lib/chunking";
import { unseal } from "@/lib/crypto";
import type { DatasetMapping } from "@/lib/datasets/formats/mapping";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { extractText } from "@/lib/ingest/text";
import { stopSender } from "@/lib/jobs/boss";
import { listSources } from "@/lib/sources";
import { addUrlSourceAction, deleteSourceAction, previewImportAction, rechunkSourcesAction, startImportAction, unlockPdfAction } from "@/lib/sources/actions";
import { STREAM_TEXT_ABOVE_BYTES } from "@/lib/sources/chunking-handler";
import { getStorage } from "@/lib/storage";
import { CORPUS, makeDocx, makePdf, makeRawFontPdf, symbolSoupPages, textOps } from "../support/corpus";
import { createTeam, type Team } from "../support/fixtures";
import { actAs, requestWithSession } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor } from "../support/worker-process";

let team: Team;
let worker: WorkerProcess;
let pageServer: http.Server;
let pageUrl = "";

const paragraphs = (n: number, topic: string) =>
  Array.from(
    { length: n },
    (_, i) => `${topic} paragraph ${i + 1}. ${"The handbook explains how the support team answers customer questions about billing and accounts. ".repeat(6)}`,
  ).join("\n\n");

/** A PDF page: a big heading, then body text wrapped into lines. */
function pdfPage(heading: string, body: string) {
  const lines = body.replace(/\n+/g, " ").match(/.{1,90}(\s|$)/g) ?? [];
  return [{ text: heading, size: 20 }, ...lines.slice(0, 45).map((text) => ({ text: text.trim() }))];
}

async function uploadFile(name: string, body: Buffer) {
  const request = requestWithSession(`/api/projects/${team.project.id}/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "content-length": String(body.length), "content-type": "application/octet-stream" },
  });
  const response = await upload(request, { params: Promise.resolve({ projectId: team.project.id }) });
  return {
    status: response.status,
    body: (await response.json()) as { file?: { id: string; status: string; kind: string }; duplicateOf?: string | null; error?: { message: string } },
  };
}

async function settledFile(id: string) {
  return waitFor(
    `file ${id} to settle`,
    async () => {
      const file = await db.file.findUnique({ where: { id } });
      return file && (file.status === "ready" || file.status === "failed") ? file : null;
    },
    90_000,
    200,
  );
}

beforeAll(async () => {
  team = await createTeam();
  await actAs(team.members.editor);
  pageServer = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>Guide</title></head><body><nav>Home | Pricing</nav><main><h1>Returns guide</h1><p>${"Customers may return items within thirty days of delivery for a full refund. ".repeat(20)}</p><h2>Exceptions</h2><p>${"Gift cards and opened software cannot be returned. ".repeat(20)}</p></main><footer>© Acme</footer></body></html>`,
    );
  });
  await new Promise<void>((r) => pageServer.listen(0, "127.0.0.1", r));
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/guide`;
  worker = spawnTestWorker({ ALLOW_PRIVATE_URL_SOURCES: "true" });
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  pageServer.close();
});

describe("documents", () => {
  it("uploads documents of each kind and chunks them with pages and sections; a broken one fails alone", async () => {
    const md = await uploadFile("handbook.md", Buffer.from(`# Support handbook\n\n${paragraphs(8, "Intro")}\n\n## Billing\n\n${paragraphs(10, "Billing")}\n`));
    const pdf = await uploadFile("manual.pdf", await makePdf([pdfPage("Chapter one", paragraphs(3, "One")), pdfPage("Chapter two", paragraphs(3, "Two"))]));
    const docx = await uploadFile(
      "policy.docx",
      await makeDocx([
        { heading: 1, text: "Refund policy" },
        { text: paragraphs(2, "Policy") },
        { heading: 2, text: "Fees" },
        {
          table: [
            ["Plan", "Fee"],
            ["Basic", "5"],
          ],
        },
      ]),
    );
    const broken = await uploadFile("broken.pdf", await CORPUS.find((c) => c.name === "truncated PDF")!.bytes());
    for (const r of [md, pdf, docx, broken]) expect(r.status).toBe(201);

    const [mdFile, pdfFile, docxFile, brokenFile] = await Promise.all([md, pdf, docx, broken].map((r) => settledFile(r.body.file!.id)));
    expect(brokenFile.status).toBe("failed");
    expect(brokenFile.errorMessage).toMatch(/\w+/);
    expect(brokenFile.errorMessage).not.toMatch(/at \w+ \(|Error:/);
    for (const file of [mdFile, pdfFile, docxFile]) {
      expect(file.status, file.errorMessage ?? "").toBe("ready");
      expect(await db.chunk.count({ where: { sourceFileId: file.id } })).toBeGreaterThan(0);
    }
    const mdChunks = await db.chunk.findMany({ where: { sourceFileId: mdFile.id }, orderBy: { chunkIndex: "asc" } });
    expect(mdChunks.length).toBeGreaterThan(1);
    expect(mdChunks.every((c) => c.tokenCount <= 512)).toBe(true);
    expect(mdChunks.map((c) => (c.metadata as { section?: string }).section)).toContain("Billing");
    const pdfChunks = await db.chunk.findMany({ where: { sourceFileId: pdfFile.id }, orderBy: { chunkIndex: "asc" } });
    const pdfMeta = pdfChunks.map((c) => c.metadata as { page_start: number; page_end: number });
    expect(pdfMeta[0].page_start).toBe(1);
    expect(Math.max(...pdfMeta.map((m) => m.page_end))).toBe(2);
    expect((pdfFile.metadata as { pageCount: number }).pageCount).toBe(2);
    expect(worker.child.exitCode).toBeNull();
  }, 180_000);

  it("keeps a PDF's warnings about unreadable pages on the file, and fails a PDF with no readable page", async () => {
    const soup = symbolSoupPages([["Every character of this page maps to a wrong symbol."]]);
    const helvetica = { Type: "Font", Subtype: "Type1", BaseFont: "Helvetica", Encoding: "WinAnsiEncoding" };
    const mixed = await uploadFile("mixed.pdf", await makeRawFontPdf([{ font: helvetica, ops: textOps([`(${paragraphs(1, "Good")})`]) }, ...soup]));
    const unreadable = await uploadFile("soup.pdf", await makeRawFontPdf(soup));
    const [mixedFile, unreadableFile] = await Promise.all([mixed, unreadable].map((r) => settledFile(r.body.file!.id)));
    expect(mixedFile.status, mixedFile.errorMessage ?? "").toBe("ready");
    expect(mixedFile.metadata).toMatchObject({ unreadablePages: [2], warnings: [expect.stringMatching(/^Page 2 was left out: .*wrong symbols/)] });
    expect(unreadableFile.status).toBe("failed");
    expect(unreadableFile.errorMessage).toMatch(/^The text in this PDF can't be read/);
    // The Sources page lists the warning beside the file.
    const listed = await listSources(await requireProject(team.members.viewer, team.project.id, "project.view"));
    expect(listed.find((f) => f.id === mixedFile.id)?.warnings).toEqual([expect.stringMatching(/^Page 2 was left out/)]);
    expect(listed.find((f) => f.id === unreadableFile.id)?.warnings).toEqual([]);
  }, 120_000);

  it("reads an encrypted PDF once an editor gives its password, kept sealed and never listed; a wrong one asks again", async () => {
    const r = await uploadFile("locked.pdf", fs.readFileSync(path.resolve("tests/fixtures/encrypted.pdf")));
    const fileId = r.body.file!.id;
    const listed = async () => (await listSources(await requireProject(team.members.viewer, team.project.id, "project.view"))).find((s) => s.id === fileId)!;
    expect((await settledFile(fileId)).status).toBe("failed");
    expect(await listed()).toMatchObject({ needsPassword: true, errorMessage: expect.stringMatching(/Enter its password on the source/) });

    await actAs(team.members.viewer);
    expect(await unlockPdfAction({ projectId: team.project.id, fileId, password: "user" })).toMatchObject({ ok: false });
    await actAs(team.members.editor);
    expect(await unlockPdfAction({ projectId: team.project.id, fileId, password: "guess" })).toMatchObject({ ok: true });
    await waitFor("the wrong password to fail", async () => (await db.file.findUniqueOrThrow({ where: { id: fileId } })).status === "failed", 60_000);
    expect(await listed()).toMatchObject({ needsPassword: true, errorMessage: "The password for this PDF is wrong. Enter it again on the source." });

    expect(await unlockPdfAction({ projectId: team.project.id, fileId, password: "user" })).toMatchObject({ ok: true });
    await waitFor("the PDF to be read", async () => (await db.file.findUniqueOrThrow({ where: { id: fileId } })).status === "ready", 60_000);
    expect(await db.chunk.count({ where: { sourceFileId: fileId } })).toBeGreaterThan(0);
    const stored = await db.file.findUniqueOrThrow({ where: { id: fileId } });
    const meta = stored.metadata as { pdfPassword?: string; needsPassword?: boolean };
    expect(meta.needsPassword).toBeUndefined();
    expect(meta.pdfPassword).toBeDefined();
    expect(JSON.stringify(stored.metadata)).not.toContain('"user"');
    expect(unseal(meta.pdfPassword!)).toBe("user");
    expect(JSON.stringify(await listed())).not.toContain(meta.pdfPassword!);
    // A source that is not waiting for a password is refused.
    expect(await unlockPdfAction({ projectId: team.project.id, fileId, password: "user" })).toMatchObject({ ok: false });
  }, 120_000);

  it("refuses wrong types, empty and too-large files with a clear message and stores nothing", async () => {
    const before = await db.file.count();
    // Scans (PNG, JPEG, TIFF) are read by OCR; other images are refused with what to do.
    const gif = await uploadFile("notes.txt", Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(2048, 7)]));
    expect(gif.status).toBe(400);
    expect(gif.body.error?.message).toMatch(/GIF image.*save it as PNG/i);
    const empty = await uploadFile("empty.txt", Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.error?.message).toMatch(/empty/i);
    process.env.UPLOAD_MAX_MB = "0.01";
    resetEnvCache();
    try {
      const big = await uploadFile("big.txt", Buffer.from("word ".repeat(10_000)));
      expect(big.status).toBe(400);
      expect(big.body.error?.message).toMatch(/larger than the .* limit/);
    } finally {
      delete process.env.UPLOAD_MAX_MB;
      resetEnvCache();
    }
    expect(await db.file.count()).toBe(before);
  });

  it("recognises the same content uploaded twice and keeps it once", async () => {
    const body = Buffer.from(`# Once\n\n${paragraphs(2, "Same")}`);
    const first = await uploadFile("once.md", body);
    const second = await uploadFile("twice.md", body);
    expect(second.body.duplicateOf).toBe(first.body.file!.id);
    expect(await db.file.count({ where: { sha256: { not: null }, filename: { in: ["once.md", "twice.md"] } } })).toBe(1);
    await settledFile(first.body.file!.id);
  }, 90_000);

  it("re-chunks with new settings, replacing the chunks at once", async () => {
    const r = await uploadFile("rechunk.md", Buffer.from(`# Rechunk\n\n${paragraphs(20, "Rechunk")}`));
    const file = await settledFile(r.body.file!.id);
    const before = await db.chunk.count({ where: { sourceFileId: file.id } });
    await db.project.update({ where: { id: team.project.id }, data: { config: { chunk_size_tokens: 128, chunk_overlap_tokens: 16 } } });
    const result = await rechunkSourcesAction({ projectId: team.project.id, fileIds: [file.id] });
    expect(result.ok).toBe(true);
    await settledFile(file.id);
    await waitFor("new chunks", async () => (await db.chunk.count({ where: { sourceFileId: file.id } })) > before, 60_000);
    const chunks = await db.chunk.findMany({ where: { sourceFileId: file.id } });
    expect(chunks.every((c) => c.tokenCount <= 128)).toBe(true);
    await db.project.update({ where: { id: team.project.id }, data: { config: {} } });
  }, 120_000);

  it("chunks by section when the project says so: a source chunked another way is marked stale, and a re-chunk starts a chunk at every heading", async () => {
    const text = ["# Refunds", paragraphs(1, "Refund"), "## Card refunds", paragraphs(1, "Card"), "# Shipping", paragraphs(2, "Ship")].join("\n\n");
    const r = await uploadFile("sections.md", Buffer.from(text));
    const file = await settledFile(r.body.file!.id);
    const ctx = await requireProject(team.members.viewer, team.project.id, "project.view");
    const view = async () => (await listSources(ctx)).find((s) => s.id === file.id)!;
    expect((await view()).stale).toBe(false);
    const byTokens = await db.chunk.findMany({ where: { sourceFileId: file.id }, orderBy: { chunkIndex: "asc" } });
    expect(byTokens.some((c) => /\n# |\n## /.test(c.content))).toBe(true);

    // An example made from the old first chunk keeps that text through the re-chunk.
    const made = await db.datasetExample.create({
      data: { projectId: team.project.id, sourceChunkId: byTokens[0].id, naturalKey: `sections:${file.id}`, data: { question: "Q?", answer: "A." } },
    });
    await db.project.update({ where: { id: team.project.id }, data: { config: { chunk_strategy: "sections" } } });
    expect((await view()).stale).toBe(true);
    expect((await rechunkSourcesAction({ projectId: team.project.id, fileIds: [file.id] })).ok).toBe(true);
    await waitFor(
      "sections chunks",
      async () => {
        const f = await db.file.findUniqueOrThrow({ where: { id: file.id } });
        return f.status === "ready" && (f.metadata as { chunking?: { chunk_strategy?: string } }).chunking?.chunk_strategy === "sections";
      },
      60_000,
    );
    const bySection = await db.chunk.findMany({ where: { sourceFileId: file.id }, orderBy: { chunkIndex: "asc" } });
    expect(bySection.map((c) => (c.metadata as { section?: string }).section)).toEqual(["Refunds", "Card refunds", "Shipping"]);
    expect(bySection.map((c) => c.content.split("\n")[0])).toEqual(["# Refunds", "## Card refunds", "# Shipping"]);
    expect((await view()).stale).toBe(false);
    const kept = await db.datasetExample.findUniqueOrThrow({ where: { id: made.id } });
    expect(kept.sourceChunkId).toBeNull();
    const revision = await db.chunkRevision.findUniqueOrThrow({ where: { id: (kept.provenance as { chunkRevisionId: string }).chunkRevisionId } });
    expect(revision).toMatchObject({ content: byTokens[0].content, reason: "rechunk", sourceFileId: file.id });
    await db.project.update({ where: { id: team.project.id }, data: { config: {} } });
  }, 120_000);

  it("streams a plain-text source over the streaming threshold into the same chunks as the whole-file path", async () => {
    // Over STREAM_TEXT_ABOVE_BYTES, with CRLF line ends, trailing spaces and blank-line runs.
    const line = (i: number) => `Line ${i}: the handbook explains how refunds work for order ${i}.  `;
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size <= STREAM_TEXT_ABOVE_BYTES + 100_000; i++) {
      const part = `${line(i)}\r\n${i % 9 === 0 ? "\r\n\r\n\r\n" : ""}`;
      parts.push(part);
      size += part.length;
    }
    const body = Buffer.from(parts.join(""));
    const r = await uploadFile("big-notes.txt", body);
    expect(r.status).toBe(201);
    const file = await settledFile(r.body.file!.id);
    expect(file.status).toBe("ready");
    const stored = await db.chunk.findMany({ where: { sourceFileId: file.id }, orderBy: { chunkIndex: "asc" } });
    const expected = chunkDocument(extractText(body), { chunkSizeTokens: 512, chunkOverlapTokens: 50 });
    expect(stored.length).toBe(expected.length);
    expect(stored.map((c) => c.content)).toEqual(expected.map((c) => c.content));
    expect(stored.map((c) => c.tokenCount)).toEqual(expected.map((c) => c.tokenCount));
    const metadata = file.metadata as Record<string, unknown>;
    expect(metadata).toMatchObject({
      format: "text",
      encoding: "utf-8",
      chunkCount: expected.length,
      tokenCount: expected.reduce((n, c) => n + c.tokenCount, 0),
    });
    const job = await db.job.findFirstOrThrow({ where: { type: "chunking", payload: { path: ["fileId"], equals: file.id } } });
    expect(await db.appLog.count({ where: { jobId: job.id, message: { contains: "(streamed)" } } })).toBe(1);
  }, 180_000);

  it("deletes a source with its chunks and stored bytes; examples keep their text", async () => {
    const r = await uploadFile("delete-me.md", Buffer.from(`# Delete\n\n${paragraphs(3, "Delete")}`));
    const file = await settledFile(r.body.file!.id);
    const chunk = await db.chunk.findFirstOrThrow({ where: { sourceFileId: file.id } });
    const example = await db.datasetExample.create({
      data: { projectId: team.project.id, sourceChunkId: chunk.id, naturalKey: `test:${chunk.id}`, data: { question: "Q?", answer: "A." } },
    });
    expect((await deleteSourceAction({ projectId: team.project.id, fileId: file.id })).ok).toBe(true);
    expect(await db.file.count({ where: { id: file.id } })).toBe(0);
    expect(await db.chunk.count({ where: { sourceFileId: file.id } })).toBe(0);
    expect(await getStorage().stat(file.storagePath)).toBeNull();
    const kept = await db.datasetExample.findUniqueOrThrow({ where: { id: example.id } });
    expect(kept.sourceChunkId).toBeNull();
    expect(kept.data).toEqual({ question: "Q?", answer: "A." });
  }, 90_000);

  it("fetches a URL source (private addresses allowed by the admin setting) and keeps the main content", async () => {
    const added = await addUrlSourceAction({ projectId: team.project.id, url: pageUrl });
    expect(added.ok).toBe(true);
    const file = await settledFile(added.ok ? added.data.id : "");
    expect(file.status, file.errorMessage ?? "").toBe("ready");
    const chunks = await db.chunk.findMany({ where: { sourceFileId: file.id } });
    const text = chunks.map((c) => c.content).join(" ");
    expect(text).toContain("return items within thirty days");
    expect(text).not.toContain("Home | Pricing");
    const bad = await addUrlSourceAction({ projectId: team.project.id, url: "ftp://example.com/file" });
    expect(!bad.ok && bad.error.fieldErrors?.url).toMatch(/http/);
  }, 90_000);
});

describe("dataset import", () => {
  const rows = [
    { instruction: "Summarise the refund policy.", input: "", output: "Refunds are given within thirty days." },
    { instruction: "Who can return gift cards?", input: "", output: "Nobody: gift cards cannot be returned." },
    { instruction: "Summarise the refund policy.", input: "", output: "Refunds are given within thirty days." },
    { instruction: "", input: "", output: "An answer without a question." },
  ];

  it("previews, imports with line-numbered invalid rows kept, flags duplicates, and is idempotent", async () => {
    const lines = rows.map((r) => JSON.stringify(r));
    lines.splice(2, 0, "{ this line is broken");
    const r = await uploadFile("alpaca.jsonl", Buffer.from(`${lines.join("\n")}\n`));
    expect(r.status).toBe(201);
    expect(r.body.file?.kind).toBe("dataset_upload");
    const fileId = r.body.file!.id;
    const preview = await previewImportAction({ projectId: team.project.id, fileId });
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.data.shape).toBe("alpaca");
    expect(preview.data.suggestedMapping).not.toBeNull();

    const started = await startImportAction({ projectId: team.project.id, fileId, mapping: preview.data.suggestedMapping! });
    expect(started.ok).toBe(true);
    const jobId = started.ok ? started.data.jobId : "";
    await waitFor("import", async () => (await db.job.findUniqueOrThrow({ where: { id: jobId } })).status === "success", 60_000);
    const examples = await db.datasetExample.findMany({ where: { sourceFileId: fileId }, orderBy: { naturalKey: "asc" } });
    expect(examples).toHaveLength(5);
    const invalid = examples.filter((e) => !e.isValid).map((e) => e.validationError);
    expect(invalid).toEqual(expect.arrayContaining([expect.stringMatching(/^Line 3: /), expect.stringMatching(/^Line 5: .*instruction/i)]));
    expect(examples.filter((e) => e.isDuplicate)).toHaveLength(1);
    // The project is instruction-typed: rows keep that shape, with token counts and a split.
    const valid = examples.find((e) => e.isValid && !e.isDuplicate)!;
    expect(valid.data).toMatchObject({ instruction: expect.any(String), output: expect.any(String) });
    expect(valid.tokenCount).toBeGreaterThan(0);
    expect(["train", "eval"]).toContain(valid.split);

    const again = await startImportAction({ projectId: team.project.id, fileId, mapping: preview.data.suggestedMapping! });
    const againId = again.ok ? again.data.jobId : "";
    await waitFor("re-import", async () => (await db.job.findUniqueOrThrow({ where: { id: againId } })).status === "success", 60_000);
    expect(await db.datasetExample.count({ where: { sourceFileId: fileId } })).toBe(5);
    const file = await db.file.findUniqueOrThrow({ where: { id: fileId } });
    const summary = (file.metadata as { import: { reasons: Record<string, number> } }).import;
    expect(summary).toMatchObject({ imported: 5, valid: 3, invalid: 2, duplicates: 1, skipped: 0, notes: {} });
    expect(Object.values(summary.reasons)).toEqual([1, 1]);
  }, 120_000);

  /** Uploads JSONL rows, imports them with the suggested (or given) mapping and waits for the job. */
  async function importRows(name: string, records: object[], pick?: (suggested: DatasetMapping) => DatasetMapping) {
    const r = await uploadFile(name, Buffer.from(`${records.map((x) => JSON.stringify(x)).join("\n")}\n`));
    const fileId = r.body.file!.id;
    const preview = await previewImportAction({ projectId: team.project.id, fileId });
    if (!preview.ok) throw new Error(preview.error.message);
    const mapping = pick ? pick(preview.data.suggestedMapping!) : preview.data.suggestedMapping!;
    const started = await startImportAction({ projectId: team.project.id, fileId, mapping });
    const jobId = started.ok ? started.data.jobId : "";
    await waitFor(`${name} import`, async () => (await db.job.findUniqueOrThrow({ where: { id: jobId } })).status === "success", 60_000);
    const examples = await db.datasetExample.findMany({ where: { sourceFileId: fileId }, orderBy: { createdAt: "asc" } });
    const source = (await listSources(await requireProject(team.members.editor, team.project.id, "project.view"))).find((s) => s.id === fileId)!;
    return { shape: preview.data.shape, examples, source };
  }

  it("keeps what preference, feedback and tool-use datasets mean, with their true row counts and a summary that names what an example can't hold", async () => {
    const kto = Array.from({ length: 6 }, (_, i) => ({ prompt: `Capital of country ${i}?`, completion: `City ${i}.`, label: i % 3 !== 0 }));
    const rejected = await importRows("kto.jsonl", kto);
    expect(rejected.shape).toBe("kto");
    expect(rejected.examples).toHaveLength(6);
    expect(rejected.examples.filter((e) => e.reviewStatus === "rejected").map((e) => e.data)).toEqual([
      { instruction: "Capital of country 0?", input: "", output: "City 0." },
      { instruction: "Capital of country 3?", input: "", output: "City 3." },
    ]);
    expect(rejected.source.importDetails).toEqual(["2 answers marked bad (label false): rejected in review, not trained"]);
    const skipped = await importRows(
      "kto-skip.jsonl",
      kto.map((r) => ({ ...r, prompt: `${r.prompt} (again)` })),
      (m) => ({ ...m, label: { column: "label", whenFalse: "skip" } }),
    );
    expect(skipped.examples).toHaveLength(4);
    expect(skipped.source.importDetails).toEqual(["2 left out: marked bad in the file"]);

    const dpo = await importRows("dpo.jsonl", [
      { prompt: "2 + 2?", chosen: "4", rejected: "5" },
      {
        prompt: "Sky colour?",
        chosen: [{ role: "assistant", content: "Blue." }],
        rejected: [{ role: "assistant", content: "Green." }],
      },
    ]);
    expect(dpo.shape).toBe("preference");
    expect(dpo.examples.map((e) => [(e.data as { output: string }).output, (e.provenance as { rejected?: string }).rejected])).toEqual([
      ["4", "5"],
      ["Blue.", "Green."],
    ]);
    expect(dpo.source.importDetails).toEqual(["2 rejected answers kept on the example for preference training"]);

    const chats = await importRows("tools.jsonl", [
      {
        conversations: [
          { from: "human", value: "What is 17 × 23?" },
          { from: "function_call", value: '{"name": "calculator", "arguments": {"expression": "17*23"}}' },
          { from: "observation", value: "391" },
          { from: "gpt", value: "17 × 23 = 391." },
          { from: "human", value: "And 17 × 24?" },
          { from: "gpt", value: "408." },
        ],
      },
      {
        conversations: [
          { from: "human", value: [{ type: "text", text: "Hello in Spanish?" }] },
          { from: "gpt", value: "Hola." },
        ],
      },
      { conversations: [{ from: "gpt", value: "No question first." }] },
    ]);
    expect(chats.shape).toBe("sharegpt");
    expect(chats.examples.map((e) => e.data)).toEqual([
      // Kept whole: the last exchange, with the first (its tool call and result after the question) as history.
      {
        instruction: "And 17 × 24?",
        input: "",
        output: "408.",
        history: [['What is 17 × 23?\n[Tool call] calculator({"expression":"17*23"})\n[Tool result] 391', "17 × 23 = 391."]],
      },
      // Content as a list of parts (the current OpenAI and LLaMA-Factory shape).
      { instruction: "Hello in Spanish?", input: "", output: "Hola." },
      { raw: expect.any(Object) },
    ]);
    expect(chats.source.importDetails).toEqual([
      "1 tool calls and results kept in the input, before the reply that uses them",
      "1 multi-turn conversations kept whole: the last exchange is the example, the earlier ones its history",
      "1 invalid: The conversation has no user turn.",
    ]);
  }, 180_000);

  it("keeps an eval file's rows in eval and honours a row's own split, so exported eval rows never leak into train", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ instruction: `Held-out question ${i}?`, input: "", output: `Answer ${i}.` }));
    const evalFile = await importRows("eval.jsonl", rows);
    expect(evalFile.examples.map((e) => e.split)).toEqual(Array(8).fill("eval"));
    const tagged = await importRows(
      "tagged.jsonl",
      rows.map((r, i) => ({ ...r, instruction: `Tagged ${r.instruction}`, split: i < 3 ? "validation" : "train" })),
    );
    expect(tagged.examples.map((e) => e.split)).toEqual([...Array(3).fill("eval"), ...Array(5).fill("train")]);
    const forced = await importRows(
      "all-train.jsonl",
      rows.map((r) => ({ ...r, instruction: `Forced ${r.instruction}`, split: "test" })),
      (m) => ({ ...m, split: "train" }),
    );
    expect(forced.examples.map((e) => e.split)).toEqual(Array(8).fill("train"));
  }, 120_000);

  it("imports a CSV with quoted newlines through a custom column mapping", async () => {
    const csv = 'frage;antwort;notiz\n"Wie lange gilt die Garantie?";"Zwei Jahre,\nab Kaufdatum.";x\n"Gibt es Rabatt?";"Nein.";y\n';
    const r = await uploadFile("faq.csv", Buffer.from(csv));
    const fileId = r.body.file!.id;
    const preview = await previewImportAction({ projectId: team.project.id, fileId });
    expect(preview.ok && preview.data.columns).toEqual(["frage", "antwort", "notiz"]);
    const mapping = { shape: "columns" as const, columns: { instruction: "frage", output: "antwort" } };
    const started = await startImportAction({ projectId: team.project.id, fileId, mapping });
    const jobId = started.ok ? started.data.jobId : "";
    await waitFor("csv import", async () => (await db.job.findUniqueOrThrow({ where: { id: jobId } })).status === "success", 60_000);
    const examples = await db.datasetExample.findMany({ where: { sourceFileId: fileId }, orderBy: { naturalKey: "asc" } });
    expect(examples.map((e) => e.data)).toEqual([
      { instruction: "Wie lange gilt die Garantie?", input: "", output: "Zwei Jahre,\nab Kaufdatum." },
      { instruction: "Gibt es Rabatt?", input: "", output: "Nein." },
    ]);
  }, 90_000);
});
