// OCR: a 12-page scanned PDF through extractDocument (pdf.js renders each page at the scan's own
// resolution, a greymap to Tesseract on stdin) against the bare baseline in the same process: the Tesseract CLI run, one
// page after another, on the very JPEG scans the PDF holds. The ratio is what opening the PDF,
// rendering, encoding and our pipeline add; the words read are compared page by page.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { extractDocument } from "@/lib/ingest";
import { ocrEngine } from "@/lib/ingest/ocr";
import { makeScanImage, makeScannedPdf } from "@/tests/support/corpus";
import { row, timed, verdict } from "./support";

const PAGES = 12;
const lines = (page: number) => Array.from({ length: 14 }, (_, i) => `Page ${page}, line ${i + 1}: the warranty covers parts and labour for two full years.`);

export async function benchOcr(): Promise<void> {
  console.log(`\n== ocr: ${PAGES} scanned pages, ours (render + OCR per page) vs the Tesseract CLI on the same pages ==`);
  if (!(await ocrEngine())) {
    console.log("Tesseract is not installed here (apt-get install tesseract-ocr tesseract-ocr-eng): skipped.");
    return;
  }
  const pdf = await makeScannedPdf(Array.from({ length: PAGES }, (_, i) => ({ scan: lines(i + 1) })));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-bench-ocr-"));
  try {
    // The baseline's input: the scans the PDF embeds (the same JPEG bytes), written before the clock starts.
    const scans = await Promise.all(Array.from({ length: PAGES }, (_, i) => makeScanImage(lines(i + 1), { format: "jpeg" })));
    const files = scans.map((jpeg, i) => {
      const file = path.join(dir, `page-${i + 1}.jpg`);
      fs.writeFileSync(file, jpeg);
      return file;
    });
    // Warm-up of both sides (Tesseract's language data in the page cache, pdf.js loaded).
    execFileSync("tesseract", [files[0], "stdout", "-l", "eng"], { env: { ...process.env, OMP_THREAD_LIMIT: "1" }, stdio: ["ignore", "pipe", "ignore"] });
    await extractDocument("pdf", { bytes: await makeScannedPdf([{ scan: lines(0) }]) }, { ocrLanguages: "eng" });

    const bare = await timed(async () =>
      files.map((file) =>
        execFileSync("tesseract", [file, "stdout", "-l", "eng", "--psm", "3"], {
          env: { ...process.env, OMP_THREAD_LIMIT: "1" },
          stdio: ["ignore", "pipe", "ignore"],
        }).toString(),
      ),
    );
    const ours = await timed(() => extractDocument("pdf", { bytes: pdf }, { ocrLanguages: "eng" }));
    const doc = ours.value;
    const same = doc.pages.every((span, i) => {
      const text = doc.text.slice(span.start, span.end).replace(/\s+/g, " ").trim();
      return text === bare.value[i].replace(/\s+/g, " ").trim();
    });
    const words = lines(1).join(" ").split(" ").length * PAGES;
    const found = doc.text.split(/\s+/).filter(Boolean).length;
    row("bare Tesseract CLI", `${bare.ms.toFixed(0)} ms`, `${(bare.ms / PAGES).toFixed(0)} ms/page`);
    row("ours (pdf.js render + Tesseract)", `${ours.ms.toFixed(0)} ms`, `${(ours.ms / PAGES).toFixed(0)} ms/page`);
    row("words read / written", `${found} / ${words}`);
    row("same words as the CLI on every page", same ? "yes" : "no (the render reads a little differently)");
    const ratio = bare.ms / ours.ms;
    verdict("ocr throughput ours/bare", ratio, ">= 0.7", ratio >= 0.7);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
