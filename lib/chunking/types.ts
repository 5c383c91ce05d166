// Token chunks of an extracted document (lib/ingest/types.ts), with the pages and section each
// chunk came from.

export type ChunkOptions = {
  /** Largest chunk, in tiktoken tokens (cl100k_base). */
  chunkSizeTokens: number;
  /** Tokens repeated at the start of a chunk from the end of the previous one. */
  chunkOverlapTokens: number;
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
