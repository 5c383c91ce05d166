// What extraction produces and how it fails. One extractor per format (lib/ingest/<format>.ts);
// each turns bytes into plain text plus the structure the chunker keeps: page numbers and
// section headings, both as character offsets into `text`.

/** markdown_zip: a ZIP of Markdown files (a book's or docs site's sources), read as one document. */
export type DocumentFormat = "pdf" | "docx" | "html" | "markdown" | "markdown_zip" | "text" | "image";
export type DatasetFormat = "jsonl" | "json" | "csv" | "parquet";
export type DetectedFormat = DocumentFormat | DatasetFormat;

export type Detection = { ok: true; format: DetectedFormat; mimeType: string; kind: "raw_doc" | "dataset_upload" } | { ok: false; message: string };

export type PageSpan = { page: number; start: number; end: number };
export type SectionMark = {
  /** Heading text, e.g. "2.1 Installation". */
  heading: string;
  /** 1 for a top-level heading, 2 for a sub-heading … */
  level: number;
  /** Offset in `text` where the heading's line starts. */
  start: number;
};

export type ExtractedDocument = {
  /** Normalised text: \n line breaks, paragraphs separated by a blank line. */
  text: string;
  /** Page spans (PDF only), in order, covering the text. */
  pages: PageSpan[];
  /** Section headings in order of appearance. */
  sections: SectionMark[];
  /** Format-specific facts kept on the File row (page count, encoding, title …). */
  metadata: Record<string, unknown>;
  /**
   * What the user should know about an extraction that succeeded, in words, e.g. pages left out
   * as unreadable. Kept on the File row's metadata as `warnings`.
   */
  warnings?: string[];
};

/** A page image for a vision model: PNG or JPEG. */
export type PageImage = { data: Buffer; mimeType: "image/png" | "image/jpeg" };

/**
 * OCR by a vision model on an LLM provider (lib/sources/vision-ocr builds one), used instead of
 * Tesseract when the project chose it: one page image in, its text out.
 */
export type VisionOcr = {
  /** Kept on the file as `metadata.ocr` beside the pages (engine, provider, model). */
  describe: Record<string, unknown> & { engine: "vision" };
  /** "llava on Local Ollama", for progress and warnings ("Page 2 was read by llava on Local Ollama"). */
  label: string;
  /** The text of one page (its number in the document; 1 for a lone image), with a confidence when the server gives one. */
  read(image: PageImage, page: number, signal?: AbortSignal): Promise<{ text: string; confidence: number | undefined }>;
};

/** What an extraction may need beyond the file: OCR's languages (unset: no OCR), progress, cancelling. */
export type ExtractOptions = {
  /** Tesseract language codes joined by "+"; empty or unset turns OCR off (unless `vision` is set). */
  ocrLanguages?: string;
  /** OCR by a vision model instead of Tesseract. */
  vision?: VisionOcr;
  /** The password of an encrypted PDF, as the user gave it. */
  password?: string;
  /** Word documents: add the comments (labelled, at the end) instead of leaving them out with a warning. */
  docxComments?: boolean;
  signal?: AbortSignal;
  /** Called as slow steps (OCR, page by page) go: what is happening and how much of it is done (0–1). */
  onProgress?: (message: string, fraction: number) => void;
};

export type IngestErrorCode =
  | "empty"
  | "encrypted"
  | "no_text_layer"
  | "ocr_unavailable"
  | "unreadable_text"
  | "corrupt"
  | "unsupported_type"
  | "too_large"
  | "zip_bomb"
  | "binary"
  | "url_refused"
  | "url_failed";

/** A failure the user can act on; `message` says what happened and what to do. */
export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "IngestError";
  }
}
