// Document extraction: one extractor per format, and every failure an IngestError whose message
// a user can act on. Library errors never reach the user as they are; they become "corrupt".
import fs from "node:fs/promises";
import { extractDocx } from "./docx";
import { extractHtml } from "./html";
import { extractImage } from "./image";
import { extractMarkdown } from "./markdown";
import { extractMarkdownZip } from "./markdown-zip";
import { extractPdf } from "./pdf";
import { extractText } from "./text";
import { type DocumentFormat, type ExtractedDocument, type ExtractOptions, IngestError } from "./types";
import type { FileSource } from "./zip";

export { DETECT_HEAD_BYTES, detectFormat } from "./detect";
export * from "./types";
export { type FetchedUrl, type FetchUrlOptions, fetchUrl, refusalReason } from "./url";
export { detectZipFormat, type FileSource } from "./zip";

const EXTRACTORS: Record<
  Exclude<DocumentFormat, "docx" | "markdown_zip">,
  (bytes: Buffer, options: ExtractOptions) => ExtractedDocument | Promise<ExtractedDocument>
> = {
  pdf: extractPdf,
  image: extractImage,
  html: extractHtml,
  markdown: extractMarkdown,
  text: extractText,
};

const CORRUPT: Record<DocumentFormat, string> = {
  pdf: "This PDF could not be read: it looks damaged or incomplete. Open it in a PDF viewer, save a new copy and upload that.",
  docx: "This Word document could not be read: it looks damaged, or it is not really a .docx file. Open it in Word or LibreOffice, save it again as .docx and upload that.",
  html: "This web page could not be read. Save it again from the browser and upload the new file.",
  markdown: "This Markdown file could not be read. Save it again as UTF-8 text and upload the new file.",
  markdown_zip: "This ZIP of Markdown files could not be read: it looks damaged. Zip the folder again and upload the new archive.",
  text: "This text file could not be read. Save it again as UTF-8 text and upload the new file.",
  image: "This image could not be read: it looks damaged. Save it again as PNG or JPEG and upload that.",
};

const EMPTY: Record<DocumentFormat, string> = {
  pdf: "No text was found in this PDF.",
  docx: "This Word document has no text in it.",
  html: "No readable text was found on this page.",
  markdown: "This Markdown file has no text in it.",
  markdown_zip: "The Markdown files in this ZIP have no text in them.",
  text: "This file has no text in it.",
  image: "OCR found no text in this image. If it holds text, scan it again at 300 dpi, straight and in focus, and upload that.",
};

/** The error extractDocument gives for a document with no text, for callers that extract it piece by piece. */
export function emptyDocumentError(format: DocumentFormat): IngestError {
  return new IngestError("empty", EMPTY[format]);
}

export async function extractDocument(format: DocumentFormat, input: FileSource, options: ExtractOptions = {}): Promise<ExtractedDocument> {
  let run: () => ExtractedDocument | Promise<ExtractedDocument>;
  if (format === "docx") {
    run = () => extractDocx(input, options);
  } else if (format === "markdown_zip") {
    run = () => extractMarkdownZip(input);
  } else {
    // Read before the guard below: a missing file is the caller's bug, not a damaged upload.
    const bytes = "bytes" in input ? input.bytes : await fs.readFile(input.path);
    run = () => EXTRACTORS[format](bytes, options);
  }
  let document: ExtractedDocument;
  try {
    document = await run();
  } catch (error) {
    if (error instanceof IngestError || options.signal?.aborted) throw error;
    const wrapped = new IngestError("corrupt", CORRUPT[format]);
    wrapped.cause = error;
    throw wrapped;
  }
  if (!document.text.trim()) throw emptyDocumentError(format);
  return document;
}
