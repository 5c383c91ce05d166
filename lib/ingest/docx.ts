// DOCX → HTML with mammoth → text with the HTML extractor's DOM walk. The ZIP is checked (and
// fully inflated once, counting real bytes) before mammoth sees it: mammoth's ZIP reader trusts
// declared sizes and would inflate a bomb into memory.
import fs from "node:fs/promises";
import { DOMParser, parseHTML } from "linkedom";
import mammoth from "mammoth";
import { domToText } from "./html";
import { type ExtractedDocument, IngestError } from "./types";
import { type FileSource, inspectZip, readZipEntry, ZIP_FORMAT_LABELS, zipFormatOf } from "./zip";

/**
 * The most Word XML (word/*.xml: the body, footnotes, comments, styles) we hand to mammoth, which
 * builds the whole document tree in memory at about 40 times the XML's size: 8 MB of XML (roughly
 * 1,000 ordinary pages) peaks near 400 MB; the 40 MB document of the security review took the
 * worker past 1 GB.
 */
export const DOCX_MAX_XML_BYTES = 8 * 1024 * 1024;

/** Word's own title styles are not in mammoth's default map. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

/** Images are dropped without being read; a data URI per image would only bloat the HTML. */
const skipImages = mammoth.images.imgElement(async () => ({ src: "" }));

export async function extractDocx(source: FileSource): Promise<ExtractedDocument> {
  const entries = await inspectZip(source, { inflate: true });
  const format = zipFormatOf(entries.map((e) => e.name));
  if (format !== "docx") {
    throw new IngestError("unsupported_type", `This file is ${ZIP_FORMAT_LABELS[format]}, not a Word document, and can't be imported.`);
  }
  const xmlBytes = entries.filter((e) => /^word\/[^/]+\.xml$/.test(e.name)).reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (xmlBytes > DOCX_MAX_XML_BYTES) {
    throw new IngestError(
      "too_large",
      `This Word document holds ${Math.round(xmlBytes / (1024 * 1024))} MB of text markup, more than the ${DOCX_MAX_XML_BYTES / (1024 * 1024)} MB (about 1,000 pages) we extract at once. Split it into smaller documents, or save it as plain text (.txt), and upload those.`,
    );
  }
  const buffer = "bytes" in source ? source.bytes : await fs.readFile(source.path);
  const { value: html } = await mammoth.convertToHtml({ buffer }, { styleMap: STYLE_MAP, convertImage: skipImages, externalFileAccess: false });
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const { text, sections } = domToText(document.body as unknown as Node);
  const title = await coreTitle(source);
  return { text, pages: [], sections, metadata: title ? { title } : {} };
}

/** The title in File › Properties, which Word keeps in docProps/core.xml. */
async function coreTitle(source: FileSource): Promise<string | undefined> {
  const xml = await readZipEntry(source, "docProps/core.xml", 256 * 1024).catch(() => undefined);
  if (!xml) return undefined;
  const document = new DOMParser().parseFromString(xml.toString("utf8"), "text/xml");
  return document.getElementsByTagName("dc:title")[0]?.textContent?.trim() || undefined;
}
