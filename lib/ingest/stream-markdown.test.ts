// streamMarkdown gives, piece by piece, exactly extractMarkdown's text, sections and metadata
// (front matter, setext headings, fences, CRLF …), wherever the pieces are cut; chunking its pieces
// with its sections gives exactly chunkDocument's chunks of the whole-file extraction.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { chunkDocument, chunkStream } from "@/lib/chunking";
import type { TextChunk } from "@/lib/chunking/types";
import { extractDocument } from "./index";
import { extractMarkdown, MARKDOWN_STREAM_HOLD_CHARS, streamMarkdown } from "./markdown";

function cutter(bytes: Buffer, cut: (i: number) => number): () => Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, cut(i));
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return () => Readable.from(pieces);
}

async function streamed(bytes: Buffer, cut: (i: number) => number) {
  const head = bytes.subarray(0, 64 * 1024);
  const md = await streamMarkdown(cutter(bytes, cut), head, head.length === bytes.length);
  if (!md) return undefined;
  let text = "";
  for await (const piece of md.pieces) text += piece;
  return { text, sections: md.sections, metadata: md.metadata, blank: md.blank };
}

async function collect(chunks: AsyncIterable<TextChunk>): Promise<TextChunk[]> {
  const out: TextChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

const body = (topic: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${topic} ${i}: the warranty covers parts and labour for two years.  ${"Claims go through support. ".repeat(i % 5)}`,
  ).join("\r\n\r\n\r\n");

const SAMPLES: Record<string, string> = {
  "front matter with a title, ATX and setext headings, fences": `---\ntitle: "Warranty guide"\ntags: [a, b]\n---\n\n\n# Overview\n\n${body("Overview", 6)}\n\nSetext heading\nspanning two lines\n==================\n\n${body("Setext", 4)}\n\n\`\`\`md\n# not a heading\n\`\`\`\n\nSub heading\n-----------\n\n## Closing ##\n\n${body("Closing", 3)}\n`,
  "front matter without a title (the first H1 is the title)": "---\nauthor: me\n...\n# First\n\ntext\n\n# Second\n\nmore text\n",
  "malformed front matter": "---\ntitle: [unclosed\n---\n## Only an H2\n\nBody.\n",
  "a first line of dashes and no closing line": "---\nnot front matter, a thematic break\n\n# Heading\n\nBody text.\n",
  "a closing line right after the opening one": "---\n---\n# Heading\n\nBody.\n---\nafter\n",
  "an empty line then the closing line": "---\n\n---\nBody after empty front matter.\n",
  "a thematic break without a paragraph, lists and quotes": "- item\n---\n\n---\n\n#hashtag\n#\n\n> quote\n===\n\nPara\n===\n",
  "CRLF, trailing spaces and tabs": "  # Indented heading   \r\n\r\n\r\n\r\nText\t \r\nmore\r\n\r\nUnder\r\n---\r\n",
  "multi-byte text": "# Größe 🙂\n\n日本語のテキスト。\u2028次\n\n## Ωmega\n\nΩ text 🙂🙂🙂\n",
  "front matter only": "---\ntitle: Nothing else\n---\n\n",
};

describe("streamMarkdown", () => {
  for (const [name, source] of Object.entries(SAMPLES)) {
    it(`matches extractMarkdown on ${name}, whatever the piece sizes`, async () => {
      const bytes = Buffer.from(source);
      const whole = extractMarkdown(bytes);
      for (const cut of [() => 1, () => 3, (i: number) => (i * 7919) % 13, () => 4096, () => bytes.length]) {
        const got = await streamed(bytes, cut);
        expect(got).toBeDefined();
        expect(got!.text).toBe(whole.text);
        expect(got!.sections).toEqual(whole.sections);
        expect(got!.metadata).toEqual(whole.metadata);
        expect(got!.blank).toBe(!whole.text.trim());
      }
    });
  }

  it("matches on UTF-16 with a BOM", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("# Titre\r\n\r\nHéllo\r\n\r\n## Deux\r\n\r\nwörld\r\n", "utf16le")]);
    const whole = extractMarkdown(bytes);
    const got = await streamed(bytes, () => 5);
    expect(got!.text).toBe(whole.text);
    expect(got!.sections).toEqual(whole.sections);
    expect(got!.metadata).toEqual(whole.metadata);
  });

  it("chunks into exactly chunkDocument's chunks of the whole-file extraction, section metadata included", async () => {
    const parts = ["---\ntitle: Handbook\n---\n"];
    for (let s = 0; s < 40; s++) {
      parts.push(s % 3 === 0 ? `Section ${s}\n${"=".repeat(10)}\n` : `${"#".repeat(1 + (s % 4))} Section ${s}\n`);
      parts.push(body(`S${s}`, 3 + (s % 7)));
    }
    const bytes = Buffer.from(parts.join("\n\n"));
    const doc = await extractDocument("markdown", { bytes });
    for (const options of [
      { chunkSizeTokens: 512, chunkOverlapTokens: 50 },
      { chunkSizeTokens: 64, chunkOverlapTokens: 8 },
    ]) {
      const expected = chunkDocument(doc, options);
      expect(new Set(expected.map((c) => c.metadata.section)).size).toBeGreaterThan(options.chunkSizeTokens === 64 ? 30 : 10);
      for (const cut of [() => 7, () => 64 * 1024]) {
        const md = await streamMarkdown(cutter(bytes, cut), bytes.subarray(0, 64 * 1024), bytes.length <= 64 * 1024);
        const chunks = await collect(chunkStream(md!.pieces, options, { pages: [], sections: md!.sections }));
        expect(chunks).toEqual(expected);
      }
    }
  });

  it("leaves to extractMarkdown a file that would need more than the hold limit held at once", async () => {
    const long = "x".repeat(MARKDOWN_STREAM_HOLD_CHARS + 10);
    const cases = [
      `# Title\n\n${long}\n`, // one line
      `---\ntitle: t\n${Array.from({ length: 20 }, () => `k: ${"y".repeat(MARKDOWN_STREAM_HOLD_CHARS / 10)}`).join("\n")}\n---\nBody\n`, // front matter
      `${Array.from({ length: 20 }, () => "z ".repeat(MARKDOWN_STREAM_HOLD_CHARS / 20)).join("\n")}\n===\n`, // an underlined paragraph
    ];
    for (const source of cases) expect(await streamed(Buffer.from(source), () => 64 * 1024)).toBeUndefined();
    // A long paragraph is fine as long as no underline makes it a heading.
    const paragraph = `${Array.from({ length: 20 }, () => "z ".repeat(MARKDOWN_STREAM_HOLD_CHARS / 20)).join("\n")}\n\nnext\n===\n`;
    const got = await streamed(Buffer.from(paragraph), () => 64 * 1024);
    expect(got!.sections).toEqual(extractMarkdown(Buffer.from(paragraph)).sections);
  });
});
