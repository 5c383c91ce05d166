// Test documents, built in code so they can be read and changed here: valid PDFs and DOCX files,
// and the malformed-file corpus that every extractor must turn into a clean IngestError.
// Add a case to CORPUS whenever a broken file reaches a user as anything else.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { PDFDocument, PDFName, PDFString, rgb, StandardFonts } from "pdf-lib";
import yazl from "yazl";
import { DETECT_HEAD_BYTES, detectFormat, extractDocument } from "@/lib/ingest";
import { type DetectedFormat, type DocumentFormat, type ExtractedDocument, type ExtractOptions, IngestError, type IngestErrorCode } from "@/lib/ingest/types";

// ---- Scans ----

/**
 * A page of text as a scanner would give it: black lines on white, drawn at `dpi` (a line at
 * 11 pt), slightly grey paper and a faint tilt-free noise so it is not a clean render.
 */
export async function makeScanImage(lines: string[], { dpi = 200, format = "png" as "png" | "jpeg" } = {}): Promise<Buffer> {
  const { createCanvas } = await import("@napi-rs/canvas");
  const scale = dpi / 72;
  const canvas = createCanvas(Math.round(595 * scale), Math.round(Math.max(200, 120 + lines.length * 18) * scale));
  const g = canvas.getContext("2d");
  g.fillStyle = "#f4f2ee";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = "#111111";
  g.font = `${Math.round(12 * scale)}px sans-serif`;
  lines.forEach((line, i) => {
    g.fillText(line, 56 * scale, (60 + i * 18) * scale);
  });
  return Buffer.from(format === "png" ? await canvas.encode("png") : await canvas.encode("jpeg", 85));
}

/**
 * A multi-page TIFF as fax and document scanners write them: uncompressed 8-bit grey, one strip
 * per page, each page an image of its lines (canvas cannot write TIFF, so the file is built here).
 */
export async function makeScanTiff(pages: string[][], { littleEndian = true } = {}): Promise<Buffer> {
  const { createCanvas, loadImage } = await import("@napi-rs/canvas");
  const images = await Promise.all(
    pages.map(async (lines) => {
      const png = await loadImage(await makeScanImage(lines));
      const canvas = createCanvas(png.width, png.height);
      const g = canvas.getContext("2d");
      g.drawImage(png, 0, 0);
      const rgba = g.getImageData(0, 0, png.width, png.height).data;
      const grey = Buffer.alloc(png.width * png.height);
      for (let i = 0; i < grey.length; i++) grey[i] = Math.round((rgba[i * 4] + rgba[i * 4 + 1] + rgba[i * 4 + 2]) / 3);
      return { width: png.width, height: png.height, grey };
    }),
  );
  const le = littleEndian;
  const chunks: Buffer[] = [];
  let offset = 8;
  const header = Buffer.alloc(8);
  header.write(le ? "II" : "MM", 0, "latin1");
  le ? header.writeUInt16LE(42, 2) : header.writeUInt16BE(42, 2);
  le ? header.writeUInt32LE(8, 4) : header.writeUInt32BE(8, 4);
  chunks.push(header);
  images.forEach((image, i) => {
    const tags: [number, number, number][] = [
      [256, 4, image.width],
      [257, 4, image.height],
      [258, 3, 8],
      [259, 3, 1],
      [262, 3, 1],
      [273, 4, 0], // strip offset, set below
      [277, 3, 1],
      [278, 4, image.height],
      [279, 4, image.grey.length],
    ];
    const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
    const dataAt = offset + ifd.length;
    const next = i + 1 < images.length ? dataAt + image.grey.length : 0;
    const u16 = (v: number, at: number) => (le ? ifd.writeUInt16LE(v, at) : ifd.writeUInt16BE(v, at));
    const u32 = (v: number, at: number) => (le ? ifd.writeUInt32LE(v, at) : ifd.writeUInt32BE(v, at));
    u16(tags.length, 0);
    tags.forEach(([tag, type, value], t) => {
      const at = 2 + t * 12;
      u16(tag, at);
      u16(type, at + 2);
      u32(1, at + 4);
      if (type === 3) u16(value, at + 8);
      else u32(tag === 273 ? dataAt : value, at + 8);
    });
    u32(next, 2 + tags.length * 12);
    chunks.push(ifd, image.grey);
    offset = dataAt + image.grey.length;
  });
  return Buffer.concat(chunks);
}

/** A PDF whose pages are scans (an image, no text layer) or, given lines, ordinary text pages. */
export async function makeScannedPdf(pages: ({ scan: string[] } | { text: PdfLine[] })[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const content of pages) {
    const page = doc.addPage([595, 842]);
    if ("scan" in content) {
      const image = await doc.embedJpg(await makeScanImage(content.scan, { format: "jpeg" }));
      const height = (595 * image.height) / image.width;
      page.drawImage(image, { x: 0, y: 842 - height, width: 595, height });
    } else {
      let y = 780;
      for (const { text, size = 11 } of content.text) {
        page.drawText(text, { x: 56, y, size, font });
        y -= size * 1.4;
      }
    }
  }
  return Buffer.from(await doc.save());
}

// ---- PDF ----

export type PdfLine = { text: string; size?: number };

/** One page per entry, lines top-down in Helvetica; a line's `size` defaults to 11 pt. */
export async function makePdf(pages: PdfLine[][], title?: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  if (title) doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    let y = 780;
    for (const { text, size = 11 } of lines) {
      page.drawText(text, { x: 56, y, size, font });
      y -= size * 1.4;
    }
  }
  return Buffer.from(await doc.save());
}

/** A page set in a font pdf-lib cannot write itself: `font` is the font dictionary (/F1), `ops` the content stream. */
export type RawFontPage = { font: Record<string, unknown>; ops: string };

export async function makeRawFontPdf(pages: RawFontPage[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (const { font, ops } of pages) {
    const page = doc.addPage([595, 842]);
    page.node.setFontDictionary(PDFName.of("F1"), doc.context.register(doc.context.obj(font as never)));
    page.node.set(PDFName.of("Contents"), doc.context.register(doc.context.flateStream(ops)));
  }
  return Buffer.from(await doc.save());
}

/** Lines of text at 12 pt, top-down, each a string of PDF string-operand bytes: "(Hello)" or "<48656C6C6F>". */
export const textOps = (operands: string[]) => `BT /F1 12 Tf 14 TL 56 780 Td ${operands.map((o) => `${o} Tj T*`).join(" ")} ET`;

/**
 * A CJK font as many Asian PDFs use one: not embedded, a predefined CMap (UniJIS-UCS2-H …) for
 * the encoding and a CID font of Adobe's character collection. Reading it needs Adobe's CMaps.
 */
export function cjkFont(encoding: string, ordering: "Japan1" | "GB1" | "CNS1" | "Korea1", name: string): Record<string, unknown> {
  const descriptor = {
    Type: "FontDescriptor",
    FontName: name,
    Flags: 4,
    FontBBox: [0, -120, 1000, 880],
    ItalicAngle: 0,
    Ascent: 880,
    Descent: -120,
    CapHeight: 700,
    StemV: 80,
  };
  const cidSystemInfo = { Registry: PDFString.of("Adobe"), Ordering: PDFString.of(ordering), Supplement: 2 };
  return {
    Type: "Font",
    Subtype: "Type0",
    BaseFont: name,
    Encoding: encoding,
    DescendantFonts: [{ Type: "Font", Subtype: "CIDFontType0", BaseFont: name, CIDSystemInfo: cidSystemInfo, FontDescriptor: descriptor }],
  };
}

/** Text as UCS-2 hex for a UniXX-UCS2-H CMap: "日本" → "<65E5672C>". */
export const ucs2 = (text: string) => `<${[...text].map((c) => c.charCodeAt(0).toString(16).padStart(4, "0")).join("")}>`;

/**
 * Pages whose font has no usable mapping to Unicode: each character is given the next code from
 * "!" on and a glyph name ("g1" …) that means nothing to a reader, as subset fonts without a
 * ToUnicode map do. pdf.js then takes the codes for the text: "Hello" reads `!"##$`.
 */
export function symbolSoupPages(pages: string[][]): RawFontPage[] {
  const codes = new Map<string, number>();
  for (const c of pages.flat().join("")) if (!codes.has(c)) codes.set(c, 0x21 + codes.size);
  const names = [...codes.keys()].map((_, i) => `g${i + 1}`);
  const font = { Type: "Font", Subtype: "Type1", BaseFont: "ABCDEF+Calibri", Encoding: { Type: "Encoding", Differences: [0x21, ...names] } };
  const hex = (line: string) => `<${[...line].map((c) => (codes.get(c) ?? 0x21).toString(16)).join("")}>`;
  return pages.map((lines) => ({ font, ops: textOps(lines.map(hex)) }));
}

/** A page with vector marks but no text and no image: nothing for OCR to read. */
async function markedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawRectangle({ x: 56, y: 400, width: 480, height: 300, color: rgb(0.4, 0.4, 0.4) });
  return Buffer.from(await doc.save());
}

/** A scanner's output for a page with no writing on it: an image with no text in it. */
async function blankScanPdf(): Promise<Buffer> {
  return makeScannedPdf([{ scan: [] }]);
}

// ---- ZIP and DOCX ----

/** A ZIP of the given entries; a Readable entry is compressed as it streams, so it can be huge. */
export async function makeZip(entries: [name: string, data: Buffer | string | Readable][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) {
    if (data instanceof Readable) zip.addReadStream(data, name);
    // Deflating thousands of empty entries one by one is slow and gains nothing.
    else zip.addBuffer(Buffer.from(data), name, { compress: data.length > 0 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type DocxBlock = { heading: 1 | 2 | 3; text: string } | { text: string } | { table: string[][] };

const W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function paragraphXml(text: string, style?: string): string {
  const properties = style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : "";
  return `<w:p>${properties}<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`;
}

function blockXml(block: DocxBlock): string {
  if ("table" in block) {
    const rows = block.table.map((row) => `<w:tr>${row.map((cell) => `<w:tc>${paragraphXml(cell)}</w:tc>`).join("")}</w:tr>`);
    return `<w:tbl>${rows.join("")}</w:tbl>`;
  }
  return paragraphXml(block.text, "heading" in block ? `Heading${block.heading}` : undefined);
}

const styleXml = (id: string, name: string) => `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/><w:basedOn w:val="Normal"/></w:style>`;

/** The parts of a WordprocessingML package, for tests that need to break one of them. */
export function docxParts(blocks: DocxBlock[], title?: string): [string, string][] {
  const parts: [string, string][] = [
    [
      "[Content_Types].xml",
      `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
        `<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
        `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
    ],
    [
      "_rels/.rels",
      `${XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
        `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
    ],
    [
      "word/_rels/document.xml.rels",
      `${XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    ],
    ["word/document.xml", `${XML_DECL}<w:document ${W_NS}><w:body>${blocks.map(blockXml).join("")}</w:body></w:document>`],
    [
      "word/styles.xml",
      `${XML_DECL}<w:styles ${W_NS}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
        `${styleXml("Heading1", "heading 1")}${styleXml("Heading2", "heading 2")}${styleXml("Heading3", "heading 3")}</w:styles>`,
    ],
  ];
  if (title) {
    parts.push([
      "docProps/core.xml",
      `${XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
        `xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${escapeXml(title)}</dc:title></cp:coreProperties>`,
    ]);
  }
  return parts;
}

export function makeDocx(blocks: DocxBlock[], title?: string): Promise<Buffer> {
  return makeZip(docxParts(blocks, title));
}

/** `size` bytes of one repeated character, produced as a stream so it never sits in memory. */
function repeated(size: number, char = "a"): Readable {
  const chunk = Buffer.alloc(1024 * 1024, char);
  let left = size;
  return new Readable({
    read() {
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n > 0 ? chunk.subarray(0, n) : null);
    },
  });
}

/** A DOCX whose word/document.xml inflates to `size` bytes of padding. */
function bombDocx(size: number): Promise<Buffer> {
  const parts = docxParts([{ text: "Nothing to see." }]).filter(([name]) => name !== "word/document.xml");
  return makeZip([...parts, ["word/document.xml", repeated(size)]]);
}

/**
 * Rewrites the uncompressed size `name` declares, in its local header and the central directory,
 * the trick that gets a bomb past limits that trust the declared sizes.
 */
function understateSize(zip: Buffer, name: string, declared: number): Buffer {
  const out = Buffer.from(zip);
  const headers = [
    { signature: 0x04034b50, sizeAt: 22, nameAt: 30 },
    { signature: 0x02014b50, sizeAt: 24, nameAt: 46 },
  ];
  for (const { signature, sizeAt, nameAt } of headers) {
    const marker = Buffer.alloc(4);
    marker.writeUInt32LE(signature);
    for (let i = out.indexOf(marker); i >= 0; i = out.indexOf(marker, i + 4)) {
      if (out.toString("latin1", i + nameAt, i + nameAt + name.length) === name) out.writeUInt32LE(declared, i + sizeAt);
    }
  }
  return out;
}

async function lyingDocx(): Promise<Buffer> {
  const padding = `<w:p><w:r><w:t>${"lorem ipsum ".repeat(400_000)}</w:t></w:r></w:p>`;
  const parts = docxParts([{ text: "Hello" }]).map(([name, xml]): [string, string] =>
    name === "word/document.xml" ? [name, xml.replace("<w:body>", `<w:body>${padding}`)] : [name, xml],
  );
  return understateSize(await makeZip(parts), "word/document.xml", 64 * 1024);
}

// ---- The corpus ----

export type CorpusCase = {
  name: string;
  /** The name it is uploaded under; detection must not trust its extension. */
  filename: string;
  bytes: () => Promise<Buffer>;
  /** A clean failure, or (for misnamed files) the format content detection must find. */
  expect: { code: IngestErrorCode; message: RegExp } | { format: DocumentFormat; text: RegExp };
};

const threePages = () => makePdf([1, 2, 3].map((n) => [{ text: `Chapter ${n}`, size: 20 }, { text: `This is the text of page ${n}.` }]));

export const CORPUS: CorpusCase[] = [
  {
    name: "truncated PDF",
    filename: "report.pdf",
    bytes: async () => {
      const pdf = await threePages();
      return pdf.subarray(0, Math.floor(pdf.length * 0.6));
    },
    expect: { code: "corrupt", message: /PDF could not be read.*damaged or incomplete/ },
  },
  {
    name: "PDF header followed by garbage",
    filename: "garbage.pdf",
    bytes: async () => Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))]),
    expect: { code: "corrupt", message: /PDF could not be read/ },
  },
  {
    // Made once with qpdf (pdf-lib cannot encrypt): qpdf --encrypt user owner 256 -- in.pdf out.pdf
    name: "password-protected PDF",
    filename: "secret.pdf",
    bytes: async () => fs.readFileSync(path.join(import.meta.dirname, "../fixtures/encrypted.pdf")),
    expect: { code: "encrypted", message: /^This PDF is password-protected\. Enter its password on the source/ },
  },
  {
    name: "PDF of drawings without text",
    filename: "drawing.pdf",
    bytes: markedPdf,
    expect: { code: "no_text_layer", message: /no text layer/ },
  },
  {
    name: "scanned PDF of a blank page",
    filename: "scan.pdf",
    bytes: blankScanPdf,
    expect: { code: "no_text_layer", message: /no text layer and OCR found no text/ },
  },
  {
    name: "scanned PDF",
    filename: "scan.pdf",
    bytes: () => makeScannedPdf([{ scan: ["The calibration service covers three", "microscopes and one spectrometer."] }]),
    expect: { format: "pdf", text: /calibration service covers three\nmicroscopes and one spectrometer\./ },
  },
  {
    name: "photo of a page (JPEG)",
    filename: "IMG_2041.jpg",
    bytes: () => makeScanImage(["Opening hours are nine to five on weekdays."], { format: "jpeg" }),
    expect: { format: "image", text: /^Opening hours are nine to five on weekdays\.$/ },
  },
  {
    name: "PNG cut off after its header",
    filename: "scan.png",
    bytes: async () => (await makeScanImage(["Cut off"])).subarray(0, 200),
    expect: { code: "corrupt", message: /OCR could not read this image/ },
  },
  {
    name: "PDF whose fonts turn the text into symbols",
    filename: "soup.pdf",
    bytes: () => makeRawFontPdf(symbolSoupPages([["Quarterly report", "Revenue grew in every region this quarter."]])),
    expect: { code: "unreadable_text", message: /can't be read.*wrong symbols.*OCR found no text on those pages either/ },
  },
  {
    name: "PDF with a mail header saved before %PDF-",
    filename: "scan.txt",
    bytes: async () => Buffer.concat([Buffer.from("From: scanner@example.com\r\nSubject: Scan\r\n\r\n"), await threePages()]),
    expect: { format: "pdf", text: /This is the text of page 3\./ },
  },
  { name: "zero-byte file", filename: "notes.txt", bytes: async () => Buffer.alloc(0), expect: { code: "empty", message: /empty/ } },
  {
    name: "PDF named .docx",
    filename: "report.docx",
    bytes: threePages,
    expect: { format: "pdf", text: /This is the text of page 3\./ },
  },
  {
    name: "DOCX named .pdf",
    filename: "letter.pdf",
    bytes: () => makeDocx([{ heading: 1, text: "Dear reader" }, { text: "Misnamed but fine." }]),
    expect: { format: "docx", text: /Misnamed but fine\./ },
  },
  {
    name: "DOCX zip bomb (document.xml inflates to 300 MB)",
    filename: "bomb.docx",
    bytes: () => bombDocx(300 * 1024 * 1024),
    expect: { code: "zip_bomb", message: /more than 200 MB.*zip bombs/ },
  },
  {
    name: "DOCX with a 1000:1 compressed part under the size limit",
    filename: "dense.docx",
    bytes: () => bombDocx(50 * 1024 * 1024),
    expect: { code: "zip_bomb", message: /word\/document\.xml.*compressed \d+:1.*zip bombs/ },
  },
  {
    name: "DOCX that understates its uncompressed size",
    filename: "liar.docx",
    bytes: lyingDocx,
    expect: { code: "zip_bomb", message: /more than its declared size.*zip bombs/ },
  },
  {
    name: "ZIP with thousands of entries",
    filename: "many.docx",
    bytes: () => makeZip([...docxParts([{ text: "x" }]), ...Array.from({ length: 6000 }, (_, i): [string, string] => [`word/media/${i}.txt`, ""])]),
    expect: { code: "zip_bomb", message: /holds 6,005 files, more than the 5,000 allowed/ },
  },
  {
    name: "truncated DOCX",
    filename: "cut.docx",
    bytes: async () => {
      const docx = await makeDocx([{ text: "Some text that will be cut off." }]);
      return docx.subarray(0, Math.floor(docx.length / 2));
    },
    expect: { code: "corrupt", message: /ZIP structure is damaged or incomplete/ },
  },
  {
    name: "DOCX whose document.xml is not XML",
    filename: "broken.docx",
    bytes: () => makeZip(docxParts([]).map(([name, xml]): [string, string] => [name, name === "word/document.xml" ? "<w:document <<< not xml" : xml])),
    expect: { code: "corrupt", message: /Word document could not be read/ },
  },
  {
    name: "Excel workbook named .docx",
    filename: "budget.docx",
    bytes: () =>
      makeZip([
        ["[Content_Types].xml", "<Types/>"],
        ["xl/workbook.xml", "<workbook/>"],
      ]),
    expect: { code: "unsupported_type", message: /Excel workbook.*can't be imported/ },
  },
  {
    name: "random bytes named .txt",
    filename: "notes.txt",
    bytes: async () => Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 2654435761) % 256)),
    expect: { code: "unsupported_type", message: /binary data/ },
  },
  {
    name: "GIF named .txt",
    filename: "notes.txt",
    bytes: async () => Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(64, 1)]),
    expect: { code: "unsupported_type", message: /GIF image.*can't be imported.*save it as PNG/ },
  },
  {
    name: "HTML with no content",
    filename: "page.html",
    bytes: async () =>
      Buffer.from(
        "<!doctype html><html><head><title>Empty</title><script>track()</script></head><body><nav><a href='/'>Home</a></nav><footer>©</footer></body></html>",
      ),
    expect: { code: "empty", message: /No readable text/ },
  },
  {
    name: "text file of whitespace",
    filename: "blank.txt",
    bytes: async () => Buffer.from(" \n\t\n  \r\n"),
    expect: { code: "empty", message: /no text/ },
  },
];

/**
 * What the document pipeline does with an upload: detect from the content, then extract from a
 * file on disk. A refusal at detection carries no code of its own; here it is "unsupported_type".
 */
export async function ingestFile(
  file: string,
  filename: string,
  options: ExtractOptions = { ocrLanguages: "eng" },
): Promise<{ format: DetectedFormat; document: ExtractedDocument }> {
  const bytes = fs.readFileSync(file);
  const detection = detectFormat(bytes.subarray(0, DETECT_HEAD_BYTES), filename, bytes.length);
  if (!detection.ok) throw new IngestError("unsupported_type", detection.message);
  if (detection.kind !== "raw_doc") throw new Error(`${filename} was detected as a dataset (${detection.format})`);
  return { format: detection.format, document: await extractDocument(detection.format as DocumentFormat, { path: file }, options) };
}

/** A Markdown manual of at least `bytes` (sections of plain sentences), written without holding it whole. */
export function writeLargeManual(file: string, bytes: number): void {
  const section = (i: number) => `## Procedure ${i}\n\n${`Step ${i} closes valve V${i} before the pump stops, then logs the pressure. `.repeat(40)}\n\n`;
  const out = fs.openSync(file, "w");
  try {
    for (let i = 0, size = 0; size < bytes; i++) size += fs.writeSync(out, section(i));
  } finally {
    fs.closeSync(out);
  }
}
