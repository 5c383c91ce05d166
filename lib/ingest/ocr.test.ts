// OCR with the machine's Tesseract (tests/run.ts installs tesseract-ocr and its English pack).
import { describe, expect, it } from "vitest";
import { extractDocument } from "@/lib/ingest";
import { makePdf, makeScanImage, makeScannedPdf, makeScanTiff } from "@/tests/support/corpus";
import { imageSize, MAX_OCR_PIXELS, ocrEngine, readTsv, recognize } from "./ocr";

const TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
const word = (page: number, block: number, par: number, line: number, conf: number, text: string) =>
  `5\t${page}\t${block}\t${par}\t${line}\t1\t0\t0\t1\t1\t${conf}\t${text}`;

describe("readTsv", () => {
  it("joins words into lines, lines into paragraphs, and weighs the confidence by word length", () => {
    const tsv = [
      TSV_HEADER,
      "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t",
      word(1, 1, 1, 1, 90, "Payment"),
      word(1, 1, 1, 1, 60, "is"),
      word(1, 1, 1, 2, 90, "due."),
      word(1, 2, 1, 1, 80, "Thanks"),
      // A page with no words, then one with text.
      "1\t2\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t",
      "1\t3\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t",
      word(3, 1, 1, 1, 50, "Three"),
    ].join("\n");
    const pages = readTsv(tsv);
    expect(pages.map((p) => p.text)).toEqual(["Payment is\ndue.\n\nThanks", "", "Three"]);
    expect(pages[0].confidence).toBeCloseTo((90 * 7 + 60 * 2 + 90 * 4 + 80 * 6) / 19);
    expect(pages[1].confidence).toBeUndefined();
    expect(pages[2].confidence).toBe(50);
  });
});

describe("imageSize", () => {
  it("reads PNG, JPEG and TIFF headers (either byte order)", async () => {
    const lines = ["Width and height"];
    const png = imageSize(await makeScanImage(lines, { dpi: 100 }));
    expect(png).toEqual({ width: Math.round(595 * (100 / 72)), height: Math.round(200 * (100 / 72)) });
    expect(imageSize(await makeScanImage(lines, { dpi: 100, format: "jpeg" }))).toEqual(png);
    const tiff = await makeScanTiff([lines]);
    expect(imageSize(tiff)).toEqual(imageSize(await makeScanImage(lines)));
    expect(imageSize(await makeScanTiff([lines], { littleEndian: false }))).toEqual(imageSize(tiff));
    expect(imageSize(Buffer.from("not an image"))).toBeUndefined();
  });
});

describe("recognize", () => {
  it("finds Tesseract and its English pack on this machine", async () => {
    expect((await ocrEngine())?.languages).toContain("eng");
  });

  it("reads a scanned page with a confidence", async () => {
    const [page] = await recognize(await makeScanImage(["The quarterly audit found no missing invoices.", "Signed by the treasurer."]), { languages: "eng" });
    expect(page.text).toBe("The quarterly audit found no missing invoices.\nSigned by the treasurer.");
    expect(page.confidence).toBeGreaterThan(80);
  });

  it("refuses an image over the pixel budget before Tesseract opens it", async () => {
    const png = await makeScanImage(["x"], { dpi: 72 });
    // The IHDR's width and height say 20,000 × 20,000.
    png.writeUInt32BE(20_000, 16);
    png.writeUInt32BE(20_000, 20);
    expect(20_000 * 20_000).toBeGreaterThan(MAX_OCR_PIXELS);
    await expect(recognize(png, { languages: "eng" })).rejects.toMatchObject({ code: "too_large", message: expect.stringMatching(/20000 × 20000 pixels/) });
  });

  it("says which language pack is missing, and refuses language lists that are not codes", async () => {
    await expect(recognize(await makeScanImage(["x"]), { languages: "eng+xyz" })).rejects.toMatchObject({
      code: "ocr_unavailable",
      message: expect.stringMatching(/OCR language xyz is not installed on the worker machine \(installed: .*eng.*\)\. Install tesseract-ocr-xyz/),
    });
    await expect(recognize(await makeScanImage(["x"]), { languages: "eng --psm 0" })).rejects.toMatchObject({ code: "ocr_unavailable" });
  });

  it("stops Tesseract when the job is cancelled", async () => {
    const controller = new AbortController();
    const reading = recognize(await makeScanImage(Array.from({ length: 40 }, (_, i) => `Line ${i} of a long page of text to read.`)), {
      languages: "eng",
      signal: controller.signal,
    });
    controller.abort(new Error("cancelled by the user"));
    await expect(reading).rejects.toThrow("cancelled by the user");
  });
});

describe("OCR in extraction", () => {
  it("an image becomes text; a multi-page TIFF keeps its pages and names a page with no words", async () => {
    const single = await extractDocument("image", { bytes: await makeScanImage(["Opening hours are nine to five."]) }, { ocrLanguages: "eng" });
    expect(single.text).toBe("Opening hours are nine to five.");
    expect(single.metadata.ocr).toMatchObject({ engine: "tesseract", languages: "eng", pages: [{ page: 1, confidence: expect.any(Number) }] });
    expect(single.warnings).toEqual([expect.stringMatching(/^The image was read by OCR \(confidence \d+ %\)/)]);

    const tiff = await makeScanTiff([["First page of the fax."], [], ["Third page, after a blank one."]]);
    const doc = await extractDocument("image", { bytes: tiff }, { ocrLanguages: "eng" });
    expect(doc.text).toBe("First page of the fax.\n\nThird page, after a blank one.");
    expect(doc.pages.map((p) => [p.page, doc.text.slice(p.start, p.end)])).toEqual([
      [1, "First page of the fax."],
      [2, ""],
      [3, "Third page, after a blank one."],
    ]);
    expect(doc.warnings).toEqual([
      expect.stringMatching(/^3 pages were read by OCR/),
      "Check page 2 (no words found): the scan may be blank, too small, skewed or faint.",
    ]);
  });

  it("a PDF with a partial text layer OCRs only the scanned page, and keeps page numbers", async () => {
    const pdf = await makeScannedPdf([
      { text: [{ text: "Chapter one has a text layer." }] },
      { scan: ["The calibration service covers three", "microscopes and one spectrometer.", "", "Payment is due within thirty days."] },
      { text: [{ text: "Chapter three has one too." }] },
    ]);
    const progress: string[] = [];
    const doc = await extractDocument("pdf", { bytes: pdf }, { ocrLanguages: "eng", onProgress: (message) => progress.push(message) });
    expect(doc.pages.map((p) => doc.text.slice(p.start, p.end))).toEqual([
      "Chapter one has a text layer.",
      "The calibration service covers three\nmicroscopes and one spectrometer.\n\nPayment is due within thirty days.",
      "Chapter three has one too.",
    ]);
    expect(doc.metadata.ocr).toEqual({ engine: "tesseract", languages: "eng", pages: [{ page: 2, confidence: expect.any(Number) }] });
    expect(doc.warnings).toEqual([expect.stringMatching(/^Page 2 was read by OCR \(confidence \d+ %\)/)]);
    expect(progress).toEqual(["Reading page 2 by OCR (1 of 1)", "OCR done"]);
  });

  it("without OCR, a scanned page is left out with a warning that says how to read it, and a scan alone is refused", async () => {
    const pdf = await makeScannedPdf([{ text: [{ text: "Typed page." }] }, { scan: ["Handwritten notes, scanned."] }]);
    const doc = await extractDocument("pdf", { bytes: pdf }, { ocrLanguages: "" });
    expect(doc.text).toBe("Typed page.");
    expect(doc.warnings).toEqual([
      "Page 2 was left out: it has no text layer (scanned). OCR is off for this project: set its OCR languages (for example eng) in the project's settings and process the source again.",
    ]);
    const missing = await extractDocument("pdf", { bytes: pdf }, { ocrLanguages: "eng+xyz" });
    expect(missing.warnings).toEqual([expect.stringMatching(/^Page 2 was left out: .*OCR language xyz is not installed/)]);

    const scanOnly = await makeScannedPdf([{ scan: ["Handwritten notes, scanned."] }]);
    await expect(extractDocument("pdf", { bytes: scanOnly })).rejects.toMatchObject({
      code: "no_text_layer",
      message: expect.stringMatching(/OCR is off for this project/),
    });
    await expect(extractDocument("image", { bytes: await makeScanImage(["x"]) })).rejects.toMatchObject({ code: "ocr_unavailable" });
  });

  it("a text PDF is never rendered for OCR", async () => {
    const progress: string[] = [];
    const doc = await extractDocument(
      "pdf",
      { bytes: await makePdf([[{ text: "Plain text." }], []]) },
      { ocrLanguages: "eng", onProgress: (m) => progress.push(m) },
    );
    expect(doc.text).toBe("Plain text.");
    expect(doc.metadata.ocr).toBeUndefined();
    expect(progress).toEqual([]);
  });
});
