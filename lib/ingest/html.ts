// HTML → text. Readability picks the main content of a web page; domToText turns a DOM into our
// text layout (headings as sections, blank lines between paragraphs, one line per list item and
// per table row) and is shared with the DOCX extractor, whose HTML comes from mammoth.
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { decodeText, tidyText } from "./text";
import type { ExtractedDocument, SectionMark } from "./types";

/** Page furniture, removed before Readability so its heuristics never weigh it. */
const CHROME = "script, style, noscript, template, iframe, svg, canvas, nav, aside, [role=navigation], [role=complementary]";
const SKIPPED = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "SVG", "CANVAS", "IFRAME", "BUTTON", "SELECT"]);
const BLOCKS = new Set([
  "ADDRESS",
  "ARTICLE",
  "BLOCKQUOTE",
  "BODY",
  "CAPTION",
  "DD",
  "DETAILS",
  "DIV",
  "DL",
  "DT",
  "FIELDSET",
  "FIGCAPTION",
  "FIGURE",
  "FOOTER",
  "FORM",
  "HEADER",
  "HR",
  "MAIN",
  "OL",
  "P",
  "SECTION",
  "SUMMARY",
  "TABLE",
  "TBODY",
  "TFOOT",
  "THEAD",
  "UL",
]);
const HEADING = /^H([1-6])$/;
/** Readability turns every h1 into h2; the original level survives in this attribute. */
const LEVEL_ATTRIBUTE = "data-ingest-level";

type Block = { text: string; level?: number; group?: "list" | "table" };

/** Walks a DOM into blocks; inline text accumulates until the next block boundary. */
class Collector {
  readonly blocks: Block[] = [];
  private inline = "";
  private listMarkers: (() => string)[] = [];
  /** The bullet or number waiting for the first text inside the current list item. */
  private marker = "";

  walk(node: Node): this {
    this.visitChildren(node);
    this.flush();
    return this;
  }

  private visitChildren(node: Node): void {
    for (const child of Array.from(node.childNodes)) this.visit(child);
  }

  private visit(node: Node): void {
    if (node.nodeType === 3) {
      this.inline += (node.textContent ?? "").replace(/\u0000/g, "").replace(/[ \t\n\r\f\u00a0]+/g, " ");
      return;
    }
    if (node.nodeType !== 1) return;
    const element = node as Element;
    const tag = element.tagName.toUpperCase();
    const heading = HEADING.exec(tag);
    if (SKIPPED.has(tag)) return;
    if (tag === "BR") {
      this.inline += "\n";
    } else if (heading) {
      this.flush();
      const level = Number(element.getAttribute(LEVEL_ATTRIBUTE) ?? heading[1]);
      this.push({ text: flatText(element), level });
    } else if (tag === "TR") {
      this.flush();
      const cells = Array.from(element.children).filter((c) => /^T[DH]$/i.test(c.tagName));
      this.push({ text: cells.map((c) => flatText(c).replace(/\t/g, " ")).join("\t"), group: "table" });
    } else if (tag === "PRE") {
      this.flush();
      this.push({ text: tidyText(element.textContent ?? "") });
    } else if (tag === "UL" || tag === "OL") {
      this.flush();
      let n = Number(element.getAttribute("start") ?? 1);
      const indent = "  ".repeat(this.listMarkers.length);
      this.listMarkers.push(tag === "OL" ? () => `${indent}${n++}. ` : () => `${indent}- `);
      this.visitChildren(element);
      this.flush();
      this.listMarkers.pop();
    } else if (tag === "LI") {
      this.flush();
      this.marker = this.listMarkers.at(-1)?.() ?? "- ";
      this.visitChildren(element);
      this.flush();
      this.marker = "";
    } else if (BLOCKS.has(tag)) {
      this.flush();
      this.visitChildren(element);
      this.flush();
    } else {
      this.visitChildren(element);
    }
  }

  /** Ends the current block. Inside a list every block is a list line, so items stay together. */
  private flush(): void {
    const text = this.inline
      .split("\n")
      .map((line) => line.replace(/ {2,}/g, " ").trim())
      .filter(Boolean)
      .join("\n");
    this.inline = "";
    if (!text) return;
    this.push({ text: this.marker + text, group: this.listMarkers.length ? "list" : undefined });
    this.marker = "";
  }

  private push(block: Block): void {
    if (block.text.trim()) this.blocks.push(block);
  }
}

/** An element's text on one line, with spaces where its blocks and line breaks were. */
function flatText(element: Element): string {
  return new Collector()
    .walk(element)
    .blocks.map((b) => b.text.replace(/\n/g, " "))
    .join(" ");
}

/** Lays blocks out as text: consecutive list items or table rows on single lines, else a blank line between. */
export function domToText(root: Node): { text: string; sections: SectionMark[] } {
  const sections: SectionMark[] = [];
  let text = "";
  let previous: Block | undefined;
  for (const block of new Collector().walk(root).blocks) {
    if (previous) text += block.group && block.group === previous.group ? "\n" : "\n\n";
    if (block.level) sections.push({ heading: block.text, level: block.level, start: text.length });
    text += block.text;
    previous = block;
  }
  return { text, sections };
}

export function extractHtml(bytes: Uint8Array): ExtractedDocument {
  const { text: source, encoding } = decodeText(bytes, declaredCharset(bytes));
  const document = pageDocument(source);
  const pageTitle = document.title?.trim() || undefined;
  const lang = document.documentElement?.getAttribute("lang") || undefined;
  const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"), (h) => {
    h.setAttribute(LEVEL_ATTRIBUTE, h.tagName.slice(1));
    return { text: flatText(h), level: Number(h.tagName.slice(1)) };
  });
  const article = new Readability<Node>(document, { serializer: (node) => node }).parse();
  let { text, sections } = article?.content ? domToText(article.content) : { text: "", sections: [] as SectionMark[] };
  if (!text.trim()) {
    // Readability mutated the first DOM; the fallback reads a fresh one.
    ({ text, sections } = domToText(pageDocument(source).body));
  } else {
    ({ text, sections } = restoreTitleHeading(text, sections, headings, article?.title ?? pageTitle));
  }
  const title = article?.title?.trim() || pageTitle;
  const facts = { title, byline: article?.byline?.trim(), siteName: article?.siteName?.trim(), lang };
  const metadata: Record<string, unknown> = { encoding };
  for (const [key, value] of Object.entries(facts)) if (value) metadata[key] = value;
  return { text, pages: [], sections, metadata };
}

function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, 4096));
  return /<meta[^>]+charset\s*=\s*["']?([\w:.-]+)/i.exec(head)?.[1];
}

/** The page without its furniture. Page-level header/footer go too, but not an article's own. */
function pageDocument(source: string): Document {
  const { document } = parseHTML(source) as unknown as { document: Document };
  for (const element of Array.from(document.querySelectorAll(CHROME))) element.remove();
  for (const element of Array.from(document.querySelectorAll("header, footer, [role=banner], [role=contentinfo]"))) {
    if (!element.parentElement?.closest("article, main, [role=main]")) element.remove();
  }
  return document;
}

/**
 * Readability drops the h1 that repeats the page title, which would lose the document's top
 * heading; put it back at the start when that happened.
 */
function restoreTitleHeading(
  text: string,
  sections: SectionMark[],
  headings: { text: string; level: number }[],
  title: string | undefined,
): { text: string; sections: SectionMark[] } {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  if (!title) return { text, sections };
  const kept = new Set(sections.map((s) => norm(s.heading)));
  const dropped = headings.find((h) => h.level <= 2 && !kept.has(norm(h.text)) && (norm(title).includes(norm(h.text)) || norm(h.text).includes(norm(title))));
  if (!dropped || !norm(dropped.text)) return { text, sections };
  const shift = dropped.text.length + 2;
  return {
    text: `${dropped.text}\n\n${text}`,
    sections: [{ heading: dropped.text, level: dropped.level, start: 0 }, ...sections.map((s) => ({ ...s, start: s.start + shift }))],
  };
}
