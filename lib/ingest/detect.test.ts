import { describe, expect, it } from "vitest";
import { makeDocx, makePdf, makeZip } from "@/tests/support/corpus";
import { detectFormat } from "./detect";
import type { Detection } from "./types";

function detect(content: string | Buffer, filename: string, totalSize?: number): Detection {
  const bytes = Buffer.from(content);
  return detectFormat(bytes, filename, totalSize ?? bytes.length);
}

const formatOf = (content: string | Buffer, filename: string, totalSize?: number) => {
  const detection = detect(content, filename, totalSize);
  return detection.ok ? detection.format : `refused: ${detection.message}`;
};

describe("detectFormat", () => {
  it("decides binary formats by content, whatever the extension", async () => {
    expect(detect(await makePdf([[{ text: "x" }]]), "notes.txt")).toEqual({ ok: true, format: "pdf", mimeType: "application/pdf", kind: "raw_doc" });
    expect(formatOf(await makeDocx([{ text: "x" }]), "scan.pdf")).toBe("docx");
    // A ZIP whose first entries don't say what it is: the DOCX extractor decides.
    expect(formatOf(await makeZip([["a.txt", "x"]]), "a.docx")).toBe("docx");
    expect(formatOf(await makeZip([["ppt/presentation.xml", "<p/>"]]), "deck.docx")).toMatch(/^refused: .*PowerPoint presentation/);
  });

  it("names the binary type it refuses", () => {
    expect(formatOf(Buffer.from("4749463839610a000a00f70000", "hex"), "photo.txt")).toMatch(
      /refused: This file looks like a GIF image, which can't be imported/,
    );
    expect(formatOf(Buffer.from("d0cf11e0a1b11ae1000000000000", "hex"), "old.doc")).toMatch(/old-format Office file.*Save it as \.docx/);
    expect(formatOf(Buffer.from("7f454c46020101000000", "hex"), "a.md")).toMatch(/program/);
    expect(formatOf(Buffer.from([0x01, 0x00, 0x02, 0x03, 0x00, 0xff]), "a.txt")).toMatch(/binary data, not text/);
    expect(formatOf("{\\rtf1\\ansi Hello}", "a.txt")).toMatch(/RTF document.*Save it as \.docx/);
  });

  it("takes PNG, JPEG and TIFF as images to read by OCR, whatever the extension", () => {
    const image = (hex: string) => detect(Buffer.concat([Buffer.from(hex, "hex"), Buffer.alloc(32)]), "scan.txt");
    expect(image("89504e470d0a1a0a")).toEqual({ ok: true, format: "image", mimeType: "image/png", kind: "raw_doc" });
    expect(image("ffd8ffe0")).toMatchObject({ format: "image", mimeType: "image/jpeg" });
    expect(image("49492a00")).toMatchObject({ format: "image", mimeType: "image/tiff" });
    expect(image("4d4d002a")).toMatchObject({ format: "image", mimeType: "image/tiff" });
  });

  it("takes %PDF- after binary junk as a PDF, but not in text that mentions it", () => {
    expect(formatOf(Buffer.concat([Buffer.from([0, 0, 0x80, 0x81]), Buffer.from("%PDF-1.7\n")]), "x")).toBe("pdf");
    expect(formatOf("PDF files begin with %PDF-1.7 and end with %%EOF.", "notes.txt")).toBe("text");
  });

  it("takes %PDF- after text junk as a PDF when PDF objects follow, within the first 1024 bytes as pdf.js does", async () => {
    const pdf = await makePdf([[{ text: "x" }]]);
    const mailHeader = Buffer.from("From: scanner@example.com\r\nSubject: Scan 2024-05-12\r\nContent-Type: application/pdf\r\n\r\n");
    expect(formatOf(Buffer.concat([mailHeader, pdf]), "scan.txt")).toBe("pdf");
    expect(formatOf(Buffer.concat([Buffer.from("x".repeat(1018)), pdf]), "a")).toBe("pdf");
    // pdf.js looks no further than 1024 bytes for the header.
    expect(formatOf(Buffer.concat([Buffer.from("x".repeat(1020)), pdf]), "a")).not.toBe("pdf");
    expect(formatOf("Notes on %PDF-1.7 files:\nan object starts like 1 0 obj and ends with endobj", "notes.txt")).toBe("text");
  });

  it("throws for an empty file", () => {
    expect(() => detect("", "a.txt")).toThrow(expect.objectContaining({ code: "empty" }));
  });

  it("recognises HTML near the start, not HTML mentioned in prose", () => {
    expect(formatOf("\n  <!DOCTYPE html><html><body>x</body></html>", "page.txt")).toBe("html");
    expect(formatOf("<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>", "x")).toBe("html");
    expect(formatOf("<div>fragment</div>", "saved.htm")).toBe("html");
    expect(formatOf("Use the <html> element as the root.", "notes.txt")).toBe("text");
  });

  it("tells JSONL, JSON and Markdown links apart", () => {
    expect(detect('{"prompt":"a","completion":"b"}\n{"prompt":"c","completion":"d"}\n', "data.txt")).toMatchObject({ format: "jsonl", kind: "dataset_upload" });
    expect(formatOf('[{"q":1},{"q":2}]', "data")).toBe("json");
    expect(formatOf('{\n  "rows": [1, 2]\n}\n', "data.json")).toBe("json");
    expect(formatOf("[Home](/) | [Docs](/docs)\n\nWelcome.", "README")).toBe("text");
    // A head cut in the middle of a record still counts its complete lines.
    expect(formatOf('{"a":1}\n{"a":2}\n{"a":', "big.jsonl", 1_000_000)).toBe("jsonl");
  });

  it("takes CSV from consistent delimiters, with the extension as a hint", () => {
    expect(detect('name,age\n"Smith, Ann",30\nBob,41\nEve,25\n', "people.txt")).toMatchObject({ format: "csv", mimeType: "text/csv", kind: "dataset_upload" });
    expect(formatOf("a\tb\n1\t2\n", "x.tsv")).toBe("csv");
    expect(formatOf("prompt\nhello\nworld\n", "one-column.csv")).toBe("csv");
    expect(formatOf("Hello, world.\nThis is prose, mostly.\nNot a table at all.\n", "notes.txt")).toBe("text");
  });

  it("takes Markdown from the extension or from ATX headings", () => {
    expect(detect("Just text", "README.md")).toMatchObject({ format: "markdown", mimeType: "text/markdown", kind: "raw_doc" });
    expect(formatOf("# Title\n\nBody", "notes.txt")).toBe("markdown");
    expect(formatOf("intro\n## One\ntext\n## Two\n", "notes")).toBe("markdown");
    expect(formatOf("intro\n# just a comment\n", "notes")).toBe("text");
  });

  it("detects text in UTF-16 and Latin-1 instead of calling it binary", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("# Überblick\n\nText", "utf16le")]);
    expect(formatOf(utf16, "notes.txt")).toBe("markdown");
    expect(formatOf(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]), "menu.txt")).toBe("text");
  });
});
