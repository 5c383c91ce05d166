import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { WORKER_HEARTBEAT_KEY, workersOcrLanguages } from "./heartbeat";

const beat = (id: string, ocrLanguages: string[] | null | undefined, ageSeconds = 0) =>
  db.setting.create({
    data: {
      key: `${WORKER_HEARTBEAT_KEY}ocr-test-${id}`,
      value: { at: new Date(Date.now() - ageSeconds * 1000).toISOString(), types: ["chunking"], ...(ocrLanguages !== undefined ? { ocrLanguages } : {}) },
    },
  });

afterEach(async () => {
  await db.setting.deleteMany({ where: { key: { startsWith: `${WORKER_HEARTBEAT_KEY}ocr-test-` } } });
});

describe("workersOcrLanguages", () => {
  it("gives the languages every live worker can read, ignoring stale workers and ones that do not say", async () => {
    expect(await workersOcrLanguages()).toBeUndefined();
    await beat("a", ["eng", "deu", "fra"]);
    await beat("b", ["eng", "deu"]);
    await beat("old", ["spa"], 120);
    await beat("silent", undefined);
    expect(await workersOcrLanguages()).toEqual(["eng", "deu"]);
    // A worker without Tesseract: no language can be read everywhere.
    await beat("bare", null);
    expect(await workersOcrLanguages()).toEqual([]);
  });
});
