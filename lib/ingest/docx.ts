// DOCX → HTML with mammoth → text with the HTML extractor's DOM walk. The ZIP is checked (and
// fully inflated once, counting real bytes) before mammoth sees it: mammoth's ZIP reader trusts
// declared sizes and would inflate a bomb into memory. Mammoth gives the body, text boxes (in
// place), footnotes and endnotes (at the end) and tables (as Markdown tables here); headers and
// footers, which it skips, are read from their parts and added once each at the end, labelled;
// comments, remarks about the text rather than part of it, are left out and counted in a
// warning unless the project asks for them (then added at the end as "[Comment by …]" lines).
import fs from "node:fs/promises";
import { DOMParser, parseHTML } from "linkedom";
import mammoth from "mammoth";
import { domToText } from "./html";
import { type ExtractedDocument, type ExtractOptions, IngestError } from "./types";
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

export async function extractDocx(source: FileSource, options: Pick<ExtractOptions, "docxComments"> = {}): Promise<ExtractedDocument> {
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
  // The "↑" links from each footnote back to its reference.
  for (const back of Array.from(document.querySelectorAll('a[href^="#footnote-ref"], a[href^="#endnote-ref"]'))) back.remove();
  let { text, sections } = domToText(document.body as unknown as Node);
  const title = await coreTitle(source);
  const metadata: Record<string, unknown> = title ? { title } : {};
  const warnings: string[] = [];
  const furniture = await headersAndFooters(
    source,
    entries.map((e) => e.name),
  );
  if (furniture.length) {
    text += `${text ? "\n\n" : ""}${furniture.join("\n")}`;
    metadata.headerFooterLines = furniture.length;
  }
  const comments = await readComments(
    source,
    entries.map((e) => e.name),
  );
  if (comments.length) {
    metadata.comments = comments.length;
    if (options.docxComments) {
      text += `${text ? "\n\n" : ""}${comments.join("\n")}`;
    } else {
      warnings.push(
        `${comments.length === 1 ? "1 comment" : `${comments.length} comments`} in the document ${comments.length === 1 ? "was" : "were"} left out: comments are remarks on the text, not part of it. Turn on "Include Word comments" in the project's settings to keep them.`,
      );
    }
  }
  return { text, pages: [], sections, metadata, ...(warnings.length ? { warnings } : {}) };
}

const PART_BYTES = 1024 * 1024;
/** A header or footer line that is only a page number or a page-number field's leftovers. */
const PAGE_ONLY = /^[-–—\s]*(page|seite|página|pagina)?\s*\d{0,4}(\s*(of|\/|von|de)\s*\d{0,4})?[-–—\s]*$/i;

/** The text of each paragraph of a WordprocessingML part (w:p → its w:t runs, tabs as spaces). */
function paragraphs(xml: Buffer): string[] {
  const document = new DOMParser().parseFromString(xml.toString("utf8"), "text/xml");
  return paragraphRuns(document as unknown as Node);
}

/** The text of each w:p under `root`, its w:t runs joined (tabs as spaces), whitespace collapsed. */
function paragraphRuns(root: Node): string[] {
  const runs = (node: Node): string =>
    Array.from(node.childNodes, (child) => {
      const tag = (child as Element).tagName;
      if (tag === "w:t") return child.textContent ?? "";
      if (tag === "w:tab") return " ";
      return child.nodeType === 1 ? runs(child) : "";
    }).join("");
  const found: string[] = [];
  const visit = (node: Node) => {
    for (const child of Array.from(node.childNodes)) {
      if ((child as Element).tagName === "w:p") found.push(runs(child).replace(/\s+/g, " ").trim());
      else if (child.nodeType === 1 || child.nodeType === 9) visit(child);
    }
  };
  visit(root);
  return found;
}

/** Header and footer lines, once each in part order ("[Header] …", "[Footer] …"), without bare page numbers. */
async function headersAndFooters(source: FileSource, names: string[]): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Set<string>();
  // Headers first, then footers, each in their parts' order.
  const parts = names
    .filter((n) => /^word\/(header|footer)\d*\.xml$/.test(n))
    .sort((a, b) => Number(a.includes("footer")) - Number(b.includes("footer")) || a.localeCompare(b, "en", { numeric: true }));
  for (const name of parts) {
    const xml = await readZipEntry(source, name, PART_BYTES).catch(() => undefined);
    if (!xml) continue;
    const label = name.includes("header") ? "Header" : "Footer";
    for (const text of paragraphs(xml)) {
      if (!text || PAGE_ONLY.test(text) || seen.has(text)) continue;
      seen.add(text);
      lines.push(`[${label}] ${text}`);
    }
  }
  return lines;
}

/** The document's comments as "[Comment by <author>] <text>" lines, in the order Word keeps them. */
async function readComments(source: FileSource, names: string[]): Promise<string[]> {
  if (!names.includes("word/comments.xml")) return [];
  const xml = await readZipEntry(source, "word/comments.xml", 4 * PART_BYTES).catch(() => undefined);
  if (!xml) return [];
  const document = new DOMParser().parseFromString(xml.toString("utf8"), "text/xml");
  return Array.from(document.getElementsByTagName("w:comment"), (comment) => {
    const author = comment.getAttribute("w:author")?.trim();
    const body = paragraphRuns(comment as unknown as Node)
      .filter(Boolean)
      .join(" ");
    return `[Comment${author ? ` by ${author}` : ""}] ${body}`.trim();
  });
}

/** The title in File › Properties, which Word keeps in docProps/core.xml. */
async function coreTitle(source: FileSource): Promise<string | undefined> {
  const xml = await readZipEntry(source, "docProps/core.xml", 256 * 1024).catch(() => undefined);
  if (!xml) return undefined;
  const document = new DOMParser().parseFromString(xml.toString("utf8"), "text/xml");
  return document.getElementsByTagName("dc:title")[0]?.textContent?.trim() || undefined;
}
