// One behaviour suite, run against the local folder driver and against the S3 driver talking to a
// real S3 API (s3rver on 127.0.0.1).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, resetEnvCache, storageDir } from "@/lib/env";
import { createStorage, getStorage, readToBuffer, type StorageDriver, StorageLimitError, StorageNotFoundError } from "@/lib/storage";
import { exportKey, fileKey, projectPrefix, runArtifactKey } from "@/lib/storage/keys";
import { type S3TestServer, startS3Server } from "@/tests/support/s3-server";

const MiB = 1024 * 1024;

function sha256(data: Buffer | string): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Chunk `i` of a deterministic test object; the same index always gives the same bytes. */
function chunkAt(i: number): Buffer {
  const chunk = Buffer.alloc(MiB, i % 256);
  chunk.writeUInt32BE(i, 0);
  return chunk;
}

/** `count` MiB, generated on demand so the test never holds the object in memory. */
function generated(count: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      this.push(i < count ? chunkAt(i++) : null);
    },
  });
}

function generatedSha256(count: number): string {
  const hash = crypto.createHash("sha256");
  for (let i = 0; i < count; i++) hash.update(chunkAt(i));
  return hash.digest("hex");
}

async function readAll(driver: StorageDriver, key: string, range?: { start: number; end?: number }): Promise<string> {
  return (await readToBuffer(await driver.get(key, range), 64 * MiB)).toString();
}

/** Samples RSS while `work` runs; returns the largest growth over the starting value. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - start;
}

type SuiteOptions = {
  /** Largest RSS growth allowed while putting the 200 MB object. */
  putRssBudget: number;
};

function describeDriver(name: string, makeDriver: () => StorageDriver | Promise<StorageDriver>, { putRssBudget }: SuiteOptions) {
  describe(`${name} driver`, () => {
    let storage: StorageDriver;
    const workspaceId = crypto.randomUUID();
    const projectId = crypto.randomUUID();
    const newKey = () => fileKey(workspaceId, projectId, crypto.randomUUID());

    beforeAll(async () => {
      storage = await makeDriver();
      expect(storage.name).toBe(name);
    });

    it("stores a buffer and reads it back with its size, sha256 and stat", async () => {
      const key = newKey();
      const body = Buffer.from("hello, storage");
      const before = Date.now();
      expect(await storage.put(key, body, { contentType: "text/plain" })).toEqual({ size: body.length, sha256: sha256(body) });
      expect(await readAll(storage, key)).toBe("hello, storage");
      const stat = await storage.stat(key);
      expect(stat?.size).toBe(body.length);
      // Second-resolution clocks (S3 Last-Modified) round down.
      expect(stat!.modified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    });

    it("stores a stream body", async () => {
      const key = newKey();
      const parts = ["one,", "two,", "three"];
      expect(await storage.put(key, Readable.from(parts.map((p) => Buffer.from(p))))).toEqual({
        size: 13,
        sha256: sha256(parts.join("")),
      });
      expect(await readAll(storage, key)).toBe("one,two,three");
    });

    it("stores an empty object", async () => {
      const key = newKey();
      expect(await storage.put(key, Buffer.alloc(0))).toEqual({ size: 0, sha256: sha256("") });
      expect(await storage.stat(key)).toMatchObject({ size: 0 });
      expect(await readAll(storage, key)).toBe("");
    });

    it("reads byte ranges with an inclusive end", async () => {
      const key = newKey();
      await storage.put(key, Buffer.from("0123456789abcdef"));
      expect(await readAll(storage, key, { start: 2, end: 5 })).toBe("2345");
      expect(await readAll(storage, key, { start: 10 })).toBe("abcdef");
      expect(await readAll(storage, key, { start: 14, end: 100 })).toBe("ef");
      expect(await readAll(storage, key, { start: 15, end: 15 })).toBe("f");
      expect(await readAll(storage, key, { start: 16 })).toBe("");
      await expect(storage.get(key, { start: 5, end: 2 })).rejects.toThrow(RangeError);
      await expect(storage.get(key, { start: -1 })).rejects.toThrow(RangeError);
    });

    it("replaces an object on overwrite", async () => {
      const key = newKey();
      await storage.put(key, Buffer.from("the first, longer version"));
      expect(await storage.put(key, Buffer.from("second"))).toEqual({ size: 6, sha256: sha256("second") });
      expect(await readAll(storage, key)).toBe("second");
      expect(await storage.stat(key)).toMatchObject({ size: 6 });
    });

    it("reports missing keys as null / StorageNotFoundError and deletes them quietly", async () => {
      const key = newKey();
      expect(await storage.stat(key)).toBeNull();
      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it("treats a prefix of other keys as no object", async () => {
      const key = newKey();
      await storage.put(`${key}/inner`, Buffer.from("x"));
      expect(await storage.stat(key)).toBeNull();
      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it("deletes an object", async () => {
      const key = newKey();
      await storage.put(key, Buffer.from("bye"));
      await storage.delete(key);
      expect(await storage.stat(key)).toBeNull();
      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it("deletes every key under a prefix and nothing else", async () => {
      const other = projectPrefix(workspaceId, crypto.randomUUID());
      const ownProject = crypto.randomUUID();
      const prefix = projectPrefix(workspaceId, ownProject);
      const inside = [
        fileKey(workspaceId, ownProject, crypto.randomUUID()),
        runArtifactKey(workspaceId, ownProject, crypto.randomUUID(), "adapter/model.safetensors"),
        exportKey(workspaceId, ownProject, crypto.randomUUID(), "dataset.jsonl"),
      ];
      const outside = `${other}files/${crypto.randomUUID()}`;
      for (const key of [...inside, outside]) await storage.put(key, Buffer.from(key));

      await storage.deletePrefix(prefix);
      for (const key of inside) expect(await storage.stat(key)).toBeNull();
      expect(await readAll(storage, outside)).toBe(outside);
      await expect(storage.deletePrefix(prefix)).resolves.toBeUndefined();
    });

    it("deletes by a prefix that ends inside a name, as S3 does", async () => {
      const base = `${projectPrefix(workspaceId, crypto.randomUUID())}files/`;
      for (const name of ["abc1", "abc2/nested", "abd"]) await storage.put(base + name, Buffer.from(name));
      await storage.deletePrefix(`${base}abc`);
      expect(await storage.stat(`${base}abc1`)).toBeNull();
      expect(await storage.stat(`${base}abc2/nested`)).toBeNull();
      expect(await readAll(storage, `${base}abd`)).toBe("abd");
    });

    it("pages through more than one listing when deleting a prefix", async () => {
      const base = `${projectPrefix(workspaceId, crypto.randomUUID())}many/`;
      const keys = Array.from({ length: 1005 }, (_, i) => `${base}${String(i).padStart(4, "0")}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((key) => storage.put(key, Buffer.from("x"))));
      }
      await storage.deletePrefix(base);
      expect(await storage.stat(keys[0])).toBeNull();
      expect(await storage.stat(keys[1004])).toBeNull();
    });

    it("rejects keys that could escape their place", async () => {
      const bad = ["../outside", "/etc/passwd", "ws/../../outside", "a//b", "a/./b", "", "a\\b", "a/b/", "x/%2e%2e/y"];
      for (const key of bad) {
        await expect(storage.put(key, Buffer.from("x")), key).rejects.toThrow(/Invalid storage key/);
        await expect(storage.get(key), key).rejects.toThrow(/Invalid storage key/);
        await expect(storage.stat(key), key).rejects.toThrow(/Invalid storage key/);
        await expect(storage.delete(key), key).rejects.toThrow(/Invalid storage key/);
      }
      for (const prefix of ["", "/", "../", "ws/../"]) {
        await expect(storage.deletePrefix(prefix), prefix).rejects.toThrow(/Invalid storage key/);
      }
    });

    it("accepts exactly maxBytes", async () => {
      const key = newKey();
      expect(await storage.put(key, Buffer.alloc(1000, 1), { maxBytes: 1000 })).toMatchObject({ size: 1000 });
    });

    it("stops past maxBytes with StorageLimitError and leaves nothing behind", async () => {
      const small = newKey();
      await expect(storage.put(small, generated(3), { maxBytes: MiB })).rejects.toBeInstanceOf(StorageLimitError);
      expect(await storage.stat(small)).toBeNull();
      // Past the first 8 MiB part, so on S3 a multipart upload was started and must be aborted.
      const large = newKey();
      await expect(storage.put(large, generated(30), { maxBytes: 20 * MiB })).rejects.toBeInstanceOf(StorageLimitError);
      expect(await storage.stat(large)).toBeNull();
    });

    it("keeps the previous object when an overwrite fails", async () => {
      const key = newKey();
      await storage.put(key, Buffer.from("keep me"));
      await expect(storage.put(key, generated(2), { maxBytes: MiB })).rejects.toBeInstanceOf(StorageLimitError);
      expect(await readAll(storage, key)).toBe("keep me");
    });

    it("passes on the body's own error and stores nothing", async () => {
      const key = newKey();
      const failure = new Error("client went away");
      async function* body() {
        yield chunkAt(0);
        yield chunkAt(1);
        throw failure;
      }
      await expect(storage.put(key, Readable.from(body()))).rejects.toBe(failure);
      expect(await storage.stat(key)).toBeNull();
    });

    it("streams 200 MB in and out with bounded memory", { timeout: 90_000 }, async () => {
      const key = newKey();
      const count = 200;
      const expected = generatedSha256(count);

      const putGrowth = await peakRssGrowth(async () => {
        expect(await storage.put(key, generated(count))).toEqual({ size: count * MiB, sha256: expected });
      });
      expect(await storage.stat(key)).toMatchObject({ size: count * MiB });

      let read = { size: 0, sha256: "" };
      const getGrowth = await peakRssGrowth(async () => {
        const hash = crypto.createHash("sha256");
        let size = 0;
        for await (const chunk of await storage.get(key)) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        read = { size, sha256: hash.digest("hex") };
      });
      expect(read).toEqual({ size: count * MiB, sha256: expected });

      console.info(`[${name}] 200 MB: RSS growth put ${(putGrowth / MiB).toFixed(1)} MiB, get ${(getGrowth / MiB).toFixed(1)} MiB`);
      expect(putGrowth).toBeLessThan(putRssBudget);
      expect(getGrowth).toBeLessThan(64 * MiB);
      await storage.delete(key);
    });
  });
}

describeDriver("local", () => createStorage(), { putRssBudget: 64 * MiB });

describe("local driver only", () => {
  it("leaves no temporary file after a failed write", async () => {
    const storage = createStorage();
    const projectId = crypto.randomUUID();
    const key = fileKey(crypto.randomUUID(), projectId, crypto.randomUUID());
    await storage.put(key, Buffer.from("old"));
    await expect(storage.put(key, generated(2), { maxBytes: MiB })).rejects.toBeInstanceOf(StorageLimitError);
    const folder = path.dirname(path.join(storageDir(), key));
    expect(fs.readdirSync(folder)).toEqual([path.basename(key)]);
  });
});

describe("s3 (s3rver)", () => {
  let server: S3TestServer;
  const settingNames = ["STORAGE_DRIVER", "S3_BUCKET", "S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_FORCE_PATH_STYLE"];

  function useS3(overrides: Record<string, string> = {}): StorageDriver {
    Object.assign(process.env, {
      STORAGE_DRIVER: "s3",
      S3_BUCKET: server.bucket,
      S3_ENDPOINT: server.endpoint,
      S3_ACCESS_KEY_ID: server.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
      ...overrides,
    });
    resetEnvCache();
    return createStorage();
  }

  beforeAll(async () => {
    server = await startS3Server();
  });

  afterAll(async () => {
    for (const name of settingNames) delete process.env[name];
    resetEnvCache();
    await server?.stop();
  });

  // lib-storage copies every 8 MiB part out of the stream (4 in flight), and V8 frees those copies
  // only at its next major GC, which external allocations trigger about 64 MiB later; measured
  // growth is 45-115 MiB. A body buffered whole would still show 200 MiB or more.
  describeDriver("s3", () => useS3(), { putRssBudget: 128 * MiB });

  it("explains a missing bucket", async () => {
    const storage = useS3({ S3_BUCKET: "no-such-bucket" });
    await expect(storage.put(fileKey(crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()), Buffer.from("x"))).rejects.toThrow(
      /bucket "no-such-bucket" does not exist.*S3_BUCKET/,
    );
  });

  it("explains refused credentials", async () => {
    const storage = useS3({ S3_ACCESS_KEY_ID: "WRONG", S3_SECRET_ACCESS_KEY: "WRONG" });
    await expect(storage.put(fileKey(crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()), Buffer.from("x"))).rejects.toThrow(
      /refused the credentials.*S3_ACCESS_KEY_ID/,
    );
  });

  it("explains an endpoint that does not answer", async () => {
    const storage = useS3({ S3_ENDPOINT: "http://127.0.0.1:1" });
    await expect(storage.stat(fileKey(crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()))).rejects.toThrow(/Could not reach .*S3_ENDPOINT/);
  });

  it("requires S3_BUCKET", () => {
    expect(() => useS3({ S3_BUCKET: "" })).toThrow(ConfigError);
    expect(() => useS3({ S3_BUCKET: "" })).toThrow(/S3_BUCKET/);
  });
});

describe("getStorage", () => {
  it("returns one driver per process", () => {
    expect(getStorage()).toBe(getStorage());
    expect(getStorage().name).toBe("local");
  });
});

describe("readToBuffer", () => {
  it("reads up to the limit and refuses more", async () => {
    expect((await readToBuffer(Readable.from([Buffer.from("abc"), Buffer.from("def")]), 6)).toString()).toBe("abcdef");
    await expect(readToBuffer(generated(2), MiB)).rejects.toBeInstanceOf(StorageLimitError);
  });
});

describe("keys", () => {
  const ws = "11111111-2222-4333-8444-555555555555";
  const p = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  const id = "99999999-8888-4777-8666-555555555555";

  it("builds keys from ids under the project prefix", () => {
    expect(projectPrefix(ws, p)).toBe(`ws/${ws}/p/${p}/`);
    expect(fileKey(ws, p, id)).toBe(`ws/${ws}/p/${p}/files/${id}`);
    expect(fileKey(ws.toUpperCase(), p, id)).toBe(fileKey(ws, p, id));
    expect(runArtifactKey(ws, p, id, "checkpoints/step-100/adapter.bin")).toBe(`ws/${ws}/p/${p}/runs/${id}/checkpoints/step-100/adapter.bin`);
    expect(exportKey(ws, p, id, "dataset_v2.jsonl")).toBe(`ws/${ws}/p/${p}/exports/${id}/dataset_v2.jsonl`);
  });

  it("rejects ids that are not UUIDs", () => {
    expect(() => fileKey("../x", p, id)).toThrow(/workspace id/);
    expect(() => fileKey(ws, "p1", id)).toThrow(/project id/);
    expect(() => fileKey(ws, p, "report.pdf")).toThrow(/file id/);
    expect(() => runArtifactKey(ws, p, "", "a")).toThrow(/run id/);
  });

  it("rejects relative paths that escape or use other characters", () => {
    for (const bad of ["../secrets", "/abs", "a/../../b", "a//b", "", "name with space.txt", "ü.txt", "a\\b", "."]) {
      expect(() => runArtifactKey(ws, p, id, bad), bad).toThrow(/artifact path/);
      expect(() => exportKey(ws, p, id, bad), bad).toThrow(/export file name/);
    }
  });
});
