// A streaming XLSX (Office Open XML) workbook of one sheet: the few fixed parts of the package,
// and the sheet's rows written as inline strings as they arrive, zipped by yazl. Streaming keeps
// a dataset export's memory flat at any size (the library writers build the whole workbook in
// memory, or pull in a dozen dependencies for a streaming mode). Inline strings are never
// formulas, so generated text cannot run in the spreadsheet as CSV's could.
import { Readable } from "node:stream";
import { ZipFile } from "yazl";

/** Excel's limit on one cell's text; longer text is cut there (and counted) so the file opens. */
export const MAX_CELL_CHARS = 32_767;
/** Excel's limit on rows per sheet. */
export const MAX_SHEET_ROWS = 1_048_576;

const CHUNK_CHARS = 64 * 1024;
const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const CONTENT_TYPES = `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>`;

const ROOT_RELS = `${HEAD}<Relationships xmlns="${PKG_REL}">\
<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const WORKBOOK_RELS = `${HEAD}<Relationships xmlns="${PKG_REL}">\
<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`;

// Style 0: wrapped text, top-aligned (long answers read as paragraphs); style 1: the same, bold (the header).
const STYLES = `${HEAD}<styleSheet xmlns="${MAIN}">\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

/** A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ]. */
export function sheetName(name: string): string {
  return (
    name
      .replace(/[:\\/?*[\]]/g, " ")
      .trim()
      .slice(0, 31) || "Sheet1"
  );
}

function workbook(name: string): string {
  return `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="${escapeXml(sheetName(name))}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
}

// XML 1.0 cannot hold C0 controls other than tab, LF and CR, lone surrogates, U+FFFE or U+FFFF.
const NOT_XML = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;" };

export function escapeXml(text: string): string {
  // A raw CR would be read back as a line feed (XML's end-of-line rule), so it goes as a reference.
  return text.replace(NOT_XML, "").replace(/[&<>"\r]/g, (c) => ENTITIES[c]);
}

/** "A", "B", … "Z", "AA": a column's letters from its 0-based index. */
export function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export type SheetTally = { truncatedCells: number };

function rowXml(cells: readonly string[], row: number, style: 0 | 1, tally: SheetTally): string {
  let xml = `<row r="${row}">`;
  for (const [i, value] of cells.entries()) {
    let text = value;
    if (text.length > MAX_CELL_CHARS) {
      // Cut on a code point boundary.
      text = text.slice(0, MAX_CELL_CHARS).replace(/[\uD800-\uDBFF]$/, "");
      tally.truncatedCells += 1;
    }
    xml += `<c r="${columnName(i)}${row}" t="inlineStr"${style ? ` s="${style}"` : ""}><is><t xml:space="preserve">${escapeXml(text)}</t></is></c>`;
  }
  return `${xml}</row>`;
}

async function* sheetXml(header: readonly string[], rows: AsyncIterable<readonly string[]>, tally: SheetTally): AsyncGenerator<string> {
  let chunk =
    `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    `<cols><col min="1" max="${header.length}" width="60" customWidth="1"/></cols><sheetData>` +
    rowXml(header, 1, 1, tally);
  let row = 1;
  for await (const cells of rows) {
    if (row >= MAX_SHEET_ROWS) throw new Error(`A sheet holds at most ${MAX_SHEET_ROWS.toLocaleString("en")} rows.`);
    row += 1;
    chunk += rowXml(cells, row, 0, tally);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  yield `${chunk}</sheetData></worksheet>`;
}

/**
 * The .xlsx file's bytes as a stream: a header row, then `rows` as they are read (backpressure
 * reaches the source); at most MAX_SHEET_ROWS - 1 of them. `tally` is filled in as the sheet is written.
 */
export function xlsxStream(name: string, header: readonly string[], rows: AsyncIterable<readonly string[]>, tally: SheetTally): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  zip.on("error", (error: Error) => output.destroy(error));
  zip.addBuffer(Buffer.from(CONTENT_TYPES), "[Content_Types].xml");
  zip.addBuffer(Buffer.from(ROOT_RELS), "_rels/.rels");
  zip.addBuffer(Buffer.from(workbook(name)), "xl/workbook.xml");
  zip.addBuffer(Buffer.from(WORKBOOK_RELS), "xl/_rels/workbook.xml.rels");
  zip.addBuffer(Buffer.from(STYLES), "xl/styles.xml");
  zip.addReadStreamLazy("xl/worksheets/sheet1.xml", (callback) => {
    const sheet = Readable.from(sheetXml(header, rows, tally), { objectMode: false });
    sheet.on("error", (error) => output.destroy(error));
    output.once("close", () => sheet.destroy());
    callback(null, sheet);
  });
  zip.end();
  return output;
}
