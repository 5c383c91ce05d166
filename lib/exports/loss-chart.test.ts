import { describe, expect, it } from "vitest";
import { escapeXml, lossChartSvg, niceTicks } from "./loss-chart";

/** Throws unless every element closes in order: the SVG is well-formed XML as far as tags go. */
function assertBalanced(svg: string): void {
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^<>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (!closing) open.push(name);
    else expect(open.pop()).toBe(name);
  }
  expect(open).toEqual([]);
  // Outside tags, no bare < or unescaped &.
  const text = svg.replace(/<[^<>]*>/g, "");
  expect(text).not.toMatch(/<|&(?!amp;|lt;|gt;|quot;|#39;)/);
}

describe("niceTicks", () => {
  it("covers the range with round steps", () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.13, 2.9)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(5, 5)).toEqual([4, 4.5, 5, 5.5, 6]);
  });
});

describe("lossChartSvg", () => {
  it("draws one line per series on scaled axes, with a legend", () => {
    const svg = lossChartSvg(
      [
        {
          name: "train loss",
          points: [
            { step: 10, value: 0 },
            { step: 0, value: 1 },
            { step: 5, value: 0.5 },
          ],
        },
        {
          name: "eval loss",
          points: [
            { step: 5, value: 0.6 },
            { step: 10, value: 0.4 },
          ],
        },
      ],
      { width: 640, height: 360, title: "Loss" },
    );
    assertBalanced(svg);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="360"/);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    // Plot area x 56–624, y 36–304; points sorted by step.
    expect(svg).toContain('<polyline points="56.0,36.0 340.0,170.0 624.0,304.0"');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    for (const text of [">Loss<", ">train loss<", ">eval loss<", ">step<", ">0.4<", ">10<"]) expect(svg).toContain(text);
  });

  it("escapes names and the title", () => {
    const svg = lossChartSvg([{ name: `<script>&"'`, points: [{ step: 1, value: 2 }] }], { title: "A & B <run>" });
    assertBalanced(svg);
    expect(svg).toContain("A &amp; B &lt;run&gt;");
    expect(svg).toContain("&lt;script&gt;&amp;&quot;&#39;");
    expect(svg).not.toContain("<script>");
    // One point is a dot, not a line.
    expect(svg).toContain("<circle ");
    expect(escapeXml(`a<b>&"'`)).toBe("a&lt;b&gt;&amp;&quot;&#39;");
  });

  it("says so when there is nothing to draw, and skips values that are not numbers", () => {
    const empty = lossChartSvg([{ name: "train loss", points: [{ step: 1, value: Number.NaN }] }], { title: "Loss" });
    assertBalanced(empty);
    expect(empty).toContain(">No data<");
    expect(empty).not.toContain("NaN");
  });

  it("thins a long run to what the width can show", () => {
    const points = Array.from({ length: 100_000 }, (_, step) => ({ step, value: 2 / (1 + step / 1000) }));
    const svg = lossChartSvg([{ name: "train loss", points }], { width: 640, height: 360, title: "Loss" });
    const drawn = /<polyline points="([^"]+)"/.exec(svg)![1].split(" ");
    expect(drawn.length).toBeLessThanOrEqual(2 * 568 + 1);
    // The last step is kept: x ticks run 0–100,000, so step 99,999 sits at the right edge.
    expect(drawn.at(-1)!.startsWith("624.0,")).toBe(true);
    expect(svg.length).toBeLessThan(50_000);
  });
});
