// Token chunks of an extracted document (lib/ingest/types.ts), with the pages and section each
// chunk came from.

/**
 * Where chunks may end. "tokens": as full as the size allows, at the best natural boundary near
 * it. "sections": never across a heading (each section starts a chunk, with no overlap from the
 * one before; long sections are split as "tokens"). "paragraphs": at a paragraph break whenever
 * one fits, however short that leaves the chunk; inside a paragraph only when it alone is too long.
 */
export type ChunkStrategy = "tokens" | "sections" | "paragraphs";

export const CHUNK_STRATEGIES: readonly ChunkStrategy[] = ["tokens", "sections", "paragraphs"];

export type ChunkOptions = {
  /** Largest chunk, in tiktoken tokens (cl100k_base). */
  chunkSizeTokens: number;
  /** Tokens repeated at the start of a chunk from the end of the previous one. */
  chunkOverlapTokens: number;
  /** Defaults to "tokens". */
  strategy?: ChunkStrategy;
};

export type TextChunk = {
  index: number;
  content: string;
  tokenCount: number;
  charCount: number;
  /** Offsets of `content` in the document text. */
  start: number;
  end: number;
  metadata: {
    page_start?: number;
    page_end?: number;
    /** The heading in force where the chunk starts (the innermost one). */
    section?: string;
  };
};
