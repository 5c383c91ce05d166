export { chunkDocument, chunkStream, validateChunkOptions, type DocumentStructure } from "./chunker";
export type { ChunkOptions, TextChunk } from "./types";
