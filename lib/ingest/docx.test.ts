import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { docxParts, makeDocx, makeZip } from "@/tests/support/corpus";
import { DOCX_MAX_XML_BYTES } from "./docx";
import { extractDocument } from "./index";
import { detectZipFormat, inspectZip, readZipEntry, ZIP_LIMITS } from "./zip";

describe("DOCX extraction", () => {
  it("keeps headings as sections and table rows as tab-separated lines", async () => {
    const docx = await makeDocx(
      [
        { heading: 1, text: "Travel Policy" },
        { text: "Book travel through the portal." },
        { heading: 2, text: "Allowances" },
        { text: "Daily allowances by city:" },
        {
          table: [
            ["City", "Allowance"],
            ["Berlin", "80 EUR"],
            ["Paris", "95 EUR"],
          ],
        },
        { heading: 2, text: "Approvals" },
        { text: "Managers approve trips over 1,000 EUR." },
      ],
      "Travel Policy 2024",
    );
    const doc = await extractDocument("docx", { bytes: docx });

    expect(doc.text).toBe(
      [
        "Travel Policy",
        "Book travel through the portal.",
        "Allowances",
        "Daily allowances by city:",
        "City\tAllowance\nBerlin\t80 EUR\nParis\t95 EUR",
        "Approvals",
        "Managers approve trips over 1,000 EUR.",
      ].join("\n\n"),
    );
    expect(doc.sections).toEqual([
      { heading: "Travel Policy", level: 1, start: 0 },
      { heading: "Allowances", level: 2, start: doc.text.indexOf("Allowances") },
      { heading: "Approvals", level: 2, start: doc.text.indexOf("Approvals") },
    ]);
    expect(doc.metadata).toEqual({ title: "Travel Policy 2024" });
  });

  it("refuses a ZIP that is not a Word document", async () => {
    const pptx = await makeZip([
      ["[Content_Types].xml", "<Types/>"],
      ["ppt/presentation.xml", "<p/>"],
    ]);
    await expect(extractDocument("docx", { bytes: pptx })).rejects.toMatchObject({
      code: "unsupported_type",
      message: expect.stringContaining("PowerPoint presentation"),
    });
  });
});

describe("DOCX memory bound", () => {
  it("refuses, before mammoth reads it, a document whose XML would take the worker past its memory", async () => {
    // Text that does not compress like a bomb: hex of random bytes, 2 KB a paragraph, over the limit.
    const paragraphs = Array.from({ length: Math.ceil(DOCX_MAX_XML_BYTES / 2048) + 64 }, () => ({ text: crypto.randomBytes(1024).toString("hex") }));
    const docx = await makeDocx(paragraphs);
    await expect(extractDocument("docx", { bytes: docx })).rejects.toMatchObject({
      code: "too_large",
      message: expect.stringMatching(/more than the 8 MB \(about 1,000 pages\) we extract at once\. Split it/),
    });
    // Just under the limit still extracts.
    const smaller = await makeDocx(paragraphs.slice(0, 64));
    expect((await extractDocument("docx", { bytes: smaller })).text.length).toBeGreaterThan(64 * 2000);
  });
});

describe("ZIP inspection", () => {
  it("tells package formats apart from the central directory", async () => {
    expect(await detectZipFormat({ bytes: await makeDocx([{ text: "x" }]) })).toBe("docx");
    expect(await detectZipFormat({ bytes: await makeZip([["xl/workbook.xml", "<w/>"]]) })).toBe("xlsx");
    expect(await detectZipFormat({ bytes: await makeZip([["notes.txt", "hi"]]) })).toBe("zip");
  });

  it("reads one entry, and refuses one larger than asked for", async () => {
    const zip = await makeZip(docxParts([{ text: "x" }], "Title"));
    expect((await readZipEntry({ bytes: zip }, "docProps/core.xml", 64 * 1024))?.toString()).toContain("<dc:title>Title</dc:title>");
    expect(await readZipEntry({ bytes: zip }, "missing.xml", 1024)).toBeUndefined();
    await expect(readZipEntry({ bytes: zip }, "word/document.xml", 10)).rejects.toMatchObject({ code: "too_large" });
  });

  it("applies the limits it is given", async () => {
    const zip = await makeZip([
      ["a.txt", "a".repeat(5000)],
      ["b.txt", "b"],
    ]);
    expect((await inspectZip({ bytes: zip })).map((e) => e.name)).toEqual(["a.txt", "b.txt"]);
    await expect(inspectZip({ bytes: zip }, { limits: { ...ZIP_LIMITS, maxEntries: 1 } })).rejects.toMatchObject({ code: "zip_bomb" });
    await expect(inspectZip({ bytes: zip }, { limits: { ...ZIP_LIMITS, maxTotalBytes: 4096 } })).rejects.toMatchObject({ code: "zip_bomb" });
    await expect(inspectZip({ bytes: zip }, { limits: { ...ZIP_LIMITS, ratioAbove: 1000, maxRatio: 10 } })).rejects.toMatchObject({
      code: "zip_bomb",
      message: expect.stringContaining('"a.txt"'),
    });
  });
});
