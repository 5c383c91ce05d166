import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PDFDocument, PDFString, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { cjkFont, makePdf, makeRawFontPdf, symbolSoupPages, textOps, ucs2 } from "@/tests/support/corpus";
import { extractDocument } from "./index";
import { quality, withoutAttachmentEncryption } from "./pdf";

const BODY = "The body text, which has more characters than the headings.";

describe("PDF extraction", () => {
  it("keeps page numbers and finds headings set in a larger font", async () => {
    const pdf = await makePdf(
      [
        [
          { text: "Operations Handbook", size: 24 },
          { text: "This handbook explains how the team runs the service." },
          { text: "It is kept up to date by the on-call engineers." },
          { text: "Installation", size: 16 },
          { text: "Install the agent on every host before the first deploy." },
        ],
        [{ text: "Monitoring", size: 16 }, { text: "Dashboards live in the shared folder." }, { text: "Alerts page the on-call engineer." }],
        [{ text: "Appendix text without a heading." }],
      ],
      "Ops Handbook",
    );
    const doc = await extractDocument("pdf", { bytes: pdf });

    expect(doc.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    const pageText = doc.pages.map((p) => doc.text.slice(p.start, p.end));
    expect(pageText[0]).toMatch(/^Operations Handbook\n\nThis handbook explains how the team runs the service\.\nIt is kept/);
    expect(pageText[0]).toContain("Install the agent on every host");
    expect(pageText[1]).toBe("Monitoring\n\nDashboards live in the shared folder.\nAlerts page the on-call engineer.");
    expect(pageText[2]).toBe("Appendix text without a heading.");
    // Pages are joined with one blank line.
    expect(doc.text.slice(doc.pages[0].end, doc.pages[1].start)).toBe("\n\n");

    expect(doc.sections.map(({ heading, level }) => ({ heading, level }))).toEqual([
      { heading: "Operations Handbook", level: 1 },
      { heading: "Installation", level: 2 },
      { heading: "Monitoring", level: 2 },
    ]);
    for (const section of doc.sections) expect(doc.text.startsWith(section.heading, section.start)).toBe(true);
    expect(doc.metadata).toMatchObject({ pageCount: 3, title: "Ops Handbook" });
  });

  it("does not call body text a heading when the whole document uses one size", async () => {
    const doc = await extractDocument("pdf", { bytes: await makePdf([[{ text: "Only body text." }, { text: "More of it." }]]) });
    expect(doc.sections).toEqual([]);
    expect(doc.text).toBe("Only body text.\nMore of it.");
  });

  it("makes a heading set over two lines one section", async () => {
    const pdf = await makePdf([[{ text: "A Very Long Title That", size: 22 }, { text: "Wraps Onto Two Lines", size: 22 }, { text: BODY }]]);
    const doc = await extractDocument("pdf", { bytes: pdf });
    expect(doc.sections).toEqual([{ heading: "A Very Long Title That Wraps Onto Two Lines", level: 1, start: 0 }]);
    expect(doc.text).toBe(`A Very Long Title That\nWraps Onto Two Lines\n\n${BODY}`);
  });

  it("reads a PDF from a path without fetching anything", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ftf-pdf-")), "a.pdf");
    fs.writeFileSync(file, await makePdf([[{ text: "From disk." }]]));
    const fetches: unknown[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = ((...args: unknown[]) => {
      fetches.push(args[0]);
      throw new Error("pdf.js must not fetch");
    }) as typeof fetch;
    try {
      expect((await extractDocument("pdf", { path: file })).text).toBe("From disk.");
    } finally {
      globalThis.fetch = original;
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    expect(fetches).toEqual([]);
  });
});

const pageTexts = (doc: Awaited<ReturnType<typeof extractDocument>>) => doc.pages.map((p) => doc.text.slice(p.start, p.end));

/** pdf.js must read its CMaps and fonts from the disk: any fetch fails the test. */
async function withoutFetch<T>(run: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (() => {
    throw new Error("pdf.js must not fetch");
  }) as typeof fetch;
  try {
    return await run();
  } finally {
    globalThis.fetch = original;
  }
}

describe("PDF fonts: CMaps and standard fonts from pdfjs-dist", () => {
  it("reads an encrypted PDF with its password, and says when the password is wrong", async () => {
    // tests/fixtures/encrypted.pdf: qpdf --encrypt user owner 256 (user password "user").
    const bytes = fs.readFileSync(path.resolve("tests/fixtures/encrypted.pdf"));
    await expect(extractDocument("pdf", { bytes })).rejects.toMatchObject({
      code: "encrypted",
      message: expect.stringMatching(/Enter its password on the source/),
    });
    await expect(extractDocument("pdf", { bytes }, { password: "guess" })).rejects.toMatchObject({
      code: "encrypted",
      message: "The password for this PDF is wrong. Enter it again on the source.",
    });
    const doc = await extractDocument("pdf", { bytes }, { password: "user" });
    expect(doc.text.trim().length).toBeGreaterThan(0);
  });

  it("reads a PDF whose attachments alone are encrypted (crypt filters: pages Identity, attachments under /EFF), and says so", async () => {
    // tests/fixtures/attachment-encrypted.pdf: /V 4 /StmF /Identity /StrF /Identity /EFF /StdCF under
    // a user password; pdf.js asks for that password although no reader needs it for the pages.
    const bytes = fs.readFileSync(path.resolve("tests/fixtures/attachment-encrypted.pdf"));
    const doc = await extractDocument("pdf", { bytes });
    expect(doc.text).toContain("Refunds are issued within three days by the billing team.");
    expect(doc.metadata).toMatchObject({ encryptedAttachments: true });
    expect(doc.warnings).toEqual(["Only this PDF's attachments are password-protected: its pages were read, its attachments left out."]);
    // Pages that are encrypted still need the password: the renaming never applies to them.
    const full = fs.readFileSync(path.resolve("tests/fixtures/encrypted.pdf"));
    expect(withoutAttachmentEncryption(new Uint8Array(full))).toBeNull();
    const streams = Buffer.from(bytes.toString("latin1").replace("/StmF /Identity", "/StmF /StdCF_"), "latin1");
    expect(withoutAttachmentEncryption(new Uint8Array(streams))).toBeNull();
  });

  it("reads CJK text set in non-embedded fonts through Adobe's predefined CMaps", async () => {
    const pdf = await makeRawFontPdf([
      { font: cjkFont("UniJIS-UCS2-H", "Japan1", "KozMinPr6N-Regular"), ops: textOps([ucs2("日本語のテキスト"), ucs2("ABC 123")]) },
      { font: cjkFont("UniGB-UCS2-H", "GB1", "STSong-Light"), ops: textOps([ucs2("中文文本")]) },
      { font: cjkFont("UniKS-UCS2-H", "Korea1", "HYSMyeongJo-Medium"), ops: textOps([ucs2("한국어 텍스트")]) },
      // Shift-JIS bytes: 日本語 and "ABC".
      { font: cjkFont("90ms-RKSJ-H", "Japan1", "MS-Mincho"), ops: textOps(["<93FA967B8CEA414243>"]) },
    ]);
    const doc = await withoutFetch(() => extractDocument("pdf", { bytes: pdf }));
    expect(pageTexts(doc)).toEqual(["日本語のテキスト\nABC 123", "中文文本", "한국어 텍스트", "日本語ABC"]);
  });

  it("reads non-embedded standard fonts: the 14 Type1 fonts, Symbol, and Arial set with Identity-H", async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    let y = 780;
    for (const name of [StandardFonts.Helvetica, StandardFonts.TimesRomanBoldItalic, StandardFonts.Courier]) {
      page.drawText(`Set in ${name}: naïve café – “quoted”.`, { x: 56, y, size: 11, font: await doc.embedFont(name) });
      y -= 16;
    }
    const standard = await extractDocument("pdf", { bytes: Buffer.from(await doc.save()) });
    expect(standard.text).toBe(["Helvetica", "Times-BoldItalic", "Courier"].map((name) => `Set in ${name}: naïve café – “quoted”.`).join("\n"));

    const descriptor = {
      Type: "FontDescriptor",
      FontName: "Arial",
      Flags: 32,
      FontBBox: [0, 0, 1000, 1000],
      ItalicAngle: 0,
      Ascent: 900,
      Descent: -200,
      CapHeight: 700,
      StemV: 80,
    };
    const info = { Registry: PDFString.of("Adobe"), Ordering: PDFString.of("Identity"), Supplement: 0 };
    const pdf = await makeRawFontPdf([
      { font: { Type: "Font", Subtype: "Type1", BaseFont: "Symbol" }, ops: textOps(["(abgp = 3.14)"]) },
      {
        // Glyph ids of Arial without a ToUnicode map, as old Word versions wrote them: pdf.js maps
        // them by its table for Arial. The Liberation substitute would give "+HOOR".
        font: {
          Type: "Font",
          Subtype: "Type0",
          BaseFont: "Arial",
          Encoding: "Identity-H",
          DescendantFonts: [{ Type: "Font", Subtype: "CIDFontType2", BaseFont: "Arial", CIDSystemInfo: info, FontDescriptor: descriptor }],
        },
        ops: textOps(["<002B0048004F004F0052>"]),
      },
    ]);
    expect(pageTexts(await withoutFetch(() => extractDocument("pdf", { bytes: pdf })))).toEqual(["αβγπ = 3.14", "Hello"]);
  });
});

describe("PDF form fields and text boxes", () => {
  it("adds filled-in fields and FreeText annotations to their page, marked as such", async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const page = doc.addPage([595, 842]);
    page.drawText("Certificate of completion", { x: 56, y: 780, size: 11, font });
    page.drawText("Awarded to:", { x: 56, y: 740, size: 11, font });
    const form = doc.getForm();
    const name = form.createTextField("recipient");
    name.setText("Jane Doe");
    name.addToPage(page, { x: 150, y: 735, width: 200, height: 18 });
    const passed = form.createCheckBox("passed");
    passed.addToPage(page, { x: 56, y: 700, width: 12, height: 12 });
    passed.check();
    form.createCheckBox("distinction").addToPage(page, { x: 56, y: 680, width: 12, height: 12 });
    const level = form.createRadioGroup("level");
    level.addOptionToPage("Basic", page, { x: 56, y: 650, width: 12, height: 12 });
    level.addOptionToPage("Advanced", page, { x: 100, y: 650, width: 12, height: 12 });
    level.select("Advanced");
    const track = form.createDropdown("track");
    track.addOptions(["Machine learning", "Operations"]);
    track.select("Operations");
    track.addToPage(page, { x: 56, y: 610, width: 200, height: 18 });
    form.createTextField("remarks").addToPage(page, { x: 56, y: 580, width: 200, height: 18 });
    const note = doc.context.obj({
      Type: "Annot",
      Subtype: "FreeText",
      Rect: [56, 500, 400, 530],
      Contents: PDFString.of("Reviewed by the board, 12 May"),
      DA: PDFString.of("/Helv 10 Tf 0 g"),
    });
    page.node.addAnnot(doc.context.register(note));

    const extracted = await extractDocument("pdf", { bytes: Buffer.from(await doc.save()) });
    expect(extracted.text).toBe(
      [
        "Certificate of completion\nAwarded to:",
        // A radio button's value is the name of its "on" state; pdf-lib names them by index and
        // keeps the labels in /Opt, which pdf.js does not pass on.
        [
          "[Form field: recipient] Jane Doe",
          "[Form field: passed] Yes",
          "[Form field: level] 1",
          "[Form field: track] Operations",
          "[Text box] Reviewed by the board, 12 May",
        ].join("\n"),
      ].join("\n\n"),
    );
    expect(extracted.metadata.formFieldsAndAnnotations).toBe(5);
  });
});

describe("PDF line-end hyphens and running headers", () => {
  it("joins words broken at line ends, within and across pages, by the document's vocabulary", async () => {
    const pdf = await makePdf([
      [
        { text: "Fine-tuning needs well prepared datasets, known good examples in an appendix." },
        { text: "Most applica-" },
        { text: "tions of the method need clean data-" },
        { text: "sets, and a well-" },
        { text: "known recipe helps with fine-" },
      ],
      [{ text: "tuning the model on new in-" }, { text: "formation from 2019-" }, { text: "2020 and Self-" }, { text: "Service data." }],
    ]);
    const doc = await extractDocument("pdf", { bytes: pdf });
    expect(pageTexts(doc)).toEqual([
      [
        "Fine-tuning needs well prepared datasets, known good examples in an appendix.",
        // Neither "applica" nor "tions" is a word of the document: one word.
        "Most applications",
        // "datasets" occurs elsewhere.
        "of the method need clean datasets,",
        // "well" and "known" are both words of the document.
        "and a well-known",
        // "fine-tuning" is written with its hyphen elsewhere; the word is completed on page 1.
        "recipe helps with fine-tuning",
      ].join("\n"),
      // "in" is a word but "formation" is not: one known part is not enough to keep the hyphen.
      // Digits and a capital after the break are not a broken word.
      "the model on new information\nfrom 2019-\n2020 and Self-\nService data.",
    ]);
  });

  it("removes a line repeated at the top or bottom of at least half of the pages, and page numbers", async () => {
    const pages = [1, 2, 3, 4].map((n) => [
      { text: "ACME Operations Handbook", size: 9 },
      { text: `Chapter ${n}`, size: 16 },
      { text: `The body of chapter ${n}.` },
      { text: n === 4 ? "The end." : "Confidential" },
      { text: `Page ${n} of 4`, size: 9 },
    ]);
    const doc = await extractDocument("pdf", { bytes: await makePdf(pages) });
    expect(pageTexts(doc)).toEqual([
      "Chapter 1\n\nThe body of chapter 1.",
      "Chapter 2\n\nThe body of chapter 2.",
      "Chapter 3\n\nThe body of chapter 3.",
      "Chapter 4\n\nThe body of chapter 4.\nThe end.",
    ]);
    expect(doc.sections.map((s) => s.heading)).toEqual(["Chapter 1", "Chapter 2", "Chapter 3", "Chapter 4"]);

    // One page has no running lines to tell; two pages sharing a first line do.
    const single = await extractDocument("pdf", { bytes: await makePdf([pages[0]]) });
    expect(single.text).toMatch(/^ACME Operations Handbook\n/);
  });
});

describe("PDF text-quality gate", () => {
  it("rates text by unmapped glyphs and by symbol soup", () => {
    expect(quality("The quick brown fox jumps over the lazy dog.")).toBeUndefined();
    expect(quality("Revenue 2023 | 1,234.50 | 5,678.00 | (12.5%) | 9,999.99 | -42")).toBeUndefined();
    expect(quality("if (a[i] !== b[i]) { return -1; } // {}[]();")).toBeUndefined();
    expect(quality("• Item one\n\uf0b7 Item two with a Symbol-font bullet")).toBeUndefined();
    expect(quality(`!"##$ %$&#' ()*+,- ./0!"#$ %&'()*+`)).toBe("symbols");
    expect(quality("\ufffd\ufffd\ufffd\ufffd ab")).toBe("glyphs");
    expect(quality("\u0001\u0002\u0003\u0004\u0005 abcde")).toBe("glyphs");
    expect(quality("!?")).toBeUndefined();
  });

  it("leaves out pages of symbol soup with a warning, and refuses a PDF of nothing else", async () => {
    const soup = symbolSoupPages([
      ["This page's font has no usable mapping to Unicode.", "So its text comes out as punctuation."],
      ["And so does this one, page three."],
    ]);
    const helvetica = { Type: "Font", Subtype: "Type1", BaseFont: "Helvetica", Encoding: "WinAnsiEncoding" };
    const mixed = await extractDocument("pdf", {
      bytes: await makeRawFontPdf([{ font: helvetica, ops: textOps(["(A page that reads fine.)"]) }, ...soup]),
    });
    expect(mixed.text).toBe("A page that reads fine.");
    expect(pageTexts(mixed)).toEqual(["A page that reads fine.", "", ""]);
    expect(mixed.metadata).toMatchObject({ pageCount: 3, unreadablePages: [2, 3] });
    expect(mixed.metadata.pagesWithoutText).toBeUndefined();
    expect(mixed.warnings).toEqual(["Pages 2 and 3 were left out: the fonts map the characters to the wrong symbols, so the text comes out as punctuation."]);

    const error = await extractDocument("pdf", { bytes: await makeRawFontPdf(soup) }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "unreadable_text",
      message: expect.stringMatching(/^The text in this PDF can't be read: the fonts map the characters to the wrong symbols/),
    });
  });
});
