export { chunkDocument, chunkStream, type DocumentStructure, validateChunkOptions } from "./chunker";
export type { ChunkOptions, TextChunk } from "./types";
