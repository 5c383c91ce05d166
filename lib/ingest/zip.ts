// Safe ZIP inspection for ZIP-based formats (DOCX). Limits are checked against the central
// directory before anything is inflated, and inflating counts real bytes, because the sizes a
// ZIP declares can lie.
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { IngestError } from "./types";

/** A file on disk or its bytes in memory. */
export type FileSource = { path: string } | { bytes: Buffer };

export type ZipLimits = {
  maxEntries: number;
  /** Sum of all entries' uncompressed sizes. */
  maxTotalBytes: number;
  /** Largest compression ratio accepted for an entry over `ratioAbove` bytes. */
  maxRatio: number;
  ratioAbove: number;
};

export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 5_000,
  maxTotalBytes: 200 * 1024 * 1024,
  // Word XML compresses 10–30:1; deflate's ceiling is about 1000:1, which only bombs reach.
  maxRatio: 100,
  ratioAbove: 1024 * 1024,
};

export type ZipEntryInfo = { name: string; compressedSize: number; uncompressedSize: number };

export type ZipFormat = "docx" | "xlsx" | "pptx" | "odf" | "epub" | "zip";

export const ZIP_FORMAT_LABELS: Record<ZipFormat, string> = {
  docx: "a Word document (.docx)",
  xlsx: "an Excel workbook (.xlsx)",
  pptx: "a PowerPoint presentation (.pptx)",
  odf: "an OpenDocument file (.odt, .ods or .odp)",
  epub: "an EPUB e-book",
  zip: "a ZIP archive",
};

const MB = 1024 * 1024;

function bomb(detail: string): IngestError {
  return new IngestError("zip_bomb", `${detail} This is how zip bombs work, so the file was not opened.`);
}

function damaged(): IngestError {
  return new IngestError(
    "corrupt",
    "This file could not be opened: its ZIP structure is damaged or incomplete. Save the document again and upload the new copy.",
  );
}

async function openZip(source: FileSource): Promise<ZipFile> {
  const options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };
  try {
    return "path" in source ? await yauzl.openPromise(source.path, options) : await yauzl.fromBufferPromise(source.bytes, options);
  } catch {
    throw damaged();
  }
}

/** Runs `visit` on each file entry after the limits pass; the archive is closed afterwards. */
async function eachEntry(source: FileSource, limits: ZipLimits, visit: (zip: ZipFile, entry: Entry) => Promise<boolean | void>): Promise<void> {
  const zip = await openZip(source);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw bomb(`This archive holds ${zip.entryCount.toLocaleString("en")} files, more than the ${limits.maxEntries.toLocaleString("en")} allowed.`);
    }
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith("/")) continue;
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw bomb(`This archive would unpack to more than ${limits.maxTotalBytes / MB} MB.`);
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > limits.ratioAbove && ratio > limits.maxRatio) {
        throw bomb(`"${entry.fileName}" in this archive is compressed ${Math.round(ratio)}:1.`);
      }
      if ((await visit(zip, entry)) === false) return;
    }
  } catch (error) {
    throw error instanceof IngestError ? error : damaged();
  } finally {
    zip.close();
  }
}

/** Inflates an entry, stopping at `maxBytes` or where the real size passes the declared one. */
async function inflate(zip: ZipFile, entry: Entry, maxBytes: number, keep: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = await zip.openReadStreamPromise(entry);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw bomb(`"${entry.fileName}" in this archive unpacks to more than ${Math.round(maxBytes / MB)} MB.`);
      if (keep) chunks.push(chunk);
    }
  } catch (error) {
    // yauzl's size check: the entry inflates to more than the central directory says.
    if (error instanceof Error && error.message.startsWith("too many bytes")) {
      throw bomb(`"${entry.fileName}" in this archive unpacks to more than its declared size.`);
    }
    throw error;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

/**
 * Lists the entries after checking the limits on what they declare. With `inflate`, also inflates
 * every entry (keeping nothing) so that a ZIP that lies about its sizes is caught before a library
 * that trusts them reads it.
 */
export async function inspectZip(source: FileSource, options: { inflate?: boolean; limits?: ZipLimits } = {}): Promise<ZipEntryInfo[]> {
  const limits = options.limits ?? ZIP_LIMITS;
  const entries: ZipEntryInfo[] = [];
  await eachEntry(source, limits, async (zip, entry) => {
    entries.push({ name: entry.fileName, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize });
    if (options.inflate) await inflate(zip, entry, limits.maxTotalBytes, false);
  });
  return entries;
}

/** What a ZIP-based file is, from its entry names (the central directory only). */
export async function detectZipFormat(source: FileSource): Promise<ZipFormat> {
  return zipFormatOf((await inspectZip(source)).map((e) => e.name));
}

export function zipFormatOf(names: string[]): ZipFormat {
  const has = new Set(names);
  if (has.has("word/document.xml") || (has.has("[Content_Types].xml") && names.some((n) => n.startsWith("word/")))) return "docx";
  if (has.has("xl/workbook.xml")) return "xlsx";
  if (has.has("ppt/presentation.xml")) return "pptx";
  if (has.has("META-INF/container.xml") && has.has("mimetype")) return "epub";
  if (has.has("content.xml") && has.has("mimetype")) return "odf";
  return "zip";
}

/** The bytes of every entry `wanted` accepts, within `maxTotalBytes` of them all (checked as they inflate). */
export async function readZipEntries(source: FileSource, wanted: (name: string) => boolean, maxTotalBytes: number): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  let total = 0;
  await eachEntry(source, ZIP_LIMITS, async (zip, entry) => {
    if (!wanted(entry.fileName)) return;
    const bytes = await inflate(zip, entry, maxTotalBytes - total, true);
    total += bytes.length;
    found.set(entry.fileName, bytes);
  });
  return found;
}

/**
 * Names of the files at the start of a ZIP, from the local headers in its first bytes (what
 * detection sees): enough to tell a folder of Markdown from an Office package.
 */
export function zipHeadNames(head: Buffer): string[] {
  const names: string[] = [];
  let at = head.indexOf("PK\x03\x04", 0, "latin1");
  while (at >= 0 && at + 30 <= head.length && names.length < 50) {
    const nameLength = head.readUInt16LE(at + 26);
    if (at + 30 + nameLength > head.length) break;
    names.push(head.subarray(at + 30, at + 30 + nameLength).toString("utf8"));
    at = head.indexOf("PK\x03\x04", at + 30 + nameLength, "latin1");
  }
  return names;
}

/** One entry's bytes, or undefined when the archive has no such entry. */
export async function readZipEntry(source: FileSource, name: string, maxBytes: number): Promise<Buffer | undefined> {
  let found: Buffer | undefined;
  await eachEntry(source, ZIP_LIMITS, async (zip, entry) => {
    if (entry.fileName !== name) return;
    if (entry.uncompressedSize > maxBytes) {
      throw new IngestError("too_large", `"${name}" in this archive is larger than the ${Math.round(maxBytes / 1024)} KB that can be read.`);
    }
    found = await inflate(zip, entry, maxBytes, true);
    return false;
  });
  return found;
}
