// A ZIP of Markdown (a book's or a docs site's source folder): its chapters become one document,
// in SUMMARY.md's order when the archive has one (mdBook, GitBook), else in path order, with
// relative include directives resolved from the archive: mdBook's {{#include file}},
// {{#include file:2:10}} (lines), {{#include file:name}} (an ANCHOR: name … ANCHOR_END: name
// block) and {{#rustdoc_include …}}, and MkDocs' --8<-- "file". Paths resolve inside the archive
// only; what is missing stays as written and is counted in the warning.
import path from "node:path/posix";
import { markdownSections, unresolvedIncludes } from "./markdown";
import { decodeText, tidyText } from "./text";
import { type ExtractedDocument, IngestError } from "./types";
import { type FileSource, readZipEntries } from "./zip";

const MARKDOWN = /\.(md|markdown|mdx)$/i;
/** Text files an include may pull in (listings, snippets). */
const INCLUDABLE =
  /\.(md|markdown|mdx|txt|rs|py|js|ts|tsx|jsx|go|java|kt|c|h|cc|cpp|hpp|cs|rb|php|sh|toml|yaml|yml|json|sql|html|css|swift|scala|hs|ex|exs|lua|r|jl|dart|zig)$/i;
const MAX_TEXT_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 5;

export async function extractMarkdownZip(source: FileSource): Promise<ExtractedDocument> {
  const entries = await readZipEntries(source, (name) => INCLUDABLE.test(name) && !name.startsWith("__MACOSX/"), MAX_TEXT_BYTES);
  const files = new Map<string, string>();
  for (const [name, bytes] of entries) files.set(path.normalize(name), tidyText(decodeText(bytes).text));
  const { chapters: linked, rest } = chapterOrder(files);
  if (!linked.length && !rest.length)
    throw new IngestError("unsupported_type", "This ZIP archive holds no Markdown files (.md). Upload the documents themselves, or a ZIP of Markdown.");
  let resolved = 0;
  const included = new Set<string>();
  const resolve = (text: string, from: string, depth: number): string =>
    text.replace(INCLUDE, (directive, escaped: string | undefined, _kind: string, target: string, snippet: string) => {
      if (escaped) return directive;
      const [file, ...selector] = (target ?? snippet)
        .trim()
        .replace(/^["']|["']$/g, "")
        .split(":");
      const key = path.normalize(path.join(path.dirname(from), file));
      const content = key.startsWith("..") ? undefined : files.get(key);
      if (content === undefined || depth >= MAX_DEPTH) return directive;
      const part = select(content, selector);
      if (part === undefined) return directive;
      resolved++;
      included.add(key);
      return resolve(part.replace(/\n$/, ""), key, depth + 1);
    });
  // The summary's chapters first; then Markdown it does not list, unless it was included somewhere.
  const parts = linked.map((name) => resolve(files.get(name)!, name, 0).trim());
  const resolvedRest = rest.map((name) => [name, resolve(files.get(name)!, name, 0).trim()] as const);
  const others = resolvedRest.filter(([name]) => !included.has(name));
  parts.push(...others.map(([, text]) => text));
  const chapters = [...linked, ...others.map(([name]) => name)];
  const text = parts.filter(Boolean).join("\n\n");
  const includes = unresolvedIncludes(text);
  return {
    text,
    pages: [],
    sections: markdownSections(text),
    metadata: { chapters: chapters.length, includesResolved: resolved, ...includes.metadata },
    ...includes.warnings,
  };
}

/** {{#include target}} / {{#rustdoc_include target}} (not when escaped) and MkDocs' --8<-- "target". */
const INCLUDE = /(\\)?\{\{#(include|rustdoc_include)\s+([^}\n]+?)\s*\}\}|^[ \t]*--8<--[ \t]+["']?([^\s"']+)["']?[ \t]*$/gm;

/** A file's part: all, lines `a:b` (1-based, either end open), or the block between ANCHOR: name and ANCHOR_END: name. */
function select(content: string, selector: string[]): string | undefined {
  if (!selector.length || (selector.length === 1 && !selector[0])) return stripAnchors(content);
  const lines = content.split("\n");
  if (selector.every((s) => /^\d*$/.test(s))) {
    const from = selector[0] ? Number(selector[0]) : 1;
    const to = selector.length > 1 ? (selector[1] ? Number(selector[1]) : lines.length) : from;
    return stripAnchors(lines.slice(from - 1, to).join("\n"));
  }
  const name = selector[0];
  const start = lines.findIndex((l) => new RegExp(`ANCHOR:\\s*${escapeRegExp(name)}\\b`).test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`ANCHOR_END:\\s*${escapeRegExp(name)}\\b`).test(l));
  return stripAnchors(lines.slice(start + 1, end < 0 ? undefined : end).join("\n"));
}

/** mdBook leaves ANCHOR lines out of what it includes. */
function stripAnchors(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/ANCHOR(_END)?:\s*\w/.test(l))
    .join("\n");
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The Markdown files SUMMARY.md links to, in its order, and the others by path (all of them when there is no summary). */
function chapterOrder(files: Map<string, string>): { chapters: string[]; rest: string[] } {
  const markdown = [...files.keys()].filter((name) => MARKDOWN.test(name)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const summary = markdown.find((name) => path.basename(name).toLowerCase() === "summary.md");
  if (!summary) return { chapters: [], rest: markdown };
  const linked: string[] = [];
  for (const match of files.get(summary)!.matchAll(/\]\(([^)\s]+\.(?:md|markdown|mdx))(?:#[^)]*)?\)/gi)) {
    const name = path.normalize(path.join(path.dirname(summary), decodeURI(match[1])));
    if (files.has(name) && !linked.includes(name)) linked.push(name);
  }
  return { chapters: linked, rest: markdown.filter((name) => name !== summary && !linked.includes(name)) };
}
