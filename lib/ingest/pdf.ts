// PDF → text with pdf.js (unpdf's serverless build: no worker thread, no DOM, polyfills for
// Node 20 such as Promise.withResolvers). Lines come from pdf.js's own end-of-line marks;
// headings are lines set clearly larger than the body text.
import { type ExtractedDocument, IngestError, type PageSpan, type SectionMark } from "./types";

type Line = { text: string; size: number; y: number };
type TextItem = { str: string; transform: number[]; hasEOL: boolean };

/**
 * Every URL pdf.js could fetch from is left unset (fonts, CMaps, ICC profiles, wasm decoders),
 * so it never reaches for the network or the disk. Text extraction needs none of them except
 * Adobe's predefined CJK CMaps, which unpdf does not ship: PDFs relying on those lose text.
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
};

/** A heading's font is at least this much larger than the body's. */
const HEADING_RATIO = 1.2;

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  // Imported here: unpdf's bundle installs browser globals (navigator …) that only this code needs.
  const { getResolvedPDFJS } = await import("unpdf");
  const { getDocument } = await getResolvedPDFJS();
  // pdf.js takes ownership of the array it is given, so it gets a copy.
  const task = getDocument({ data: new Uint8Array(bytes), ...PDFJS_OPTIONS });
  try {
    const pdf = await task.promise.catch((error: unknown) => {
      if (error instanceof Error && error.name === "PasswordException") {
        throw new IngestError("encrypted", "This PDF is password-protected. Remove the password and upload it again.");
      }
      throw error;
    });
    const pages: Line[][] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      pages.push(pageLines(content.items.flatMap((item) => ("str" in item ? [item as TextItem] : []))));
    }
    const document = layout(pages);
    if (!document.text.trim()) {
      throw new IngestError("no_text_layer", "This PDF has no text layer (it looks scanned). Run OCR on it first, then upload the result.");
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
    const blank = pages.filter((lines) => lines.length === 0).length;
    if (blank) metadata.pagesWithoutText = blank;
    return { ...document, metadata };
  } finally {
    await task.destroy();
  }
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

const round = (n: number) => Math.round(n * 2) / 2;

/** The most common value, each weighted (by characters for font sizes). */
function mode(values: [number, number][]): number | undefined {
  const weights = new Map<number, number>();
  for (const [value, weight] of values) weights.set(value, (weights.get(value) ?? 0) + weight);
  return [...weights].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function layout(pages: Line[][]): Pick<ExtractedDocument, "text" | "pages" | "sections"> {
  const all = pages.flat();
  const body = mode(all.map((l) => [round(l.size), l.text.length])) ?? 0;
  const isHeading = (l: Line) => body > 0 && l.size >= body * HEADING_RATIO && l.text.length <= 200 && /\p{L}.*\p{L}/u.test(l.text);
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
    if (text && lines.length) text += "\n\n";
    const start = text.length;
    lines.forEach((line, i) => {
      const previous = lines[i - 1];
      const heading = isHeading(line);
      // A heading set over several lines is one section.
      const continuesHeading = heading && previous && isHeading(previous) && round(previous.size) === round(line.size);
      if (previous) {
        const gap = previous.y - line.y;
        const paragraph = !continuesHeading && (heading || isHeading(previous) || gap < 0 || gap > lineGap * 1.5);
        text += paragraph ? "\n\n" : "\n";
      }
      if (continuesHeading) sections[sections.length - 1].heading += ` ${line.text}`;
      else if (heading) sections.push({ heading: line.text, level: levelOf(line), start: text.length });
      text += line.text;
    });
    spans.push({ page: index + 1, start, end: text.length });
  });
  return { text, pages: spans, sections };
}
