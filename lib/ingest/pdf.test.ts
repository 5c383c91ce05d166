import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makePdf } from "@/tests/support/corpus";
import { extractDocument } from "./index";

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
