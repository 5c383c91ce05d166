import { describe, expect, it } from "vitest";
import { extractMarkdown, IncludeCounter } from "./markdown";

const chapter = [
  "# Guessing game",
  "```rust",
  "{{#rustdoc_include ../listings/ch02-guessing-game/listing-02-01/src/main.rs:print}}",
  "```",
  "Run it with {{#playground ../listings/ch02/no-listing/src/main.rs}} or read the snippet:",
  '--8<-- "snippets/run.md"',
  "{% include footer.html %}",
  "mdBook's syntax is \\{{#include file.rs}}, written with a backslash in its own docs.",
].join("\n");

describe("Markdown include directives", () => {
  it("are counted per tool and named in a warning; an escaped one is text", () => {
    const doc = extractMarkdown(Buffer.from(chapter));
    expect(doc.text).toContain("{{#rustdoc_include ../listings");
    expect(doc.metadata.unresolvedIncludes).toEqual({ mdBook: 2, Jekyll: 1, MkDocs: 1 });
    expect(doc.warnings).toEqual([
      "4 include directives were not resolved (2 mdBook, 1 Jekyll, 1 MkDocs): the included files are not part of this upload, so their content is missing and the directive stays as text. Upload the folder as a ZIP (includes are resolved from it), or paste the included content in.",
    ]);
    expect(extractMarkdown(Buffer.from("# Plain\n\nNo includes.")).warnings).toBeUndefined();
  });

  it("counts the same fed piece by piece, with directives cut between pieces", () => {
    for (const size of [1, 7, 50]) {
      const counter = new IncludeCounter();
      for (let i = 0; i < chapter.length; i += size) counter.feed(chapter.slice(i, i + size));
      expect(counter.metadata()).toEqual({ unresolvedIncludes: { mdBook: 2, Jekyll: 1, MkDocs: 1 } });
    }
  });
});
