// HTML → text. Readability picks the main content of a web page; domToText turns a DOM into our
// text layout (headings as sections, blank lines between paragraphs, one line per list item,
// tables as Markdown tables) and is shared with the DOCX extractor, whose HTML comes from mammoth.
// Before Readability, formulas become their TeX (MathJax's source scripts, KaTeX's and MathML's
// annotations, `alttext`) or, for bare MathML, a linear form, so they don't vanish with the
// rendered markup; after it, the article keeps its headline, and lines of page furniture that
// sites leave inside articles ("Advertisement", "Continue reading the main story") go.
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

export type Block = { text: string; level?: number; group?: "list" | "table"; columns?: number };

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
      this.push({ text: `| ${cells.map((c) => flatText(c).replace(/\|/g, "\\|") || " ").join(" | ")} |`, group: "table", columns: cells.length });
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
export function domToText(root: Node, keep: (block: Block) => boolean = () => true): { text: string; sections: SectionMark[] } {
  const sections: SectionMark[] = [];
  let text = "";
  let previous: Block | undefined;
  for (const block of new Collector().walk(root).blocks.filter(keep)) {
    const firstRow = block.group === "table" && previous?.group !== "table";
    if (previous) text += block.group && block.group === previous.group ? "\n" : "\n\n";
    if (block.level) sections.push({ heading: block.text, level: block.level, start: text.length });
    text += block.text;
    // A table is a Markdown table: its first row is the header.
    if (firstRow) text += `\n|${" --- |".repeat(block.columns ?? 1)}`;
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
  let { text, sections } = article?.content ? domToText(article.content, notFurniture) : { text: "", sections: [] as SectionMark[] };
  if (!text.trim()) {
    // Readability mutated the first DOM; the fallback reads a fresh one.
    ({ text, sections } = domToText(pageDocument(source).body, notFurniture));
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
  // Before the furniture goes: MathJax 2 keeps each formula's TeX in a script.
  formulasAsText(document);
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
  let dropped = headings.find((h) => h.level <= 2 && !kept.has(norm(h.text)) && (norm(title).includes(norm(h.text)) || norm(h.text).includes(norm(title))));
  // No heading carries the headline (news sites set it in a styled div): the article's title
  // (Readability's, without the site name) heads the text unless the text already starts with it.
  if (
    !dropped &&
    !headings.some((h) => kept.has(norm(h.text)) && norm(h.text) === norm(title)) &&
    !norm(text.slice(0, title.length + 20)).includes(norm(title))
  ) {
    dropped = { text: title.trim(), level: 1 };
  }
  if (!dropped || !norm(dropped.text)) return { text, sections };
  const shift = dropped.text.length + 2;
  return {
    text: `${dropped.text}\n\n${text}`,
    sections: [{ heading: dropped.text, level: dropped.level, start: 0 }, ...sections.map((s) => ({ ...s, start: s.start + shift }))],
  };
}

/**
 * Lines that sites leave inside the article: ads, share and subscribe prompts, "continue
 * reading" links. A block is furniture only when it is one of these as a whole.
 */
const FURNITURE = new RegExp(
  `^(${[
    "advertisement",
    "ad",
    "sponsored",
    "supported by",
    "continue reading( the main story)?",
    "skip (to|past) (main )?(content|advertisement)",
    "read more",
    "related( articles| stories)?",
    "share( this( article| story| page)?)?( on \\w+)?",
    "(sign up|subscribe)( (now|today|for our newsletter|to our newsletter))?",
    "listen to (this )?(article|story)",
    "(\\d+ )?comments?",
    "print( this (article|page))?",
    "back to top",
    "image( source)?:.{0,80}",
    "photo:.{0,80}",
  ].join("|")})[.!:…]*$`,
  "i",
);

function notFurniture(block: Block): boolean {
  return block.level !== undefined || block.text.length > 100 || !FURNITURE.test(block.text.trim());
}

/** Rendered formula markup whose source is kept elsewhere (a script, an annotation, assistive MathML). */
const RENDERED_MATH =
  ".MathJax_Preview, .MathJax, .MathJax_Display, .MathJax_SVG, .MathJax_SVG_Display, .MathJax_CHTML, .katex-html, .mwe-math-fallback-image-inline, .mwe-math-fallback-image-display";

/**
 * Formulas as text, in place: MathJax 2's `script[type^=math/tex]` as \( … \) or \[ … \]
 * (display), then every `math` element (MathJax 3's assistive MathML, KaTeX's, Wikipedia's, or
 * plain MathML) by its TeX annotation, its `alttext`, or a linear form of its MathML.
 */
function formulasAsText(document: Document): void {
  const scripts = Array.from(document.querySelectorAll("script")).filter((s) => /^math\/(tex|asciimath)/i.test(s.getAttribute("type") ?? ""));
  if (scripts.length) for (const rendered of Array.from(document.querySelectorAll(RENDERED_MATH))) rendered.remove();
  for (const script of scripts) {
    const display = /mode\s*=\s*display/i.test(script.getAttribute("type") ?? "");
    replaceWithText(document, script, tex(script.textContent ?? "", display));
  }
  for (const rendered of Array.from(document.querySelectorAll(".katex-html, .mwe-math-fallback-image-inline, .mwe-math-fallback-image-display")))
    rendered.remove();
  for (const math of Array.from(document.querySelectorAll("math"))) {
    const display = math.getAttribute("display") === "block";
    const annotation = Array.from(math.querySelectorAll("annotation")).find((a) => /tex/i.test(a.getAttribute("encoding") ?? ""));
    const source = annotation?.textContent?.trim() || math.getAttribute("alttext")?.trim();
    // MathJax 3 renders into mjx-container and keeps MathML for screen readers beside it.
    const container = math.closest("mjx-container") ?? math;
    replaceWithText(document, container, source ? tex(source, display) : linearMath(math));
  }
}

function tex(source: string, display: boolean): string {
  const body = source
    .trim()
    .replace(/^\\displaystyle\s*/, "")
    .replace(/^\{\\displaystyle\s*(.*)\}$/s, "$1");
  return display ? ` \\[${body}\\] ` : ` \\(${body}\\) `;
}

function replaceWithText(document: Document, element: Element, text: string): void {
  element.replaceWith(document.createTextNode(text));
}

/** MathML without TeX, read out linearly: x^{2}, (a)/(b), sqrt(x), sub- and superscripts. */
function linearMath(element: Element): string {
  const kids = Array.from(element.children).map(linearMath);
  switch (element.tagName.toLowerCase()) {
    case "mi":
    case "mn":
    case "mo":
    case "mtext":
      return (element.textContent ?? "").trim();
    case "msup":
      return `${kids[0]}^{${kids[1]}}`;
    case "msub":
      return `${kids[0]}_{${kids[1]}}`;
    case "msubsup":
      return `${kids[0]}_{${kids[1]}}^{${kids[2]}}`;
    case "mfrac":
      return `(${kids[0]})/(${kids[1]})`;
    case "msqrt":
      return `sqrt(${kids.join(" ")})`;
    case "mroot":
      return `root(${kids[1]}, ${kids[0]})`;
    case "annotation":
    case "annotation-xml":
      return "";
    default:
      return kids.filter(Boolean).join(" ");
  }
}
