// Writes a bundle ZIP (adapter, README, Modelfile, loss curve …) into any writable stream.
// Entries go in the order given; stored objects are streamed from storage only when the ZIP
// reaches them, with backpressure all the way to `out`, so a multi-gigabyte adapter never sits
// in memory.
import crypto from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { ZipFile } from "yazl";
import { getStorage, readToBuffer } from "@/lib/storage";

export type BundleSource = { text: string } | { stream: () => Promise<Readable> } | { storageKey: string };

export type BundleEntry = {
  /** Path inside the ZIP: relative, "/"-separated, without "." or ".." segments. */
  path: string;
  source: BundleSource;
  /** Deflate the entry (default true); already-compressed files gain little from it. */
  compress?: boolean;
};

export type WriteBundleOptions = {
  /** Modification time of every entry; defaults to now. A fixed one makes the bytes reproducible. */
  mtime?: Date;
};

function assertEntryPaths(entries: readonly BundleEntry[]): void {
  const seen = new Set<string>();
  for (const { path } of entries) {
    const segments = path.split("/");
    if (path.includes("\\") || segments.some((s) => s === "" || s === "." || s === "..")) {
      throw new RangeError(`Invalid bundle path ${JSON.stringify(path)}: use a relative path with "/" and no "." or ".." segments.`);
    }
    if (seen.has(path)) throw new RangeError(`The bundle has two entries at ${JSON.stringify(path)}.`);
    seen.add(path);
  }
}

/** Resolves once `out` has received the whole ZIP; rejects (and closes every source) on the first failure. */
export async function writeBundleZip(entries: readonly BundleEntry[], out: Writable, options: WriteBundleOptions = {}): Promise<void> {
  assertEntryPaths(entries);
  const zip = new ZipFile();
  // yazl's outputStream is a PassThrough; its typings only promise NodeJS.ReadableStream.
  const output = zip.outputStream as Readable;
  // yazl reports a failed entry on the ZipFile; failing its output is what makes the pipeline stop.
  zip.on("error", (error: Error) => output.destroy(error));
  const open = new Set<Readable>();

  for (const entry of entries) {
    const fileOptions = { mtime: options.mtime, compress: entry.compress ?? true };
    const { source } = entry;
    if ("text" in source) {
      zip.addBuffer(Buffer.from(source.text, "utf8"), entry.path, fileOptions);
      continue;
    }
    const openSource = "stream" in source ? source.stream : () => getStorage().get(source.storageKey);
    // Lazy: yazl asks for the stream when it reaches the entry, so one source is open at a time.
    zip.addReadStreamLazy(entry.path, fileOptions, (callback) => {
      openSource().then(
        (stream) => {
          open.add(stream);
          // yazl pipes the stream without listening for its errors.
          stream.on("error", (error) => output.destroy(error));
          stream.once("close", () => open.delete(stream));
          callback(null, stream);
        },
        (error: unknown) => callback(error, undefined as unknown as Readable),
      );
    });
  }
  zip.end();

  try {
    await pipeline(output, out);
  } finally {
    // After a failure the source being read would otherwise wait on the ZIP forever.
    for (const stream of open) stream.destroy();
  }
}

export type ZipListing = { path: string; size: number; compressedSize: number; sha256?: string };

async function openZip(source: Buffer | string): Promise<yauzl.ZipFile> {
  return Buffer.isBuffer(source) ? yauzl.fromBufferPromise(source, { lazyEntries: true }) : yauzl.openPromise(source, { lazyEntries: true });
}

/** The entries of a ZIP (a buffer or a file path), in order; with `hash`, each entry's sha256, streamed. */
export async function listZip(source: Buffer | string, options: { hash?: boolean } = {}): Promise<ZipListing[]> {
  const zip = await openZip(source);
  try {
    const listing: ZipListing[] = [];
    for await (const entry of zip.eachEntry()) {
      const item: ZipListing = { path: entry.fileName, size: entry.uncompressedSize, compressedSize: entry.compressedSize };
      if (options.hash) {
        const hash = crypto.createHash("sha256");
        for await (const chunk of await zip.openReadStreamPromise(entry)) hash.update(chunk as Buffer);
        item.sha256 = hash.digest("hex");
      }
      listing.push(item);
    }
    return listing;
  } finally {
    zip.close();
  }
}

/** One entry's bytes, for small entries (README, Modelfile); StorageLimitError past `maxBytes`. */
export async function readZipEntry(source: Buffer | string, path: string, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
  const zip = await openZip(source);
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === path) return await readToBuffer(await zip.openReadStreamPromise(entry), maxBytes);
    }
    throw new Error(`No entry ${JSON.stringify(path)} in the ZIP.`);
  } finally {
    zip.close();
  }
}
