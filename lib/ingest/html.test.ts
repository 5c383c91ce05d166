import { describe, expect, it } from "vitest";
import { extractDocument } from "./index";

const ARTICLE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Release Notes | Example Docs</title>
<style>body { color: red }</style><script>window.track = () => "tracking code";</script></head>
<body>
  <header class="site-header"><a href="/">Example Docs</a><nav><a href="/pricing">Pricing</a><a href="/blog">Blog</a></nav></header>
  <nav class="sidebar"><ul><li><a href="/a">Sidebar link A</a></li><li><a href="/b">Sidebar link B</a></li></ul></nav>
  <main><article>
    <h1>Release Notes</h1>
    <p>Version 2.0 brings a new storage engine, faster queries and a cleaner configuration format for every deployment.</p>
    <h2>Breaking changes</h2>
    <p>The <code>legacy</code> flag is gone. Configuration files written for version 1 must be converted with the migration tool.</p>
    <ul><li>Removed the legacy flag</li><li>Renamed <em>workers</em> to <em>executors</em></li></ul>
    <h3>Defaults</h3>
    <table><tr><th>Setting</th><th>Old</th><th>New</th></tr><tr><td>cache</td><td>64 MB</td><td>256 MB</td></tr></table>
    <p>Line one<br>line two</p>
  </article></main>
  <aside>Subscribe to our newsletter!</aside>
  <footer>© 2024 Example Inc. All rights reserved.</footer>
  <script>console.log("late script")</script>
</body></html>`;

describe("HTML extraction", () => {
  it("keeps the main content with headings, lists and tables, and nothing around it", async () => {
    const doc = await extractDocument("html", { bytes: Buffer.from(ARTICLE) });
    for (const chrome of ["Pricing", "Sidebar link", "newsletter", "All rights reserved", "tracking code", "late script", "color: red"]) {
      expect(doc.text).not.toContain(chrome);
    }
    expect(doc.text).toBe(
      [
        "Release Notes",
        "Version 2.0 brings a new storage engine, faster queries and a cleaner configuration format for every deployment.",
        "Breaking changes",
        "The legacy flag is gone. Configuration files written for version 1 must be converted with the migration tool.",
        "- Removed the legacy flag\n- Renamed workers to executors",
        "Defaults",
        "| Setting | Old | New |\n| --- | --- | --- |\n| cache | 64 MB | 256 MB |",
        "Line one\nline two",
      ].join("\n\n"),
    );
    expect(doc.sections).toEqual([
      { heading: "Release Notes", level: 1, start: 0 },
      { heading: "Breaking changes", level: 2, start: doc.text.indexOf("Breaking changes") },
      { heading: "Defaults", level: 3, start: doc.text.indexOf("Defaults") },
    ]);
    expect(doc.metadata).toMatchObject({ title: "Release Notes | Example Docs", lang: "en", encoding: "utf-8" });
  });

  it("keeps the top heading even when it repeats the page title", async () => {
    const html = ARTICLE.replace("<title>Release Notes | Example Docs</title>", "<title>Release Notes</title>");
    const doc = await extractDocument("html", { bytes: Buffer.from(html) });
    expect(doc.sections[0]).toEqual({ heading: "Release Notes", level: 1, start: 0 });
    expect(doc.text.startsWith("Release Notes\n\nVersion 2.0")).toBe(true);
  });

  it("falls back to the body text when there is no article to find", async () => {
    const html = "<html><body><nav>Menu</nav><div>Short note.</div><div><h2>Contact</h2>Call us.</div></body></html>";
    const doc = await extractDocument("html", { bytes: Buffer.from(html) });
    expect(doc.text).toContain("Short note.");
    expect(doc.text).toContain("Call us.");
    expect(doc.text).not.toContain("Menu");
  });

  it("honours a declared charset for bytes that are not UTF-8", async () => {
    const html = Buffer.concat([
      Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"></head><body><p>Prix: 5 '),
      Buffer.from([0xa4]),
      Buffer.from("</p></body></html>"),
    ]);
    const doc = await extractDocument("html", { bytes: html });
    expect(doc.text).toBe("Prix: 5 €");
    expect(doc.metadata.encoding).toBe("iso-8859-15");
  });
});
