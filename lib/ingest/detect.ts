// What a file is, decided from its first bytes; the name's extension is only a tie-breaker
// between text formats. Synchronous so that an upload can be refused while it streams in.
import { decodeBytes, sniffEncoding } from "./text";
import { type DetectedFormat, type Detection, IngestError } from "./types";
import { ZIP_FORMAT_LABELS, zipHeadNames } from "./zip";

/** How much of a file detection wants to see. */
export const DETECT_HEAD_BYTES = 64 * 1024;

const MIME_TYPES: Record<DetectedFormat, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  markdown: "text/markdown",
  text: "text/plain",
  jsonl: "application/jsonl",
  json: "application/json",
  csv: "text/csv",
  parquet: "application/vnd.apache.parquet",
  image: "image/png",
  markdown_zip: "application/zip",
};

/** The MIME type stored for a format (before its bytes are seen, e.g. a file still downloading). */
export function mimeTypeOf(format: DetectedFormat): string {
  return MIME_TYPES[format];
}

/** Scans and photos of pages, read by OCR. */
const IMAGES: { bytes: string; at?: number; mimeType: string }[] = [
  { bytes: "\x89PNG\r\n\x1a\n", mimeType: "image/png" },
  { bytes: "\xff\xd8\xff", mimeType: "image/jpeg" },
  { bytes: "II*\x00", mimeType: "image/tiff" },
  { bytes: "MM\x00*", mimeType: "image/tiff" },
];

const SUPPORTED = "Upload a PDF, Word (.docx), HTML, Markdown or plain-text document, a scan (PNG, JPEG or TIFF), or a JSONL, JSON, CSV or Parquet dataset.";

/** Binary formats people upload by mistake, so the refusal can say what the file is. */
const MAGIC: { bytes: string; at?: number; label: string; hint?: string }[] = [
  { bytes: "GIF8", label: "a GIF image", hint: "If it is a scan, save it as PNG and upload that: scans are read by OCR." },
  { bytes: "WEBP", at: 8, label: "a WebP image", hint: "If it is a scan, save it as PNG and upload that: scans are read by OCR." },
  {
    bytes: "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    label: "an old-format Office file (.doc, .xls, .ppt) or a password-protected Office document",
    hint: "Save it as .docx without a password and upload that.",
  },
  { bytes: "\x1f\x8b", label: "a gzip archive" },
  { bytes: "7z\xbc\xaf\x27\x1c", label: "a 7-Zip archive" },
  { bytes: "Rar!\x1a\x07", label: "a RAR archive" },
  { bytes: "\x7fELF", label: "a program (ELF executable)" },
  { bytes: "MZ", label: "a Windows program" },
  { bytes: "ID3", label: "an MP3 audio file" },
  { bytes: "ftyp", at: 4, label: "a video or audio file (MP4/MOV)" },
  { bytes: "OggS", label: "an Ogg audio or video file" },
  { bytes: "fLaC", label: "a FLAC audio file" },
  { bytes: "WAVE", at: 8, label: "a WAV audio file" },
  { bytes: "SQLite format 3\x00", label: "an SQLite database" },
];

/** Names in a ZIP's first local headers that tell one Office/ODF/EPUB package from another. */
const ZIP_MARKERS: [string, keyof typeof ZIP_FORMAT_LABELS][] = [
  ["word/document.xml", "docx"],
  ["xl/workbook.xml", "xlsx"],
  ["ppt/presentation.xml", "pptx"],
  ["application/epub+zip", "epub"],
  ["application/vnd.oasis.opendocument", "odf"],
];

function found(format: DetectedFormat, mimeType = MIME_TYPES[format]): Detection {
  const kind = format === "jsonl" || format === "json" || format === "csv" || format === "parquet" ? "dataset_upload" : "raw_doc";
  return { ok: true, format, mimeType, kind };
}

function refused(label: string, hint = SUPPORTED): Detection {
  return { ok: false, message: `This file looks like ${label}, which can't be imported. ${hint}` };
}

function hasBytes(head: Buffer, bytes: string, at = 0): boolean {
  return head.subarray(at, at + bytes.length).equals(Buffer.from(bytes, "latin1"));
}

/**
 * `head` is the start of the file (DETECT_HEAD_BYTES is plenty), `totalSize` its full size.
 * A ZIP is reported as docx unless its first entries say otherwise; the DOCX extractor reads the
 * central directory and refuses anything else. Throws IngestError("empty") for a 0-byte file.
 */
export function detectFormat(head: Buffer, filename: string, totalSize: number): Detection {
  if (totalSize === 0 || head.length === 0) {
    throw new IngestError("empty", "This file is empty (0 bytes). Choose a file with content.");
  }
  if (isPdf(head)) return found("pdf");
  // Parquet starts (and ends) with "PAR1"; its footer is checked when it is read.
  if (hasBytes(head, "PAR1")) return found("parquet");
  const image = IMAGES.find((m) => hasBytes(head, m.bytes, m.at));
  if (image) return found("image", image.mimeType);
  if (hasBytes(head, "PK\x03\x04")) {
    const marker = ZIP_MARKERS.find(([name]) => head.includes(name));
    if (!marker && zipHeadNames(head).some((name) => /\.(md|markdown|mdx)$/i.test(name))) return found("markdown_zip");
    return !marker || marker[1] === "docx" ? found("docx") : refused(ZIP_FORMAT_LABELS[marker[1]]);
  }
  const complete = head.length >= totalSize;
  const encoding = sniffEncoding(head, complete);
  if (!encoding) {
    const magic = MAGIC.find((m) => hasBytes(head, m.bytes, m.at));
    if (magic) return refused(magic.label, magic.hint);
    return { ok: false, message: `This file contains binary data, not text, and is not a format that can be imported. ${SUPPORTED}` };
  }
  const text = decodeBytes(head, encoding, !complete).replace(/^\ufeff/, "");
  if (/^\s*\{\\rtf/.test(text)) return refused("an RTF document", "Save it as .docx or PDF and upload that.");
  return found(textFormat(text, extensionOf(filename), complete) ?? "text");
}

/**
 * pdf.js, like other readers, accepts up to 1 KB of junk before the "%PDF-" header (a mail or
 * HTTP header saved with the file, a BOM …). With text before it, the file is a PDF only when
 * what follows the header is PDF: a line in the head that starts an indirect object ("1 0 obj").
 * Otherwise it is a text file that mentions PDFs.
 */
function isPdf(head: Buffer): boolean {
  const at = head.subarray(0, 1024).indexOf("%PDF-");
  if (at < 0) return false;
  const prefix = head.subarray(0, at);
  if (!prefix.toString("latin1").trim() || !sniffEncoding(prefix)) return true;
  const rest = head.subarray(at).toString("latin1");
  return /^%PDF-\d\.\d/.test(rest) && /[\r\n]\d+\s+\d+\s+obj\b/.test(rest);
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot < 0 ? "" : filename.slice(dot + 1).toLowerCase();
}

function textFormat(text: string, ext: string, complete: boolean): DetectedFormat | undefined {
  const start = text.trimStart();
  if (looksLikeHtml(start, ext)) return "html";
  const json = jsonFormat(start, ext, complete);
  if (json) return json;
  if (ext === "md" || ext === "markdown" || ext === "mdx") return "markdown";
  if (looksLikeCsv(text, ext, complete)) return "csv";
  if (hasAtxHeadings(start)) return "markdown";
  return undefined;
}

function looksLikeHtml(start: string, ext: string): boolean {
  if (!start.startsWith("<")) return false;
  if (ext === "html" || ext === "htm" || ext === "xhtml") return true;
  return /<!doctype\s+html|<(html|head|body)[\s>]/i.test(start.slice(0, 1024));
}

/** Complete lines in the head: a cut last line is not evidence either way. */
function sampleLines(text: string, complete: boolean, max: number): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (!complete) lines.pop();
  return lines.filter((l) => l.trim() !== "").slice(0, max);
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

function jsonFormat(start: string, ext: string, complete: boolean): DetectedFormat | undefined {
  if (start.startsWith("{")) {
    const lines = sampleLines(start, complete, 20);
    const eachLineParses = lines.length > 0 && lines.every(parses);
    if (eachLineParses && (lines.length > 1 || ext !== "json")) return "jsonl";
    // A pretty-printed object: only the whole file can tell, so a cut head trusts the extension.
    if (complete ? parses(start) : ext === "json") return "json";
    return ext === "jsonl" || ext === "ndjson" ? "jsonl" : undefined;
  }
  // "[" also starts Markdown links and footnotes, so a cut head must at least open an array of records.
  if (start.startsWith("[")) return (complete ? parses(start) : /^\[\s*[{["]/.test(start)) ? "json" : undefined;
  return undefined;
}

/** Delimiters per record in the first records, honouring quotes (which may span lines). */
function delimiterCounts(text: string, delimiter: string, complete: boolean): number[] {
  const counts: number[] = [];
  let count = 0;
  let quoted = false;
  let blank = true;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === delimiter) count++;
    else if (!quoted && char === "\n") {
      if (!blank) counts.push(count);
      count = 0;
      blank = true;
      if (counts.length === 20) return counts;
      continue;
    }
    if (char.trim()) blank = false;
  }
  if (complete && !blank) counts.push(count);
  return counts;
}

function looksLikeCsv(text: string, ext: string, complete: boolean): boolean {
  const hinted = ext === "csv" || ext === "tsv";
  const normalised = text.replace(/\r\n?/g, "\n");
  const consistent = (hinted ? [",", "\t", ";", "|"] : [",", "\t", ";"]).some((delimiter) => {
    const counts = delimiterCounts(normalised, delimiter, complete);
    // Without the extension's word for it, prose needs several lines that agree by coincidence.
    return counts.length >= (hinted ? 1 : 3) && counts[0] > 0 && counts.every((c) => c === counts[0]);
  });
  // A single-column CSV has no delimiter to agree on.
  return consistent || (hinted && !/[,\t;|]/.test(normalised));
}

/** A first-line ATX heading, or two of them anywhere: one "# comment" line is not enough. */
function hasAtxHeadings(start: string): boolean {
  const headings = start.match(/^#{1,6}[ \t]+\S/gm) ?? [];
  return /^#{1,6}[ \t]+\S/.test(start) || headings.length >= 2;
}
