export { chunkDocument, chunkStream, type DocumentStructure, iterateChunks, validateChunkOptions } from "./chunker";
export { CHUNK_STRATEGIES, type ChunkOptions, type ChunkStrategy, type TextChunk } from "./types";
