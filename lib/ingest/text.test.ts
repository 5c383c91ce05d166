import { describe, expect, it } from "vitest";
import { extractDocument } from "./index";
import { markdownSections } from "./markdown";
import { decodeText, sniffEncoding } from "./text";

const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);

describe("text decoding", () => {
  it("decodes UTF-16 LE with a BOM", async () => {
    const doc = await extractDocument("text", { bytes: utf16le("Grüße aus Köln\r\nZweite Zeile – 100 €") });
    expect(doc.text).toBe("Grüße aus Köln\nZweite Zeile – 100 €");
    expect(doc.metadata).toEqual({ encoding: "utf-16le" });
  });

  it("decodes UTF-16 BE with a BOM, and UTF-16 LE without one", () => {
    const be = Buffer.from("Hello, world", "utf16le").swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({ text: "Hello, world", encoding: "utf-16be" });
    expect(decodeText(Buffer.from("Plain ASCII without a BOM", "utf16le"))).toEqual({ text: "Plain ASCII without a BOM", encoding: "utf-16le" });
  });

  it("falls back to Windows-1252 when the bytes are not UTF-8", async () => {
    const doc = await extractDocument("text", { bytes: Buffer.from([...Buffer.from("Caf"), 0xe9, 0x20, 0x80, 0x35, 0x0d, 0x4e, 0xe4, 0x68]) });
    expect(doc.text).toBe("Café €5\nNäh");
    expect(doc.metadata).toEqual({ encoding: "windows-1252" });
  });

  it("takes UTF-8 with or without a BOM", () => {
    expect(decodeText(Buffer.from("\ufeffnaïve", "utf8"))).toEqual({ text: "naïve", encoding: "utf-8" });
    expect(decodeText(Buffer.from("naïve", "utf8"))).toEqual({ text: "naïve", encoding: "utf-8" });
  });

  it("keeps paragraphs and normalises line breaks and spacing", async () => {
    const doc = await extractDocument("text", { bytes: Buffer.from("\r\n\r\nFirst line  \r\nsecond line\r\n\r\n\r\n\r\nNext paragraph\rend\n\n") });
    expect(doc.text).toBe("First line\nsecond line\n\nNext paragraph\nend");
  });

  it("sees a head cut inside a UTF-8 character as UTF-8, and binary as binary", () => {
    const bytes = Buffer.from("ab€", "utf8");
    expect(sniffEncoding(bytes.subarray(0, 3), false)).toBe("utf-8");
    expect(sniffEncoding(Buffer.from([0x00, 0x01, 0x02, 0xff]))).toBeUndefined();
    expect(() => decodeText(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(expect.objectContaining({ code: "binary" }));
  });
});

describe("Markdown", () => {
  it("keeps the markdown, drops front matter and finds ATX and setext headings", async () => {
    const source = [
      "---",
      "title: Deploy Guide",
      "tags: [ops]",
      "---",
      "# Deploying",
      "",
      "Intro text.",
      "",
      "Setup",
      "-----",
      "",
      "```sh",
      "# not a heading",
      "```",
      "",
      "## Rollback ##",
      "",
      "Text",
      "===",
    ].join("\n");
    const doc = await extractDocument("markdown", { bytes: Buffer.from(source) });
    expect(doc.text.startsWith("# Deploying\n\nIntro text.")).toBe(true);
    expect(doc.text).toContain("```sh\n# not a heading\n```");
    expect(doc.sections.map(({ heading, level }) => [heading, level])).toEqual([
      ["Deploying", 1],
      ["Setup", 2],
      ["Rollback", 2],
      ["Text", 1],
    ]);
    for (const s of doc.sections) expect(doc.text.slice(s.start).split("\n")[0]).toContain(s.heading);
    expect(doc.metadata).toEqual({ encoding: "utf-8", title: "Deploy Guide" });
  });

  it("does not take list items, thematic breaks or #hashtags for headings", () => {
    expect(markdownSections("- item\n---\n\n---\n\n#hashtag\n#\n\n> quote\n===")).toEqual([]);
  });
});
