import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { docxParts, makeDocx, makeZip } from "@/tests/support/corpus";
import { DOCX_MAX_XML_BYTES } from "./docx";
import { extractDocument } from "./index";
import { detectZipFormat, inspectZip, readZipEntry, ZIP_LIMITS } from "./zip";

describe("DOCX extraction", () => {
  it("keeps headings as sections and tables as Markdown tables", async () => {
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
        "| City | Allowance |\n| --- | --- |\n| Berlin | 80 EUR |\n| Paris | 95 EUR |",
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

  it("adds headers and footers once each, labelled; keeps text boxes and footnotes without their back links; counts the comments it leaves out", async () => {
    const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml"';
    const p = (text: string) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
    const body =
      `<w:p><w:r><w:t>Refunds take five days.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>` +
      `<w:commentRangeStart w:id="0"/><w:r><w:t> Exceptions apply.</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>` +
      `<w:p><w:r><w:pict><v:shape><v:textbox><w:txbxContent>${p("Callout: call us first.")}</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>`;
    const rel = (id: string, type: string, target: string) =>
      `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
    const parts = docxParts([]).map(([name, xml]): [string, string] => {
      if (name === "word/document.xml") return [name, `<?xml version="1.0"?><w:document ${W}><w:body>${body}</w:body></w:document>`];
      if (name === "word/_rels/document.xml.rels") {
        return [
          name,
          xml.replace("</Relationships>", `${rel("rId7", "footnotes", "footnotes.xml")}${rel("rId8", "comments", "comments.xml")}</Relationships>`),
        ];
      }
      return [name, xml];
    });
    parts.push(
      [
        "word/footnotes.xml",
        `<?xml version="1.0"?><w:footnotes ${W}><w:footnote w:id="1">${p("Business days, not calendar days.")}</w:footnote></w:footnotes>`,
      ],
      ["word/comments.xml", `<?xml version="1.0"?><w:comments ${W}><w:comment w:id="0" w:author="Ann">${p("Which exceptions?")}</w:comment></w:comments>`],
      ["word/header1.xml", `<?xml version="1.0"?><w:hdr ${W}>${p("Acme Ltd · Refund policy")}</w:hdr>`],
      ["word/header2.xml", `<?xml version="1.0"?><w:hdr ${W}>${p("Acme Ltd · Refund policy")}</w:hdr>`],
      ["word/footer1.xml", `<?xml version="1.0"?><w:ftr ${W}>${p("Page 3")}${p("Confidential: staff only")}</w:ftr>`],
    );
    const doc = await extractDocument("docx", { bytes: await makeZip(parts) });
    expect(doc.text).toBe(
      "Refunds take five days.[1] Exceptions apply.\n\nCallout: call us first.\n\n1. Business days, not calendar days.\n\n[Header] Acme Ltd · Refund policy\n[Footer] Confidential: staff only",
    );
    expect(doc.text).not.toContain("Which exceptions?");
    expect(doc.warnings).toEqual([
      '1 comment in the document was left out: comments are remarks on the text, not part of it. Turn on "Include Word comments" in the project\'s settings to keep them.',
    ]);
    expect(doc.metadata).toMatchObject({ comments: 1, headerFooterLines: 2 });
    // With the project's "Include Word comments", they come at the end, labelled with their author.
    const withComments = await extractDocument("docx", { bytes: await makeZip(parts) }, { docxComments: true });
    expect(withComments.text.endsWith("[Footer] Confidential: staff only\n\n[Comment by Ann] Which exceptions?")).toBe(true);
    expect(withComments.warnings).toBeUndefined();
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
