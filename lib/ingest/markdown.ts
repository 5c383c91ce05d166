// Markdown is kept as written (the markup helps the model as much as it helps people); only YAML
// front matter is removed. Sections come from ATX (# …) and setext (underlined) headings.
import { parse as parseYaml } from "yaml";
import { decodeText, tidyText } from "./text";
import type { ExtractedDocument, SectionMark } from "./types";

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
/** Lines that open some other block, so a following underline is not a setext heading. */
const OTHER_BLOCK = /^ {0,3}([-+*][ \t]|\d{1,9}[.)][ \t]|>)|^( {4}|\t)/;

export function extractMarkdown(bytes: Uint8Array): ExtractedDocument {
  const { text: raw, encoding } = decodeText(bytes);
  const { body, title: frontMatterTitle } = splitFrontMatter(tidyText(raw));
  const text = tidyText(body);
  const sections = markdownSections(text);
  const title = frontMatterTitle ?? sections.find((s) => s.level === 1)?.heading;
  return { text, pages: [], sections, metadata: { encoding, ...(title ? { title } : {}) } };
}

function splitFrontMatter(text: string): { body: string; title?: string } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { body: text };
  let title: string | undefined;
  try {
    const data: unknown = parseYaml(match[1]);
    const value = data && typeof data === "object" ? (data as Record<string, unknown>).title : undefined;
    if (typeof value === "string" && value.trim()) title = value.trim();
  } catch {
    // Malformed front matter is still front matter; it just has no usable title.
  }
  return { body: text.slice(match[0].length), title };
}

export function markdownSections(text: string): SectionMark[] {
  const sections: SectionMark[] = [];
  let fence: string | undefined;
  // The open paragraph, which an underline turns into a setext heading.
  let paragraph: { start: number; lines: string[] } | undefined;
  let inOtherBlock = false;
  let offset = 0;
  for (const line of text.split("\n")) {
    const start = offset;
    offset += line.length + 1;
    if (fence) {
      const close = FENCE_CLOSE.exec(line)?.[1];
      if (close && close[0] === fence[0] && close.length >= fence.length) fence = undefined;
      continue;
    }
    const atx = ATX.exec(line);
    const underline = SETEXT_UNDERLINE.exec(line);
    if (line.trim() === "") {
      inOtherBlock = false;
    } else if (FENCE.test(line)) {
      fence = FENCE.exec(line)![1];
    } else if (atx) {
      const heading = (atx[2] ?? "").trim();
      if (heading) sections.push({ heading, level: atx[1].length, start });
    } else if (underline) {
      // Without a paragraph above, a line of dashes is a thematic break.
      if (paragraph) {
        sections.push({ heading: paragraph.lines.join(" "), level: underline[1][0] === "=" ? 1 : 2, start: paragraph.start });
      }
    } else if (OTHER_BLOCK.test(line) || inOtherBlock) {
      inOtherBlock = true;
    } else {
      paragraph ??= { start, lines: [] };
      paragraph.lines.push(line.trim());
      continue;
    }
    paragraph = undefined;
  }
  return sections;
}
