// streamText gives, piece by piece, exactly the text extractText gives for the whole file,
// wherever the pieces are cut (inside \r\n, inside a UTF-8 character, inside a blank-line run).
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { extractText, streamText } from "./text";

async function streamed(bytes: Buffer, cut: (i: number) => number): Promise<{ text: string; encoding: string }> {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, cut(i));
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  const head = bytes.subarray(0, 64 * 1024);
  const { encoding, pieces: text } = streamText(Readable.from(pieces), head, head.length === bytes.length);
  let out = "";
  for await (const piece of text) out += piece;
  return { text: out, encoding };
}

const SAMPLES: Record<string, Buffer> = {
  "CRLF, trailing spaces and blank-line runs": Buffer.from("\r\n\r\n  Title  \r\n\r\n\r\n\r\nFirst line\t \r\nsecond line\u00a0\r\n\r\n\r\n\r\nLast\r\n\r\n"),
  "old Mac line ends, form feeds and vertical tabs": Buffer.from("one\rtwo\r\rthree\fpage two\vsoft break  end\n"),
  "multi-byte UTF-8 and line separators": Buffer.from("Größe — 日本語のテキスト 🙂  \u2028next  \u2029para\n\n\n\nΩmega\n"),
  "windows-1252": Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x75, 0x6f, 0x74, 0x65, 0x94, 0x0d, 0x0a, 0x0d, 0x0a, 0x0d, 0x0a, 0x80, 0x35]),
  "UTF-16LE with a BOM": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Héllo\r\n\r\n\r\nwörld  \r\n", "utf16le")]),
  "a long document": Buffer.from(
    Array.from({ length: 400 }, (_, i) => `Paragraph ${i}: ${"the warranty covers parts and labour; ".repeat(i % 7)}  \r\n${i % 3 ? "" : "\r\n\r\n\r\n"}`).join(
      "\n",
    ),
  ),
};

describe("streamText", () => {
  for (const [name, bytes] of Object.entries(SAMPLES)) {
    it(`matches extractText on ${name}, whatever the piece sizes`, async () => {
      const whole = extractText(bytes);
      for (const cut of [() => 1, () => 2, () => 3, (i: number) => (i * 7919) % 13, () => 4096, () => bytes.length]) {
        const got = await streamed(bytes, cut);
        expect(got.text).toBe(whole.text);
        expect(got.encoding).toBe(whole.metadata.encoding);
      }
    });
  }

  it("matches extractText on lines far longer than a piece, passing them on before their end", async () => {
    const word = (i: number) => (i % 97 === 0 ? "end.\u00a0 \t\u2028next" : i % 31 === 0 ? "wide\t \u00a0" : `w${i}`);
    const longLine = (n: number, seed: number) => Array.from({ length: n }, (_, i) => word(i + seed)).join(" ");
    const bytes = Buffer.from(
      `${longLine(40_000, 0)}   \t\r\n\r\n\r\n${"   ".repeat(700)}x${longLine(30_000, 5)}\u00a0\u00a0\n\n\nshort\n${longLine(50_000, 9)} \t `,
    );
    const whole = extractText(bytes);
    for (const cut of [() => 4096, (i: number) => 1000 + ((i * 7919) % 70_000), () => 256 * 1024]) {
      expect((await streamed(bytes, cut)).text).toBe(whole.text);
    }
    // Nothing waits for the end of the line: the first pieces come out before the line ends.
    const { pieces } = streamText(Readable.from([bytes.subarray(0, 200_000), bytes.subarray(200_000)]), bytes.subarray(0, 65_536), false);
    const first = await pieces.next();
    expect(first.value.length).toBeGreaterThan(150_000);
    expect(first.value).not.toContain("\n");
  });

  it("refuses binary data with the same message as the whole-file path", () => {
    const binary = Buffer.from([0x00, 0x01, 0x02, 0x03, 0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a, 0x00]);
    expect(() => streamText(Readable.from([binary]), binary, true)).toThrow(/binary data/);
    expect(() => extractText(binary)).toThrow(/binary data/);
  });
});
