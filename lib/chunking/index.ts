export { chunkDocument, chunkStream, type DocumentStructure, iterateChunks, validateChunkOptions } from "./chunker";
export type { ChunkOptions, TextChunk } from "./types";
