// An image (PNG, JPEG, TIFF; a multi-page TIFF is a document of pages) becomes text by OCR: the
// machine's Tesseract, or a vision model when the project chose one (options.vision).
import { describeConfidence, imageSize, MAX_OCR_PIXELS, recognize } from "./ocr";
import { type ExtractedDocument, type ExtractOptions, IngestError, type PageImage, type PageSpan, type VisionOcr } from "./types";

/** Pages read below this mean confidence are named in a warning: their text needs a look. */
export const LOW_OCR_CONFIDENCE = 60;

/** A vision model gets pages at most this many pixels on their longer side (models scale larger ones down anyway). */
export const VISION_MAX_SIDE = 2000;

/** One OCR'd page as kept on the file: confidence 0–100, null with no words found, or null and `reported: false` when the engine gave none. */
export type OcrPageRecord = { page: number; confidence: number | null; reported?: false };

export async function extractImage(bytes: Buffer, options: ExtractOptions = {}): Promise<ExtractedDocument> {
  const languages = options.ocrLanguages?.trim();
  if (!languages && !options.vision) {
    throw new IngestError(
      "ocr_unavailable",
      "This is an image, and OCR is off for this project. Set the OCR languages in the project's settings (for example eng) and process it again.",
    );
  }
  options.onProgress?.(options.vision ? `Reading the image with ${options.vision.label}` : "Reading the image by OCR", 0);
  const pages = options.vision
    ? await readWithVision(bytes, options.vision, options)
    : await recognize(bytes, { languages: languages!, signal: options.signal });
  let text = "";
  const spans: PageSpan[] = [];
  pages.forEach((page, i) => {
    if (text && page.text) text += "\n\n";
    const start = text.length;
    text += page.text;
    spans.push({ page: i + 1, start, end: text.length });
  });
  const ocrPages = pages.map((page, i) => pageRecord(i + 1, page, Boolean(options.vision)));
  const warnings = ocrWarnings(ocrPages, pages.length > 1 ? "Page" : "The image", options.vision?.label);
  return {
    text,
    // A single image has no page numbers worth keeping.
    pages: pages.length > 1 ? spans : [],
    sections: [],
    metadata: { pageCount: pages.length, ocr: { ...(options.vision?.describe ?? { engine: "tesseract", languages }), pages: ocrPages } },
    warnings,
  };
}

/** The record kept for an OCR'd page; a vision model that read text without a confidence says so. */
export function pageRecord(page: number, read: { text: string; confidence: number | undefined }, vision: boolean): OcrPageRecord {
  if (read.confidence !== undefined) return { page, confidence: Math.round(read.confidence) };
  return vision && read.text.trim() ? { page, confidence: null, reported: false } : { page, confidence: null };
}

/**
 * Each page of the image as a vision model takes it: PNG and JPEG within VISION_MAX_SIDE as they
 * are, anything else (TIFF, larger images) decoded by sharp and sent as JPEG, page by page.
 */
async function readWithVision(bytes: Buffer, vision: VisionOcr, options: ExtractOptions): Promise<{ text: string; confidence: number | undefined }[]> {
  const size = imageSize(bytes);
  if (size && size.width * size.height > MAX_OCR_PIXELS) {
    throw new IngestError(
      "too_large",
      `This image is ${size.width} × ${size.height} pixels, more than OCR takes (${MAX_OCR_PIXELS / 1e6} megapixels). Scan it at 300 dpi or shrink it, then upload it again.`,
    );
  }
  const isPng = bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if ((isPng || isJpeg) && size && Math.max(size.width, size.height) <= VISION_MAX_SIDE) {
    return [await vision.read({ data: bytes, mimeType: isPng ? "image/png" : "image/jpeg" }, 1, options.signal)];
  }
  const { default: sharp } = await import("sharp");
  let count: number;
  try {
    count = (await sharp(bytes, { limitInputPixels: MAX_OCR_PIXELS }).metadata()).pages ?? 1;
  } catch (cause) {
    throw Object.assign(
      new IngestError("corrupt", "This image could not be read: it looks damaged or cut off. Save it again as PNG or JPEG and upload that."),
      { cause },
    );
  }
  const pages: { text: string; confidence: number | undefined }[] = [];
  for (let i = 0; i < count; i++) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (count > 1) options.onProgress?.(`Reading page ${i + 1} of ${count} with ${vision.label}`, i / count);
    const image: PageImage = {
      data: await sharp(bytes, { page: i, limitInputPixels: MAX_OCR_PIXELS })
        .resize({ width: VISION_MAX_SIDE, height: VISION_MAX_SIDE, fit: "inside", withoutEnlargement: true })
        .flatten({ background: "#ffffff" })
        .jpeg({ quality: 90 })
        .toBuffer(),
      mimeType: "image/jpeg",
    };
    pages.push(await vision.read(image, i + 1, options.signal));
  }
  return pages;
}

/** The warning every OCR'd source carries (which pages, how sure, by what), and one naming pages to check. */
export function ocrWarnings(pages: OcrPageRecord[], noun: "Page" | "The image", visionLabel?: string): string[] {
  if (!pages.length) return [];
  const how = visionLabel ? `read by ${visionLabel}` : "read by OCR";
  const describe = (p: OcrPageRecord) => (p.reported === false ? "confidence not reported" : describeConfidence(p.confidence ?? undefined));
  const known = pages.filter((p) => p.confidence !== null) as { page: number; confidence: number }[];
  const mean = known.length ? Math.round(known.reduce((n, p) => n + p.confidence, 0) / known.length) : undefined;
  const what = noun === "The image" ? `The image was ${how}` : `${pages.length === 1 ? `Page ${pages[0].page} was` : `${pages.length} pages were`} ${how}`;
  const overall =
    mean !== undefined
      ? `${describeConfidence(mean)}${pages.length > 1 ? " on average" : ""}`
      : pages.some((p) => p.reported === false)
        ? "confidence not reported"
        : describeConfidence(undefined);
  const warnings = [`${what} (${overall}); check the text in the chunks.`];
  const low = pages.filter((p) => (p.confidence === null && p.reported !== false) || (p.confidence !== null && p.confidence < LOW_OCR_CONFIDENCE));
  if (low.length && noun === "Page") {
    warnings.push(
      `Check ${low.length === 1 ? "page" : "pages"} ${low.map((p) => `${p.page} (${describe(p)})`).join(", ")}: the scan may be blank, too small, skewed or faint.`,
    );
  } else if (low.length) {
    warnings.push(`Check the image (${describe(low[0])}): the scan may be too small, skewed or faint.`);
  }
  return warnings;
}
