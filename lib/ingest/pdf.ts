// PDF → text with pdf.js (unpdf's serverless build: no worker thread, no DOM, polyfills for
// Node 20 such as Promise.withResolvers). Lines come from pdf.js's own end-of-line marks;
// headings are lines set clearly larger than the body text. Then, in order: pages whose text is
// not text (symbol soup, replacement glyphs) are set aside, running headers and footers go,
// words broken at line ends are joined, and filled-in form fields and text-box annotations,
// which are not part of the page's content, are added at the end of their page. Pages with no
// text layer (scans) and pages of unreadable text are rendered and read by OCR (./ocr) when the
// project has OCR languages; pages with a text layer are never OCR'd.
import { createRequire } from "node:module";
import path from "node:path";
import { type OcrPageRecord, ocrWarnings, pageRecord, VISION_MAX_SIDE } from "./image";
import { MAX_OCR_PIXELS, ocrProblem, recognize } from "./ocr";
import { type ExtractedDocument, type ExtractOptions, IngestError, type PageSpan, type SectionMark } from "./types";

/** `ocr` marks a line read by OCR: "paragraph" starts a paragraph. OCR lines have no size or position. */
type Line = { text: string; size: number; y: number; ocr?: "line" | "paragraph" };
type TextItem = { str: string; transform: number[]; hasEOL: boolean };
type Page = {
  lines: Line[];
  /** Form-field values and text-box annotations, one line each, marked with where they came from. */
  extras: string[];
  /** Why the page's text was set aside as unreadable. */
  unreadable?: string;
};
type PdfDocument = { numPages: number; getPage(n: number): Promise<PdfPage> };
type PdfPage = {
  getTextContent(): Promise<{ items: unknown[] }>;
  getAnnotations(): Promise<Annotation[]>;
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  getViewport(options: { scale: number }): { width: number; height: number };
  render(options: { canvas: unknown; canvasContext: unknown; viewport: unknown }): { promise: Promise<void> };
};
type Annotation = {
  annotationType?: number;
  subtype?: string;
  rect?: number[];
  hidden?: boolean;
  fieldType?: string;
  fieldName?: string;
  fieldValue?: unknown;
  checkBox?: boolean;
  radioButton?: boolean;
  pushButton?: boolean;
  exportValue?: unknown;
  buttonValue?: unknown;
  contentsObj?: { str?: string };
  textContent?: string[];
};

/**
 * pdf.js's own data files, from the pdfjs-dist package (the version unpdf bundles): Adobe's
 * predefined CMaps, without which CJK text set in non-embedded fonts (UniJIS-UCS2-H …) comes
 * out empty, and the standard fonts. Read from the disk by pdf.js's Node factories; the URLs are
 * paths and must end in "/". Missing data (pdfjs-dist not installed) leaves them unset, as before.
 */
function pdfjsData(): { cMapUrl?: string; cMapPacked?: boolean; standardFontDataUrl?: string } {
  try {
    const root = path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
    return { cMapUrl: `${root}/cmaps/`, cMapPacked: true, standardFontDataUrl: `${root}/standard_fonts/` };
  } catch {
    return {};
  }
}

/**
 * Nothing here is fetched from the network: the URLs pdf.js could fetch from are unset (ICC
 * profiles, wasm decoders) or are paths on the disk (CMaps, standard fonts).
 *
 * useSystemFonts stays true: with it pdf.js reads standard-font data only for Symbol and
 * ZapfDingbats and otherwise maps a non-embedded standard font by its own tables. Loading the
 * standard fonts for all of them (useSystemFonts: false) maps glyph ids through the Liberation
 * substitutes, which loses the text of a non-embedded Arial set with Identity-H ("Hello" becomes
 * "+HOOR"), so that is only a second opinion for pages the quality gate rejects.
 */
const PDFJS_OPTIONS = {
  isEvalSupported: false,
  useWorkerFetch: false,
  disableFontFace: true,
  useSystemFonts: true,
  isOffscreenCanvasSupported: false,
  standardFontDataUrl: undefined,
  cMapUrl: undefined,
  iccUrl: undefined,
  wasmUrl: undefined,
  verbosity: 0,
  ...pdfjsData(),
};

/** A heading's font is at least this much larger than the body's. */
const HEADING_RATIO = 1.2;

/** Scans are rendered for OCR at their own resolution within these bounds (Tesseract reads best at 200–300 dpi). */
const OCR_DPI = 300;
const MIN_OCR_DPI = 150;

/**
 * A PDF whose encryption covers only its attachments (PDF 1.6 crypt filters: /V 4 or 5 with
 * /StmF and /StrF /Identity, the attachments under /EFF) opens without a password in every
 * reader, but pdf.js still asks for the user password. Its pages are not encrypted, so the copy
 * returned here names no /Encrypt dictionary (the key renamed in place, so every offset in the
 * cross-reference table stays right); null for any other encryption.
 */
export function withoutAttachmentEncryption(bytes: Uint8Array): Uint8Array | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const refs = [...text.matchAll(/\/Encrypt\s+(\d+)\s+(\d+)\s+R/g)];
  if (refs.length === 0) return null;
  const [, num, gen] = refs[0];
  const dict = new RegExp(`(?:^|[^\\d])${num}\\s+${gen}\\s+obj\\s*<<([\\s\\S]*?)endobj`).exec(text)?.[1];
  if (!dict) return null;
  const version = Number(/\/V\s+(\d+)/.exec(dict)?.[1] ?? 0);
  const filter = (name: string) => new RegExp(`/${name}\\s*/(\\w+)`).exec(dict)?.[1] ?? "Identity";
  if (version < 4 || filter("StmF") !== "Identity" || filter("StrF") !== "Identity" || !/\/EFF\s*\//.test(dict)) return null;
  const copy = Buffer.from(text.replace(/\/Encrypt(\s+\d+\s+\d+\s+R)/g, "/Unused_$1"), "latin1");
  return new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
}

export async function extractPdf(bytes: Uint8Array, options: ExtractOptions = {}): Promise<ExtractedDocument> {
  // Imported here: unpdf's bundle installs browser globals (navigator …) that only this code needs.
  const { getResolvedPDFJS } = await import("unpdf");
  const { getDocument, OPS } = await getResolvedPDFJS();
  // pdf.js takes ownership of the array it is given, so it gets a copy.
  const password = options.password ? { password: options.password } : {};
  let task = getDocument({ data: new Uint8Array(bytes), ...PDFJS_OPTIONS, ...password });
  let attachmentsOnly = false;
  try {
    const pdf = await task.promise.catch(async (error: unknown) => {
      // Only the attachments are encrypted (pages and strings are not): read the pages without
      // the password pdf.js would ask for.
      const readable = error instanceof Error && error.name === "PasswordException" && !options.password ? withoutAttachmentEncryption(bytes) : null;
      if (readable) {
        await task.destroy();
        task = getDocument({ data: readable, ...PDFJS_OPTIONS });
        attachmentsOnly = true;
        bytes = readable;
        return task.promise;
      }
      if (error instanceof Error && error.name === "PasswordException") {
        // pdf.js: code 1 needs a password, 2 was given a wrong one.
        const wrong = options.password !== undefined && (error as { code?: number }).code === 2;
        throw new IngestError(
          "encrypted",
          wrong
            ? "The password for this PDF is wrong. Enter it again on the source."
            : "This PDF is password-protected. Enter its password on the source to read it, or remove the password and upload it again.",
        );
      }
      throw error;
    });
    const pages: Page[] = [];
    for (let n = 1; n <= pdf.numPages; n++) pages.push(await readPage(pdf as unknown as PdfDocument, n));
    const rejected = pages.flatMap((page, i) => (page.unreadable ? [i + 1] : []));
    if (rejected.length && PDFJS_OPTIONS.standardFontDataUrl) {
      // A second opinion with pdf.js's standard fonts loaded for every non-embedded standard font.
      const retry = getDocument({ data: new Uint8Array(bytes), ...PDFJS_OPTIONS, ...password, useSystemFonts: false });
      try {
        const again = (await retry.promise) as unknown as PdfDocument;
        for (const n of rejected) {
          const page = await readPage(again, n);
          if (!page.unreadable) pages[n - 1] = page;
        }
      } finally {
        await retry.destroy();
      }
    }
    const ocr = await ocrPages(pdf as unknown as PdfDocument, pages, OPS as Record<string, number>, options);
    const unreadable = pages.flatMap((page, i) => (page.unreadable ? [i + 1] : []));
    const kept = pages.map((page) => (page.unreadable ? { ...page, lines: [] } : page));
    const document = layout(dehyphenate(withoutRunningLines(kept)));
    if (!document.text.trim()) {
      if (ocr.error) throw ocr.error;
      if (unreadable.length) {
        throw new IngestError(
          "unreadable_text",
          `The text in this PDF can't be read: ${unreadableReason(pages)} ${ocr.tried ? "OCR found no text on those pages either." : `${ocrHint(options)} Or export or print it to PDF again with its fonts embedded.`}`,
        );
      }
      if (ocr.tried) {
        throw new IngestError(
          "no_text_layer",
          "This PDF has no text layer and OCR found no text on its pages. If it holds text, scan it again at 300 dpi, straight and in focus.",
        );
      }
      throw new IngestError("no_text_layer", `This PDF has no text layer (it looks scanned). ${ocrHint(options)}`);
    }
    const info = await pdf.getMetadata().then(
      (m) => m.info as Record<string, unknown>,
      () => ({}) as Record<string, unknown>,
    );
    const metadata: Record<string, unknown> = { pageCount: pdf.numPages };
    for (const [key, field] of [
      ["title", "Title"],
      ["author", "Author"],
    ] as const) {
      const value = info[field];
      if (typeof value === "string" && value.trim()) metadata[key] = value.trim();
    }
    // Blank pages (no text, no image) are only counted: scans without OCR get a warning below.
    const blank = pages.filter((page) => page.lines.length === 0 && !page.unreadable).length - ocr.skipped.length;
    if (blank) metadata.blankPages = blank;
    const warnings: string[] = [];
    if (ocr.done.length) {
      metadata.ocr = { ...(options.vision?.describe ?? { engine: "tesseract", languages: options.ocrLanguages }), pages: ocr.done };
      warnings.push(...ocrWarnings(ocr.done, "Page", options.vision?.label));
    }
    if (ocr.skipped.length) {
      metadata.pagesNeedingOcr = ocr.skipped;
      warnings.push(
        `${pageList(ocr.skipped)} left out: ${ocr.skipped.length === 1 ? "it has" : "they have"} no text layer (scanned). ${ocr.error ? ocr.error.message : ocrHint(options)}`,
      );
    }
    if (unreadable.length) {
      metadata.unreadablePages = unreadable;
      warnings.push(`${pageList(unreadable)} left out: ${unreadableReason(pages)}`);
    }
    const fields = pages.reduce((n, page) => n + page.extras.length, 0);
    if (fields) metadata.formFieldsAndAnnotations = fields;
    if (attachmentsOnly) {
      metadata.encryptedAttachments = true;
      warnings.push("Only this PDF's attachments are password-protected: its pages were read, its attachments left out.");
    }
    return { ...document, metadata, ...(warnings.length ? { warnings } : {}) };
  } finally {
    await task.destroy();
  }
}

function ocrHint(options: ExtractOptions): string {
  return options.vision || options.ocrLanguages?.trim()
    ? "OCR could not run on this worker."
    : "OCR is off for this project: set its OCR languages (for example eng) in the project's settings and process the source again.";
}

const IMAGE_OPS = ["paintImageXObject", "paintImageXObjectRepeat", "paintInlineImageXObject", "paintInlineImageXObjectGroup", "paintImageMaskXObject"];

/**
 * Reads by OCR the pages that need it (no text but an image: a scan; or unreadable text), in
 * place: their lines become the OCR text. `done` lists the OCR'd pages with Tesseract's
 * confidence (scans where it found nothing included, unreadable pages only when it found text),
 * `tried` how many pages it read; `skipped` the scanned pages left without text, because OCR is
 * off or cannot run here (`error` says why). A blank page without images is neither.
 */
async function ocrPages(
  pdf: PdfDocument,
  pages: Page[],
  OPS: Record<string, number>,
  options: ExtractOptions,
): Promise<{ done: OcrPageRecord[]; tried: number; skipped: number[]; error?: IngestError }> {
  const imageOps = new Set(IMAGE_OPS.map((name) => OPS[name]).filter((op) => op !== undefined));
  const wanted: number[] = [];
  /** The widest image on each scanned page, in pixels: how finely it was scanned. */
  const imageWidths = new Map<number, number>();
  for (let n = 1; n <= pages.length; n++) {
    const page = pages[n - 1];
    if (page.unreadable) wanted.push(n);
    else if (!page.lines.length && !page.extras.length) {
      const ops = await (await pdf.getPage(n)).getOperatorList().catch(() => ({ fnArray: [] as number[], argsArray: [] as unknown[][] }));
      const widths = ops.fnArray.flatMap((op, i) => (imageOps.has(op) && typeof ops.argsArray[i]?.[1] === "number" ? [ops.argsArray[i][1] as number] : []));
      if (ops.fnArray.some((op) => imageOps.has(op))) {
        wanted.push(n);
        if (widths.length) imageWidths.set(n, Math.max(...widths));
      }
    }
  }
  const languages = options.ocrLanguages?.trim();
  const scanned = () => wanted.filter((n) => !pages[n - 1].unreadable);
  const vision = options.vision;
  if (!wanted.length || !(languages || vision)) return { done: [], tried: 0, skipped: scanned() };
  const error = vision ? undefined : await ocrProblem(languages!);
  if (error) return { done: [], tried: 0, skipped: scanned(), error };
  const { createIsomorphicCanvasFactory } = await import("unpdf");
  const CanvasFactory = await createIsomorphicCanvasFactory(() => import("@napi-rs/canvas"));
  const factory = new CanvasFactory();
  const done: OcrPageRecord[] = [];
  for (const [i, n] of wanted.entries()) {
    options.onProgress?.(`Reading page ${n} ${vision ? `with ${vision.label}` : "by OCR"} (${i + 1} of ${wanted.length})`, i / wanted.length);
    if (options.signal?.aborted) throw options.signal.reason;
    const page = await pdf.getPage(n);
    const unscaled = page.getViewport({ scale: 1 });
    // At the scan's own resolution (its widest image across the page), between 150 and 300 dpi:
    // rendering a 200 dpi scan at 300 would only give Tesseract more pixels of the same detail.
    const scanDpi = imageWidths.has(n) ? (imageWidths.get(n)! / unscaled.width) * 72 : OCR_DPI;
    const dpi = Math.min(OCR_DPI, Math.max(MIN_OCR_DPI, scanDpi));
    // A vision model scales pages down to about VISION_MAX_SIDE pixels anyway: no more is sent.
    const scale = vision
      ? Math.min(dpi / 72, VISION_MAX_SIDE / Math.max(unscaled.width, unscaled.height))
      : Math.min(dpi / 72, Math.sqrt(MAX_OCR_PIXELS / 4 / (unscaled.width * unscaled.height)));
    const viewport = page.getViewport({ scale });
    const drawing = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
    let png: Buffer;
    let colour: Buffer | undefined;
    try {
      const { canvas, context } = drawing as unknown as { canvas: import("@napi-rs/canvas").Canvas; context: import("@napi-rs/canvas").SKRSContext2D };
      // Scans are usually opaque, but a page without a background would render transparent: white under it.
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      await page.render({ canvas, canvasContext: context, viewport }).promise;
      // Tesseract reads grey; a vision model gets the page as people see it, as JPEG (a tenth of a PNG's bytes on a scan).
      if (vision) colour = await canvas.encode("jpeg", 90);
      else png = greymap(context.getImageData(0, 0, canvas.width, canvas.height));
    } finally {
      factory.destroy(drawing);
    }
    const result = vision
      ? await vision.read({ data: colour!, mimeType: "image/jpeg" }, n, options.signal)
      : (await recognize(png!, { languages: languages!, signal: options.signal }))[0];
    const lines = ocrLines(result?.text ?? "");
    if (!lines.length) {
      if (!pages[n - 1].unreadable) done.push({ page: n, confidence: null });
      continue;
    }
    pages[n - 1] = { ...pages[n - 1], lines, unreadable: undefined };
    done.push(pageRecord(n, result, Boolean(vision)));
  }
  options.onProgress?.("OCR done", 1);
  return { done, tried: wanted.length, skipped: [] };
}

/**
 * The rendered page as a binary greymap (PGM, P5) for Tesseract: no compression to spend time on
 * here or to undo there (PNG encoding took about a third of each page's time), and a quarter of
 * the RGBA bytes. Grey is what Tesseract works in anyway.
 */
function greymap(image: { width: number; height: number; data: Uint8ClampedArray }): Buffer {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, "latin1");
  const out = Buffer.allocUnsafe(header.length + image.width * image.height);
  header.copy(out);
  const rgba = image.data;
  for (let i = 0, o = header.length; i < rgba.length; i += 4, o++) {
    // ITU-R BT.601 luma, in integers.
    out[o] = (rgba[i] * 299 + rgba[i + 1] * 587 + rgba[i + 2] * 114) / 1000;
  }
  return out;
}

function ocrLines(text: string): Line[] {
  return text
    .split(/\n{2,}/)
    .flatMap((paragraph) => paragraph.split("\n").map((line, i): Line => ({ text: line.trim(), size: 0, y: 0, ocr: i === 0 ? "paragraph" : "line" })))
    .filter((line) => line.text);
}

async function readPage(pdf: PdfDocument, n: number): Promise<Page> {
  const page = await pdf.getPage(n);
  const items = (await page.getTextContent()).items.flatMap((item) => (item && typeof item === "object" && "str" in item ? [item as TextItem] : []));
  const annotations = await page.getAnnotations().catch(() => [] as Annotation[]);
  return { lines: pageLines(items), extras: annotationLines(annotations), unreadable: quality(items.map((item) => item.str).join("")) };
}

function pageLines(items: TextItem[]): Line[] {
  const lines: Line[] = [];
  let parts: string[] = [];
  let size = 0;
  let y: number | undefined;
  const endLine = () => {
    const text = parts.join("").replace(/\s+/g, " ").trim();
    if (text) lines.push({ text, size, y: y ?? 0 });
    parts = [];
    size = 0;
    y = undefined;
  };
  for (const item of items) {
    // NULs and other controls come from fonts without a usable ToUnicode map.
    const str = item.str.replace(/[\u0000-\u0008\u000b-\u001f]/g, "");
    parts.push(str);
    if (str.trim()) {
      // The vertical scale of the text matrix is the rendered font size.
      size = Math.max(size, Math.hypot(item.transform[2], item.transform[3]));
      y ??= item.transform[5];
    }
    if (item.hasEOL) endLine();
  }
  endLine();
  return lines;
}

/** Replacement, control and private-use characters: glyphs pdf.js could not map to text. */
const BAD_GLYPH = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd\ue000-\uf8ff\u{f0000}-\u{10ffff}]/u;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/**
 * The quality gate: undefined for text that reads as text, else what is wrong with it. A page
 * fails when a quarter of its characters are glyphs without a Unicode mapping, or when, with
 * at least 20 characters, half are ASCII punctuation and under a quarter letters: the "symbol
 * soup" (`! " # $ %`) of a font whose character codes pdf.js took for Unicode. Tables of
 * figures pass (digits are neither), and so do code listings, which have letters.
 */
export function quality(text: string): "glyphs" | "symbols" | undefined {
  const chars = [...text].filter((c) => c.trim() || BAD_GLYPH.test(c));
  if (!chars.length) return undefined;
  const count = (pattern: RegExp) => chars.filter((c) => pattern.test(c)).length;
  const bad = count(BAD_GLYPH);
  if (bad >= 3 && bad >= chars.length * 0.25) return "glyphs";
  if (chars.length >= 20 && count(ASCII_PUNCTUATION) >= chars.length * 0.5 && count(/\p{L}/u) < chars.length * 0.25) return "symbols";
  return undefined;
}

function unreadableReason(pages: Page[]): string {
  const reasons = new Set(pages.map((page) => page.unreadable).filter(Boolean));
  return reasons.has("symbols")
    ? "the fonts map the characters to the wrong symbols, so the text comes out as punctuation."
    : "the fonts have no mapping from glyphs to characters, so the text comes out as unrecognisable characters.";
}

function pageList(pages: number[]): string {
  return pages.length === 1 ? `Page ${pages[0]} was` : `Pages ${pages.slice(0, -1).join(", ")} and ${pages.at(-1)} were`;
}

/**
 * Filled-in form fields and text-box (FreeText) annotations, which are not part of the page's
 * content stream, as "[Form field: <name>] <value>" and "[Text box] <text>" lines, top to bottom.
 * Empty fields, unticked boxes, buttons and signatures are left out.
 */
function annotationLines(annotations: Annotation[]): string[] {
  const found: { text: string; top: number; left: number }[] = [];
  const seen = new Set<string>();
  for (const a of annotations) {
    if (a.hidden) continue;
    let text: string | undefined;
    if (a.subtype === "Widget" && a.fieldName !== undefined) {
      const value = fieldValue(a);
      if (value) text = `[Form field: ${a.fieldName.trim() || "unnamed"}] ${value}`;
    } else if (a.subtype === "FreeText") {
      const value = (a.contentsObj?.str || a.textContent?.join("\n") || "").trim();
      if (value) text = `[Text box] ${value}`;
    }
    if (!text) continue;
    text = text
      .replace(/\r\n?/g, "\n")
      .replace(/[ \t]+/g, " ")
      .replace(/\n{2,}/g, "\n");
    // A field shown by several widgets on one page is one line.
    if (seen.has(text)) continue;
    seen.add(text);
    found.push({ text, top: a.rect?.[3] ?? 0, left: a.rect?.[0] ?? 0 });
  }
  return found.sort((a, b) => b.top - a.top || a.left - b.left).map((f) => f.text);
}

function fieldValue(a: Annotation): string | undefined {
  const value = a.fieldValue;
  if (a.fieldType === "Btn") {
    if (a.pushButton) return undefined;
    // A ticked box or chosen radio button holds the name of its "on" appearance, e.g. "Yes".
    const on = a.checkBox ? a.exportValue : a.radioButton ? a.buttonValue : undefined;
    return typeof value === "string" && value !== "Off" && (on === undefined || value === on) ? value : undefined;
  }
  if (a.fieldType === "Tx" || a.fieldType === "Ch") {
    const text = (Array.isArray(value) ? value.filter((v) => typeof v === "string").join(", ") : typeof value === "string" ? value : "").trim();
    return text || undefined;
  }
  return undefined;
}

/** A line that is only a page number: "12", "- 12 -", "Page 3", "3 of 10", "Page 3 / 10". */
const PAGE_NUMBER = /^[-–—\s]*(page|p\.|seite|página|pagina)?\s*\d{1,4}(\s*(of|\/|von|de)\s*\d{1,4})?[-–—\s]*$/i;

/**
 * Running headers and footers go: a line among the first two or last two of a page that is the
 * same (page numbers count as the same) on at least half of the pages with text, and on two or
 * more of them. Lines are compared exactly otherwise: "Chapter 1" and "Chapter 2" both stay.
 */
function withoutRunningLines(pages: Page[]): Page[] {
  const withText = pages.filter((page) => page.lines.length > 0);
  if (withText.length < 2) return pages;
  const key = (line: Line) => (PAGE_NUMBER.test(line.text) ? "\u0000page number" : line.text);
  const edges = (lines: Line[]) => [...new Set([...lines.slice(0, 2), ...lines.slice(-2)].map(key))];
  const counts = new Map<string, number>();
  for (const page of withText) for (const k of edges(page.lines)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const needed = Math.max(2, Math.ceil(withText.length / 2));
  const running = (line: Line | undefined) => line !== undefined && (counts.get(key(line)) ?? 0) >= needed;
  return pages.map((page) => {
    const lines = [...page.lines];
    for (let i = 0; i < 2 && running(lines[0]); i++) lines.shift();
    for (let i = 0; i < 2 && running(lines.at(-1)); i++) lines.pop();
    return { ...page, lines };
  });
}

/** First parts of compounds that keep their hyphen even when the document never uses them. */
const HYPHEN_PREFIXES = new Set(["self", "well", "half", "quasi"]);
const WORD = /\p{L}+(?:-\p{L}+)*/gu;
const BROKEN_END = /(^|[^\p{L}-])(\p{L}*\p{Ll})[-\u00ad]$/u;
const CONTINUATION = /^(\p{Ll}+)(?![\p{L}-])/u;

/**
 * Words broken at a line end ("applica-" / "tions") are joined, across pages too: the fragment
 * before the hyphen ends in a lowercase letter, the next line (same font size) starts with
 * lowercase letters. The hyphen goes when the joined word ("applications") occurs elsewhere in
 * the document, or when the parts are not both words of the document's own vocabulary (the
 * words outside these breaks); it stays ("well-known") when the parts are both words, when the
 * compound is written with its hyphen elsewhere, or after self-, well-, half- and quasi-. A soft
 * hyphen (U+00AD) always goes. One known part is not enough to keep it: syllable breaks often
 * leave a short word in front ("in-" / "formation").
 */
function dehyphenate(pages: Page[]): Page[] {
  const lines = pages.flatMap((page, p) => page.lines.map((line, l) => ({ p, l, line })));
  const breaks: number[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const [a, b] = [lines[i].line, lines[i + 1].line];
    if (round(a.size) === round(b.size) && BROKEN_END.test(a.text) && CONTINUATION.test(b.text)) breaks.push(i);
  }
  if (!breaks.length) return pages;

  // The vocabulary: every word but the fragments at the breaks.
  const words = new Set<string>();
  const compounds = new Set<string>();
  const isBreak = new Set(breaks);
  lines.forEach(({ line }, i) => {
    const tokens = line.text.toLowerCase().match(WORD) ?? [];
    const first = isBreak.has(i - 1) ? 1 : 0;
    const last = isBreak.has(i) ? tokens.length - 1 : tokens.length;
    for (const token of tokens.slice(first, Math.max(first, last))) {
      if (token.includes("-")) compounds.add(token);
      for (const part of token.split("-")) words.add(part);
    }
  });

  const texts = lines.map(({ line }) => line.text);
  for (const i of breaks) {
    // An earlier join may have emptied or changed this line.
    const head = texts[i].match(BROKEN_END);
    const tail = texts[i + 1].match(CONTINUATION);
    if (!head || !tail) continue;
    const [before, after] = [head[2], tail[1]];
    const soft = texts[i].endsWith("\u00ad");
    const lower = before.toLowerCase();
    const keep =
      !soft &&
      !words.has(lower + after) &&
      (compounds.has(`${lower}-${after}`) || (words.has(lower) && words.has(after)) || HYPHEN_PREFIXES.has(lower.match(/\p{L}+$/u)?.[0] ?? ""));
    texts[i] = `${texts[i].slice(0, -1)}${keep ? "-" : ""}${after}`;
    const rest = texts[i + 1].slice(after.length);
    // Punctuation that followed the word stays with it: "tions," → "applications,".
    const punctuation = rest.match(/^[^\s]*/)?.[0] ?? "";
    texts[i] += punctuation;
    texts[i + 1] = rest.slice(punctuation.length).trim();
  }
  const result = pages.map((page) => ({ ...page, lines: [] as Line[] }));
  lines.forEach(({ p, line }, i) => {
    if (texts[i]) result[p].lines.push({ ...line, text: texts[i] });
  });
  return result;
}

const round = (n: number) => Math.round(n * 2) / 2;

/** The most common value, each weighted (by characters for font sizes). */
function mode(values: [number, number][]): number | undefined {
  const weights = new Map<number, number>();
  for (const [value, weight] of values) weights.set(value, (weights.get(value) ?? 0) + weight);
  return [...weights].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function layout(document: Page[]): Pick<ExtractedDocument, "text" | "pages" | "sections"> {
  const pages = document.map((page) => page.lines);
  const all = pages.flat();
  const body = mode(all.filter((l) => !l.ocr).map((l) => [round(l.size), l.text.length])) ?? 0;
  const isHeading = (l: Line) => !l.ocr && body > 0 && l.size >= body * HEADING_RATIO && l.text.length <= 200 && /\p{L}.*\p{L}/u.test(l.text);
  const headingSizes = [...new Set(all.filter(isHeading).map((l) => round(l.size)))].sort((a, b) => b - a);
  const levelOf = (l: Line) => Math.min(headingSizes.indexOf(round(l.size)) + 1, 6);
  // The usual distance between body lines; a larger one starts a paragraph.
  const gaps = pages.flatMap((lines) =>
    lines.slice(1).flatMap((l, i): [number, number][] => {
      const gap = lines[i].y - l.y;
      return !isHeading(l) && !isHeading(lines[i]) && gap > 0 ? [[round(gap), 1]] : [];
    }),
  );
  const lineGap = mode(gaps) ?? body * 1.2;

  let text = "";
  const spans: PageSpan[] = [];
  const sections: SectionMark[] = [];
  pages.forEach((lines, index) => {
    const extras = document[index].extras;
    if (text && (lines.length || extras.length)) text += "\n\n";
    const start = text.length;
    lines.forEach((line, i) => {
      const previous = lines[i - 1];
      const heading = isHeading(line);
      // A heading set over several lines is one section.
      const continuesHeading = heading && previous && isHeading(previous) && round(previous.size) === round(line.size);
      if (previous) {
        const gap = previous.y - line.y;
        const paragraph = line.ocr
          ? line.ocr === "paragraph"
          : !continuesHeading && (heading || isHeading(previous) || previous.ocr !== undefined || gap < 0 || gap > lineGap * 1.5);
        text += paragraph ? "\n\n" : "\n";
      }
      if (continuesHeading) sections[sections.length - 1].heading += ` ${line.text}`;
      else if (heading) sections.push({ heading: line.text, level: levelOf(line), start: text.length });
      text += line.text;
    });
    if (extras.length) text += `${lines.length ? "\n\n" : ""}${extras.join("\n")}`;
    spans.push({ page: index + 1, start, end: text.length });
  });
  return { text, pages: spans, sections };
}
