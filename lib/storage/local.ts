// Objects as files under one root folder (STORAGE_DIR); the key is the relative path.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { HashStream, toReadable } from "./hash-stream";
import { assertSafeKey } from "./keys";
import { assertRange } from "./range";
import { type StorageDriver, StorageNotFoundError } from "./types";

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export function createLocalDriver(root: string): StorageDriver {
  const base = path.resolve(root);

  function pathFor(key: string, options?: { allowTrailingSlash: boolean }): string {
    assertSafeKey(key, options);
    const full = path.resolve(base, key);
    // assertSafeKey already forbids `..`; this guards against anything it might miss.
    if (!full.startsWith(base + path.sep)) throw new Error(`Invalid storage key ${JSON.stringify(key)}: it leaves the storage folder.`);
    return full;
  }

  return {
    name: "local",

    async put(key, body, options = {}) {
      const target = pathFor(key);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // Same folder as the target, so the rename is atomic: readers see the old file or the whole new one.
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${crypto.randomUUID()}.tmp`);
      const hasher = new HashStream(options.maxBytes);
      try {
        await pipeline(toReadable(body), hasher, fs.createWriteStream(temp, { flags: "wx" }));
        await fsp.rename(temp, target);
      } catch (error) {
        await fsp.rm(temp, { force: true });
        throw error;
      }
      return hasher.result();
    },

    async get(key, range) {
      const file = pathFor(key);
      assertRange(range);
      const handle = await fsp.open(file, "r").catch((error: unknown) => {
        throw isMissing(error) ? new StorageNotFoundError(key) : error;
      });
      // A key that is a folder (a prefix of other keys) is not an object.
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new StorageNotFoundError(key);
      }
      return handle.createReadStream({ start: range?.start, end: range?.end });
    },

    async stat(key) {
      try {
        const info = await fsp.stat(pathFor(key));
        return info.isFile() ? { size: info.size, modified: info.mtime } : null;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      await fsp.unlink(pathFor(key)).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    },

    async deletePrefix(prefix) {
      const target = pathFor(prefix, { allowTrailingSlash: true });
      if (prefix.endsWith("/")) {
        await fsp.rm(target, { recursive: true, force: true });
        return;
      }
      // A prefix may end mid-name ("…/files/ab"), as on S3: remove every entry that starts with it.
      const folder = path.dirname(target);
      const names = await fsp.readdir(folder).catch((error: unknown) => {
        if (isMissing(error)) return [];
        throw error;
      });
      const start = path.basename(target);
      await Promise.all(names.filter((name) => name.startsWith(start)).map((name) => fsp.rm(path.join(folder, name), { recursive: true, force: true })));
    },

    async *list(prefix) {
      const top = pathFor(prefix, { allowTrailingSlash: true });
      const walk = async function* (dir: string): AsyncGenerator<{ key: string; size: number }> {
        const entries = await fsp.readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
          if (isMissing(error)) return [];
          throw error;
        });
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) yield* walk(full);
          // Half-written uploads (".name.uuid.tmp") are not objects yet.
          else if (entry.isFile() && !(entry.name.startsWith(".") && entry.name.endsWith(".tmp"))) {
            yield { key: path.relative(base, full).split(path.sep).join("/"), size: (await fsp.stat(full)).size };
          }
        }
      };
      yield* walk(top);
    },
  };
}
