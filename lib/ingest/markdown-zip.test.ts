// A ZIP of a book's Markdown sources: chapters in SUMMARY.md's order, includes resolved inside the archive.
import { describe, expect, it } from "vitest";
import { makeZip } from "@/tests/support/corpus";
import { detectFormat } from "./detect";
import { extractDocument } from "./index";

const listing = ["// ANCHOR: setup", "let mut guess = String::new();", "// ANCHOR_END: setup", 'println!("You guessed: {guess}");', "}"].join("\n");

async function book(): Promise<Buffer> {
  return makeZip([
    ["book/src/SUMMARY.md", "# Summary\n\n- [Getting started](ch01-getting-started.md)\n- [Guessing game](ch02/guessing.md)\n"],
    [
      "book/src/ch02/guessing.md",
      "# Guessing game\n\nRead a line:\n\n```rust\n{{#rustdoc_include ../../listings/ch02/main.rs:setup}}\n```\n\nPrint it:\n\n```rust\n{{#include ../../listings/ch02/main.rs:4}}\n```\n",
    ],
    [
      "book/src/ch01-getting-started.md",
      '# Getting started\n\nInstall the toolchain.\n\n--8<-- "snippets/note.md"\n\nSee {{#include ../../listings/missing.rs}} and the syntax \\{{#include file.rs}}.\n',
    ],
    ["book/src/snippets/note.md", "> Note: restart your shell after installing."],
    ["book/listings/ch02/main.rs", listing],
    ["book/book.toml", '[book]\ntitle = "The Book"\n'],
  ]);
}

describe("Markdown ZIP", () => {
  it("is detected from the names at the start of the archive", async () => {
    const bytes = await book();
    expect(detectFormat(bytes, "book.zip", bytes.length)).toMatchObject({ ok: true, format: "markdown_zip", kind: "raw_doc" });
  });

  it("reads the chapters in SUMMARY.md's order with includes resolved (lines, anchors, snippets), and counts the ones it cannot", async () => {
    const doc = await extractDocument("markdown_zip", { bytes: await book() });
    expect(doc.text).toBe(
      [
        "# Getting started",
        "Install the toolchain.",
        "> Note: restart your shell after installing.",
        "See {{#include ../../listings/missing.rs}} and the syntax \\{{#include file.rs}}.",
        "# Guessing game",
        "Read a line:",
        "```rust\nlet mut guess = String::new();\n```",
        "Print it:",
        '```rust\nprintln!("You guessed: {guess}");\n```',
      ].join("\n\n"),
    );
    expect(doc.sections.map((s) => s.heading)).toEqual(["Getting started", "Guessing game"]);
    expect(doc.metadata).toMatchObject({ chapters: 2, includesResolved: 3, unresolvedIncludes: { mdBook: 1 } });
    expect(doc.warnings).toEqual([expect.stringMatching(/^1 include directive was not resolved \(1 mdBook\)/)]);
  });

  it("without a summary, reads every Markdown file by path, leaving out those included by another", async () => {
    const zip = await makeZip([
      ["docs/b-usage.md", '# Usage\n\n--8<-- "parts/warning.md"'],
      ["docs/a-intro.md", "# Intro\n\nHello."],
      ["docs/parts/warning.md", "Careful."],
    ]);
    const doc = await extractDocument("markdown_zip", { bytes: zip });
    expect(doc.text).toBe("# Intro\n\nHello.\n\n# Usage\n\nCareful.");
    expect(doc.warnings).toBeUndefined();
  });

  it("refuses a ZIP without Markdown", async () => {
    const zip = await makeZip([
      ["notes/readme.md", ""],
      ["data.bin", "x"],
    ]);
    await expect(extractDocument("markdown_zip", { bytes: zip })).rejects.toMatchObject({ code: "empty" });
    const none = await makeZip([["a.txt", "text"]]);
    await expect(extractDocument("markdown_zip", { bytes: none })).rejects.toMatchObject({ code: "unsupported_type" });
  });
});
