// Where file bytes live, chosen by STORAGE_DRIVER: `local` (a folder, the default) or `s3`.
import fs from "node:fs";
import fsp from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ConfigError, env, storageDir } from "@/lib/env";
import { createLocalDriver } from "./local";
import { createS3Driver } from "./s3";
import { type StorageDriver, StorageLimitError } from "./types";

export * from "./types";

/** A new driver from the current settings; most code wants the shared `getStorage()`. */
export function createStorage(): StorageDriver {
  const settings = env();
  if (settings.STORAGE_DRIVER === "local") return createLocalDriver(storageDir());
  if (!settings.S3_BUCKET) {
    throw new ConfigError("S3_BUCKET is not set. With STORAGE_DRIVER=s3, set S3_BUCKET to the bucket that holds the files.");
  }
  if (!settings.S3_ACCESS_KEY_ID !== !settings.S3_SECRET_ACCESS_KEY) {
    throw new ConfigError("Only one of S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY is set. Set both, or neither to use the AWS default credential chain.");
  }
  return createS3Driver({
    bucket: settings.S3_BUCKET,
    region: settings.S3_REGION,
    endpoint: settings.S3_ENDPOINT,
    publicEndpoint: settings.S3_PUBLIC_ENDPOINT,
    accessKeyId: settings.S3_ACCESS_KEY_ID,
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
  });
}

let shared: StorageDriver | undefined;

/** Forgets the shared driver, for tests that switch STORAGE_DRIVER. */
export function resetStorage(): void {
  shared = undefined;
}

/** The process's driver; the S3 client inside keeps its connections between calls. */
export function getStorage(): StorageDriver {
  shared ??= createStorage();
  return shared;
}

/** For small objects only (settings, manifests): stops with StorageLimitError past `maxBytes`. */
export async function readToBuffer(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    // Leaving the loop early destroys the stream, which frees an S3 connection.
    if (size > maxBytes) throw new StorageLimitError(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Copies a stream into a file (for libraries that need a path); a failed copy leaves no partial file. */
export async function streamToFile(stream: Readable, file: string): Promise<void> {
  try {
    await pipeline(stream, fs.createWriteStream(file));
  } catch (error) {
    await fsp.rm(file, { force: true });
    throw error;
  }
}
