// An image (PNG, JPEG, TIFF; a multi-page TIFF is a document of pages) becomes text by OCR.
import { describeConfidence, recognize } from "./ocr";
import { type ExtractedDocument, type ExtractOptions, IngestError, type PageSpan } from "./types";

/** Pages read below this mean confidence are named in a warning: their text needs a look. */
export const LOW_OCR_CONFIDENCE = 60;

export async function extractImage(bytes: Buffer, options: ExtractOptions = {}): Promise<ExtractedDocument> {
  const languages = options.ocrLanguages?.trim();
  if (!languages) {
    throw new IngestError(
      "ocr_unavailable",
      "This is an image, and OCR is off for this project. Set the OCR languages in the project's settings (for example eng) and process it again.",
    );
  }
  options.onProgress?.("Reading the image by OCR", 0);
  const pages = await recognize(bytes, { languages, signal: options.signal });
  let text = "";
  const spans: PageSpan[] = [];
  pages.forEach((page, i) => {
    if (text && page.text) text += "\n\n";
    const start = text.length;
    text += page.text;
    spans.push({ page: i + 1, start, end: text.length });
  });
  const ocrPages = pages.map((page, i) => ({ page: i + 1, confidence: page.confidence === undefined ? null : Math.round(page.confidence) }));
  const warnings = ocrWarnings(ocrPages, pages.length > 1 ? "Page" : "The image");
  return {
    text,
    // A single image has no page numbers worth keeping.
    pages: pages.length > 1 ? spans : [],
    sections: [],
    metadata: { pageCount: pages.length, ocr: { engine: "tesseract", languages, pages: ocrPages } },
    warnings,
  };
}

/** The warning every OCR'd source carries (which pages, how sure), and one naming low-confidence pages. */
export function ocrWarnings(pages: { page: number; confidence: number | null }[], noun: "Page" | "The image"): string[] {
  if (!pages.length) return [];
  const known = pages.filter((p) => p.confidence !== null) as { page: number; confidence: number }[];
  const mean = known.length ? Math.round(known.reduce((n, p) => n + p.confidence, 0) / known.length) : undefined;
  const what =
    noun === "The image" ? "The image was read by OCR" : `${pages.length === 1 ? `Page ${pages[0].page} was` : `${pages.length} pages were`} read by OCR`;
  const warnings = [`${what} (${describeConfidence(mean)}${pages.length > 1 && mean !== undefined ? " on average" : ""}); check the text in the chunks.`];
  const low = pages.filter((p) => p.confidence === null || p.confidence < LOW_OCR_CONFIDENCE);
  const describe = (p: { confidence: number | null }) => (p.confidence === null ? "no words found" : `confidence ${p.confidence} %`);
  if (low.length && noun === "Page") {
    warnings.push(
      `Check ${low.length === 1 ? "page" : "pages"} ${low.map((p) => `${p.page} (${describe(p)})`).join(", ")}: the scan may be blank, too small, skewed or faint.`,
    );
  } else if (low.length) {
    warnings.push(`Check the image (${describe(low[0])}): the scan may be too small, skewed or faint.`);
  }
  return warnings;
}
