// OCR with the machine's Tesseract (Debian's tesseract-ocr and its tesseract-ocr-<lang> packs),
// run on the worker for images and for PDF pages without a text layer. Tesseract is called with
// fixed arguments and the image on stdin, never through a shell; the only value a tenant
// chooses, the languages, must name packs installed here. One thread per call (the worker has
// other jobs), a time limit per image, and images are refused above a pixel budget before
// Tesseract would allocate them.
import { execFile } from "node:child_process";
import { OCR_LANGUAGES_PATTERN } from "./ocr-languages";
import { IngestError } from "./types";

/** One page of OCR text, with Tesseract's mean word confidence (0–100), undefined when no words were found. */
export type OcrPage = { text: string; confidence: number | undefined };

export type OcrOptions = {
  /** Tesseract language codes joined by "+", e.g. "eng" or "eng+deu". */
  languages: string;
  signal?: AbortSignal;
};

/** Largest image Tesseract is given, in pixels (a 600 dpi A3 scan is about 70 M). */
export const MAX_OCR_PIXELS = 80_000_000;
const TIMEOUT_MS = 180_000;
const TESSERACT = process.env.TESSERACT_PATH || "tesseract";

type Engine = { version: string; languages: string[] };
let engine: Promise<Engine | undefined> | undefined;
let missingSince: number | undefined;

function run(args: string[], input?: Buffer, signal?: AbortSignal): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      // A program on the worker's PATH, not a file of the app for the bundler to trace.
      /*turbopackIgnore: true*/ TESSERACT,
      args,
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS, killSignal: "SIGKILL", signal, env: { ...process.env, OMP_THREAD_LIMIT: "1" } },
      (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr })),
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(input);
  });
}

/**
 * Tesseract's version and installed languages, or undefined when it is not installed. Found once
 * per process; not finding it is forgotten after a minute (the launcher may be installing it).
 */
export function ocrEngine(): Promise<Engine | undefined> {
  if (engine && missingSince && Date.now() - missingSince > 60_000) engine = undefined;
  engine ??= (async () => {
    try {
      const version = await run(["--version"]);
      const list = await run(["--list-langs"]);
      const languages = list.stdout
        .split("\n")
        .slice(1)
        .map((l) => l.trim())
        .filter((l) => /^[A-Za-z0-9_]+$/.test(l) && l !== "osd");
      missingSince = undefined;
      return { version: /tesseract\s+(\S+)/i.exec(version.stdout + version.stderr)?.[1] ?? "unknown", languages };
    } catch {
      missingSince = Date.now();
      return undefined;
    }
  })();
  return engine;
}

/** Why OCR in these languages cannot run here (an IngestError that says what to install), or undefined when it can. */
export async function ocrProblem(languages: string): Promise<IngestError | undefined> {
  return readyEngine(languages).then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof IngestError) return error;
      throw error;
    },
  );
}

/** The engine, with the languages checked against the installed packs; an IngestError says what is missing. */
async function readyEngine(languages: string): Promise<Engine> {
  const found = await ocrEngine();
  if (!found) {
    throw new IngestError(
      "ocr_unavailable",
      "This needs OCR, and Tesseract is not installed on the worker machine. Install it there (apt-get install tesseract-ocr tesseract-ocr-eng) and process the source again.",
    );
  }
  if (!OCR_LANGUAGES_PATTERN.test(languages)) {
    throw new IngestError("ocr_unavailable", `The project's OCR languages "${languages}" are not language codes like eng or eng+deu.`);
  }
  const missing = languages.split("+").filter((l) => !found.languages.includes(l));
  if (missing.length) {
    throw new IngestError(
      "ocr_unavailable",
      `OCR language ${missing.join(", ")} is not installed on the worker machine (installed: ${found.languages.join(", ") || "none"}). Install tesseract-ocr-${missing[0]} there or change the project's OCR languages.`,
    );
  }
  return found;
}

/**
 * Width and height from a PNG, JPEG or TIFF header (TIFF: the first page), undefined when the
 * header does not say. Used to refuse an image Tesseract would need gigabytes to open.
 */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let at = 2;
    while (at + 9 < bytes.length && bytes[at] === 0xff) {
      const marker = bytes[at + 1];
      const length = bytes.readUInt16BE(at + 2);
      // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
      }
      at += 2 + length;
    }
    return undefined;
  }
  const order = bytes.subarray(0, 2).toString("latin1");
  if ((order === "II" || order === "MM") && bytes.length >= 8) {
    const le = order === "II";
    const u16 = (at: number) => (le ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
    const u32 = (at: number) => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
    const ifd = u32(4);
    if (ifd + 2 > bytes.length) return undefined;
    const size: { width?: number; height?: number } = {};
    for (let i = 0, n = u16(ifd); i < n && ifd + 2 + i * 12 + 12 <= bytes.length; i++) {
      const entry = ifd + 2 + i * 12;
      const [tag, type] = [u16(entry), u16(entry + 2)];
      const value = type === 3 ? u16(entry + 8) : u32(entry + 8);
      if (tag === 256) size.width = value;
      if (tag === 257) size.height = value;
    }
    return size.width && size.height ? { width: size.width, height: size.height } : undefined;
  }
  return undefined;
}

/**
 * Text of an image (PNG, JPEG or TIFF; a multi-page TIFF gives a page each), laid out as
 * Tesseract found it: lines of a paragraph joined by "\n", paragraphs by a blank line.
 */
export async function recognize(image: Buffer, options: OcrOptions): Promise<OcrPage[]> {
  await readyEngine(options.languages);
  const size = imageSize(image);
  if (size && size.width * size.height > MAX_OCR_PIXELS) {
    throw new IngestError(
      "too_large",
      `This image is ${size.width} × ${size.height} pixels, more than OCR takes (${MAX_OCR_PIXELS / 1e6} megapixels). Scan it at 300 dpi or shrink it, then upload it again.`,
    );
  }
  try {
    const { stdout } = await run(["stdin", "stdout", "-l", options.languages, "--psm", "3", "tsv"], image, options.signal);
    return readTsv(stdout);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    const e = error as { killed?: boolean; stderr?: string };
    if (e.killed) throw new IngestError("corrupt", `OCR took longer than ${TIMEOUT_MS / 60_000} minutes on one image and was stopped.`);
    // Tesseract's own words (Leptonica's reader errors) stay in the cause, for the logs.
    const wrapped = new IngestError("corrupt", "OCR could not read this image: it looks damaged or cut off. Save it again as PNG or JPEG and upload that.");
    wrapped.cause = error;
    throw wrapped;
  }
}

/**
 * Tesseract's TSV: one row per word (level 5) with page, block, paragraph and line numbers and a
 * confidence. Pages come back in order; the confidence is the mean over words, weighted by length.
 */
export function readTsv(tsv: string): OcrPage[] {
  let last = 0;
  const pages = new Map<number, { paragraphs: string[][]; line: string[]; key: string; paragraph: string; weight: number; sum: number }>();
  for (const row of tsv.split("\n").slice(1)) {
    const cells = row.split("\t");
    if (cells.length >= 2 && Number(cells[1]) > last) last = Number(cells[1]);
    if (cells.length < 12 || cells[0] !== "5") continue;
    const word = cells.slice(11).join("\t").trim();
    if (!word) continue;
    const [page, block, par, line] = cells.slice(1, 5).map(Number);
    const conf = Number(cells[10]);
    let p = pages.get(page);
    if (!p) {
      p = { paragraphs: [], line: [], key: "", paragraph: "", weight: 0, sum: 0 };
      pages.set(page, p);
    }
    const paragraph = `${block}.${par}`;
    const key = `${paragraph}.${line}`;
    if (paragraph !== p.paragraph) {
      p.paragraphs.push([]);
      p.paragraph = paragraph;
    }
    if (key !== p.key) {
      p.line = [];
      p.paragraphs[p.paragraphs.length - 1].push("");
      p.key = key;
    }
    p.line.push(word);
    const lines = p.paragraphs[p.paragraphs.length - 1];
    lines[lines.length - 1] = p.line.join(" ");
    if (conf >= 0) {
      p.sum += conf * word.length;
      p.weight += word.length;
    }
  }
  return Array.from({ length: last }, (_, i) => {
    const p = pages.get(i + 1);
    if (!p) return { text: "", confidence: undefined };
    return { text: p.paragraphs.map((lines) => lines.join("\n")).join("\n\n"), confidence: p.weight ? p.sum / p.weight : undefined };
  });
}

/** "94 %" for a confidence, or "no words" for a page where none were found. */
export function describeConfidence(confidence: number | undefined): string {
  return confidence === undefined ? "no words found" : `confidence ${Math.round(confidence)} %`;
}
