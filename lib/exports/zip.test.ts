import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { getStorage, StorageNotFoundError } from "@/lib/storage";
import { type BundleEntry, listZip, readZipEntry, type WriteBundleOptions, writeBundleZip } from "./zip";

const MB = 1024 * 1024;
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-bundle-zip-"));

afterAll(async () => {
  await fsp.rm(tempDir, { recursive: true, force: true });
});

async function zipToBuffer(entries: BundleEntry[], options?: WriteBundleOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await writeBundleZip(entries, sink, options);
  return Buffer.concat(chunks);
}

/** `megabytes` MiB of random bytes, made on demand and hashed into `hash` as they go. */
function randomStream(megabytes: number, hash: crypto.Hash): Readable {
  let made = 0;
  return new Readable({
    read() {
      if (made === megabytes) return void this.push(null);
      made += 1;
      const chunk = crypto.randomBytes(MB);
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** Stores `megabytes` MiB of random bytes at `key` through the driver (streamed); returns their sha256. */
async function storeRandom(key: string, megabytes: number): Promise<string> {
  const hash = crypto.createHash("sha256");
  await getStorage().put(key, randomStream(megabytes, hash));
  return hash.digest("hex");
}

describe("writeBundleZip", () => {
  it("writes text, stream and storage entries in the order given", async () => {
    await getStorage().put("tests/bundle-zip/adapter_config.json", Buffer.from('{"r": 16}'));
    const zip = await zipToBuffer([
      { path: "README.md", source: { text: "# Model\n\nÜnïcode ✓\n" } },
      { path: "adapter/adapter_config.json", source: { storageKey: "tests/bundle-zip/adapter_config.json" } },
      { path: "loss.svg", source: { stream: async () => Readable.from(["<svg>", "</svg>"]) }, compress: false },
      { path: "Modelfile", source: { text: "FROM llama3.1:8b\n" } },
    ]);
    expect((await listZip(zip)).map((e) => [e.path, e.size])).toEqual([
      ["README.md", Buffer.byteLength("# Model\n\nÜnïcode ✓\n")],
      ["adapter/adapter_config.json", 9],
      ["loss.svg", 11],
      ["Modelfile", 17],
    ]);
    expect((await readZipEntry(zip, "README.md")).toString()).toBe("# Model\n\nÜnïcode ✓\n");
    expect((await readZipEntry(zip, "adapter/adapter_config.json")).toString()).toBe('{"r": 16}');
    expect((await readZipEntry(zip, "loss.svg")).toString()).toBe("<svg></svg>");
  });

  it("gives the same bytes for the same entries and mtime", async () => {
    const entries: BundleEntry[] = [{ path: "a.txt", source: { text: "same" } }];
    const mtime = new Date("2025-01-01T00:00:00Z");
    expect((await zipToBuffer(entries, { mtime })).equals(await zipToBuffer(entries, { mtime }))).toBe(true);
  });

  it("refuses unsafe or repeated paths before writing anything", async () => {
    const out = new PassThrough();
    for (const bad of ["/etc/passwd", "../up.txt", "a/../b", "a\\b", "dir/", ""]) {
      await expect(writeBundleZip([{ path: bad, source: { text: "x" } }], out), bad).rejects.toThrow(RangeError);
    }
    await expect(
      writeBundleZip(
        [
          { path: "a", source: { text: "1" } },
          { path: "a", source: { text: "2" } },
        ],
        out,
      ),
    ).rejects.toThrow(/two entries/);
    expect(out.readableLength).toBe(0);
  });

  it("fails on a missing storage object", async () => {
    const file = path.join(tempDir, "missing.zip");
    const entries: BundleEntry[] = [
      { path: "README.md", source: { text: "hi" } },
      { path: "adapter/adapter_model.safetensors", source: { storageKey: "tests/bundle-zip/nothing-here" } },
    ];
    await expect(writeBundleZip(entries, fs.createWriteStream(file))).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it("fails when a source stream breaks, and closes it", async () => {
    let source: Readable | undefined;
    const entries: BundleEntry[] = [
      {
        path: "big.bin",
        source: {
          stream: async () => {
            let sent = 0;
            source = new Readable({
              read() {
                if (sent++ < 3) this.push(Buffer.alloc(64 * 1024, 1));
                else this.destroy(new Error("connection reset"));
              },
            });
            return source;
          },
        },
      },
      { path: "after.txt", source: { text: "never" } },
    ];
    await expect(zipToBuffer(entries)).rejects.toThrow(/connection reset/);
    expect(source?.destroyed).toBe(true);
  });

  it("memory bound: streams a 200 MB storage object into the ZIP with RSS growth under 60 MB", async () => {
    const key = "tests/bundle-zip/adapter_model.safetensors";
    const warmUpKey = "tests/bundle-zip/warm-up.safetensors";
    const expected = await storeRandom(key, 200);
    await storeRandom(warmUpKey, 20);
    const bundle = (storageKey: string): BundleEntry[] => [
      { path: "README.md", source: { text: "# Handbook QA\n" } },
      { path: "adapter/adapter_model.safetensors", source: { storageKey } },
      { path: "Modelfile", source: { text: "FROM llama3.1:8b\nADAPTER ./adapter\n" } },
    ];
    const file = path.join(tempDir, "bundle.zip");

    /** Peak RSS growth while the bundle streams to a file, in MB. */
    const measure = async (storageKey: string) => {
      (globalThis as { gc?: () => void }).gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      try {
        await writeBundleZip(bundle(storageKey), fs.createWriteStream(file));
      } finally {
        clearInterval(timer);
      }
      return (Math.max(peak, process.memoryUsage().rss) - baseline) / MB;
    };
    // The first large stream also sizes the heap and the deflate and file buffers: a one-time
    // cost the same for any size, paid by a small bundle first (see write-memory.test.ts).
    const warmUp = await measure(warmUpKey);
    const growth = await measure(key);
    console.info(`bundle ZIP with a 200 MB entry: RSS +${growth.toFixed(1)} MB (warm-up with 20 MB: +${warmUp.toFixed(1)} MB)`);
    expect(growth).toBeLessThan(60);

    const listing = await listZip(file, { hash: true });
    expect(listing.map((e) => e.path)).toEqual(["README.md", "adapter/adapter_model.safetensors", "Modelfile"]);
    expect(listing[1].size).toBe(200 * MB);
    expect(listing[1].sha256).toBe(expected);
    await getStorage().delete(key);
    await getStorage().delete(warmUpKey);
  }, 180_000);
});
