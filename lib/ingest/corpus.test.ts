// Every malformed file in the corpus must end as an IngestError a user can read, quickly.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CORPUS, ingestFile } from "@/tests/support/corpus";
import { IngestError } from "./types";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-corpus-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Signs that a library's or the runtime's own words leaked into a user-facing message. */
const JARGON = /\n\s+at |Error:|Exception|undefined|null|ENOENT|EOCD|yauzl|pdf\.js|pdfjs|mammoth|jszip|zlib|inflate|xref|central directory/i;

describe("malformed-file corpus", () => {
  for (const entry of CORPUS) {
    it(entry.name, async () => {
      const file = path.join(dir, `${CORPUS.indexOf(entry)}-${entry.filename}`);
      fs.writeFileSync(file, await entry.bytes());
      const outcome = await ingestFile(file, entry.filename).catch((error: unknown) => error);
      if ("format" in entry.expect) {
        expect(outcome).not.toBeInstanceOf(Error);
        const { format, document } = outcome as Awaited<ReturnType<typeof ingestFile>>;
        expect(format).toBe(entry.expect.format);
        expect(document.text).toMatch(entry.expect.text);
        return;
      }
      expect(outcome).toBeInstanceOf(IngestError);
      const error = outcome as IngestError;
      expect({ code: error.code, message: error.message }).toMatchObject({ code: entry.expect.code, message: expect.stringMatching(entry.expect.message) });
      expect(error.message).not.toMatch(JARGON);
      expect(error.message).toMatch(/^[A-Z"].{15,300}[.)]$/s);
    }, 20_000);
  }
});
