// The bundle's loss-curve image: a standalone SVG (no fonts, scripts or links to fetch) with one
// line per series (train loss, eval loss) over the training steps.

export type ChartSeries = { name: string; points: Array<{ step: number; value: number }> };
export type ChartOptions = { width?: number; height?: number; title: string };

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];
const MARGIN = { top: 36, right: 16, bottom: 56, left: 56 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) [min, max] = [min - 1, max + 1];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let i = Math.floor(min / step); i <= Math.ceil(max / step); i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

const label = (value: number) => String(Number(value.toPrecision(4)));
const fixed = (value: number) => value.toFixed(1);

export function lossChartSvg(series: ChartSeries[], { width = 640, height = 360, title }: ChartOptions): string {
  const clean = series.map((s) => ({ name: s.name, points: s.points.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value)) }));
  const all = clean.flatMap((s) => s.points);
  const plot = { x: MARGIN.left, y: MARGIN.top, w: width - MARGIN.left - MARGIN.right, h: height - MARGIN.top - MARGIN.bottom };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  if (all.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#6b7280">No data</text>`, "</svg>");
    return parts.join("\n");
  }

  // Loops, not Math.min(...points): a long run logs more steps than a call may take arguments.
  const range = (key: "step" | "value") => all.reduce<[number, number]>(([lo, hi], p) => [Math.min(lo, p[key]), Math.max(hi, p[key])], [Infinity, -Infinity]);
  const xTicks = niceTicks(...range("step"));
  const yTicks = niceTicks(...range("value"));
  const [x0, x1] = [xTicks[0], xTicks.at(-1)!];
  const [y0, y1] = [yTicks[0], yTicks.at(-1)!];
  const sx = (step: number) => plot.x + ((step - x0) / (x1 - x0)) * plot.w;
  const sy = (value: number) => plot.y + plot.h - ((value - y0) / (y1 - y0)) * plot.h;

  for (const tick of yTicks) {
    const y = fixed(sy(tick));
    parts.push(
      `<line x1="${plot.x}" y1="${y}" x2="${plot.x + plot.w}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${plot.x - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#374151">${label(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const x = fixed(sx(tick));
    parts.push(
      `<line x1="${x}" y1="${plot.y + plot.h}" x2="${x}" y2="${plot.y + plot.h + 4}" stroke="#374151"/>`,
      `<text x="${x}" y="${plot.y + plot.h + 16}" text-anchor="middle" fill="#374151">${label(tick)}</text>`,
    );
  }
  parts.push(
    `<path d="M${plot.x},${plot.y}V${plot.y + plot.h}H${plot.x + plot.w}" fill="none" stroke="#374151"/>`,
    `<text x="${plot.x + plot.w / 2}" y="${plot.y + plot.h + 32}" text-anchor="middle" fill="#374151">step</text>`,
  );

  let legendX = plot.x;
  clean.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    // About two points a pixel is all a line can show; more only makes the file larger.
    const stride = Math.ceil(s.points.length / (plot.w * 2));
    const points = [...s.points].sort((a, b) => a.step - b.step).filter((_, j, sorted) => j % stride === 0 || j === sorted.length - 1);
    const coords = points.map((p) => `${fixed(sx(p.step))},${fixed(sy(p.value))}`).join(" ");
    // A single point draws no line: a dot shows it (eval loss after one evaluation).
    if (points.length === 1) parts.push(`<circle cx="${fixed(sx(points[0].step))}" cy="${fixed(sy(points[0].value))}" r="3" fill="${color}"/>`);
    else if (points.length > 1) parts.push(`<polyline points="${coords}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`);
    const legendY = height - 10;
    parts.push(
      `<rect x="${legendX}" y="${legendY - 8}" width="12" height="3" fill="${color}"/>`,
      `<text x="${legendX + 16}" y="${legendY - 6}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
    // Width of the name at about 6.5 px a character at 11 px: SVG cannot measure text for us.
    legendX += 28 + s.name.length * 6.5;
  });
  parts.push("</svg>");
  return parts.join("\n");
}
