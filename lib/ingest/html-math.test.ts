// Web pages whose text a plain DOM walk loses: formulas rendered by MathJax or KaTeX, headlines
// outside any heading, and page furniture left inside the article.
import { describe, expect, it } from "vitest";
import { extractHtml } from "./html";

const html = (body: string, title = "Quadratic equations") =>
  Buffer.from(`<!doctype html><html lang="en"><head><title>${title}</title></head><body><article>${body}</article></body></html>`);
const prose = "The method works for every equation of this form, and the discriminant tells how many real roots there are. ".repeat(4);

describe("extractHtml: formulas", () => {
  it("keeps MathJax 2's TeX source and drops its rendered spans", () => {
    const doc = extractHtml(
      html(
        `<h1>Quadratic equations</h1><p>When <span class="MathJax_Preview">a≠0</span><span class="MathJax" id="MathJax-Element-1-Frame"><nobr><span class="math">a ≠ 0</span></nobr></span><script type="math/tex" id="MathJax-Element-1">a \\ne 0</script>, there are two solutions to <script type="math/tex">ax^2 + bx + c = 0</script> and they are</p><div class="MathJax_Display"><span>x = …</span></div><script type="math/tex; mode=display">x = {-b \\pm \\sqrt{b^2-4ac} \\over 2a}.</script><p>${prose}</p>`,
      ),
    );
    expect(doc.text).toContain(
      "When \\(a \\ne 0\\) , there are two solutions to \\(ax^2 + bx + c = 0\\) and they are\n\n\\[x = {-b \\pm \\sqrt{b^2-4ac} \\over 2a}.\\]",
    );
    expect(doc.text).not.toContain("a ≠ 0");
  });

  it("reads KaTeX's and Wikipedia's TeX annotations, and MathJax 3's or bare MathML as a linear formula", () => {
    const katex = `<span class="katex"><span class="katex-mathml"><math><semantics><mrow><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup></mrow><annotation encoding="application/x-tex">e^{i\\pi}</annotation></semantics></math></span><span class="katex-html" aria-hidden="true">eiπ</span></span>`;
    const wiki = `<span class="mwe-math-element"><span class="mwe-math-mathml-inline"><math alttext="{\\displaystyle E=mc^{2}}"><mi>E</mi></math></span><img class="mwe-math-fallback-image-inline" alt="E=mc^2"></span>`;
    const mathjax3 = `<mjx-container class="MathJax" jax="CHTML"><mjx-math aria-hidden="true"><mjx-mi>x</mjx-mi></mjx-math><mjx-assistive-mml><math><mfrac><mn>1</mn><msqrt><mi>x</mi></msqrt></mfrac></math></mjx-assistive-mml></mjx-container>`;
    const doc = extractHtml(html(`<h1>Formulas</h1><p>Euler: ${katex}. Energy: ${wiki}. A fraction: ${mathjax3}.</p><p>${prose}</p>`, "Formulas"));
    expect(doc.text).toContain("Euler: \\(e^{i\\pi}\\) . Energy: \\(E=mc^{2}\\) . A fraction: (1)/(sqrt(x)).");
  });
});

describe("extractHtml: headline and furniture", () => {
  it("puts the headline first when no heading holds it", () => {
    // The headline sits in the page header (removed with the furniture), not in the article.
    const page = `<!doctype html><html><head><title>Harbour bridge reopens after repairs | City News</title></head><body><header><div class="headline">Harbour bridge reopens after repairs</div></header><article><p>${prose}</p><p>${prose}</p></article></body></html>`;
    const doc = extractHtml(Buffer.from(page));
    expect(doc.text.split("\n\n")[0]).toMatch(/^Harbour bridge reopens after repairs/);
    expect(doc.sections[0]).toMatchObject({ level: 1, start: 0 });
  });

  it("drops lines of page furniture inside the article, not sentences that mention them", () => {
    const doc = extractHtml(
      html(
        `<h1>Quadratic equations</h1><p>${prose}</p><p>Advertisement</p><p>Continue reading the main story</p><p>Share this article</p><p>${prose}</p><p>Read more about advertisement budgets in our guide.</p>`,
      ),
    );
    expect(doc.text).not.toMatch(/^(Advertisement|Continue reading the main story|Share this article)$/m);
    expect(doc.text).toContain("Read more about advertisement budgets in our guide.");
  });
});
