"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type Series = {
  key: string;
  label: string;
  points: Array<{ step: number; value: number }>;
  dashed?: boolean /** Same number, same colour (e.g. one per run). */;
  color?: number;
};

const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)"];

/** Curves over training steps (loss, learning rate …), several series on one step axis. */
export function StepChart({
  series,
  height = 260,
  yLabel,
  logScale = false,
  fromZero = false,
}: {
  series: Series[];
  height?: number;
  yLabel?: string;
  logScale?: boolean;
  /** Start the axis at 0 (rates, utilisation: a steady line then reads as steady). */
  fromZero?: boolean;
}) {
  // recharts wants one row per x value with a column per series.
  const rows = new Map<number, Record<string, number>>();
  for (const s of series) {
    for (const p of s.points) {
      const row = rows.get(p.step) ?? { step: p.step };
      row[s.key] = p.value;
      rows.set(p.step, row);
    }
  }
  const data = [...rows.values()].sort((a, b) => a.step - b.step);
  const empty = data.length === 0;
  return (
    <div
      className="w-full"
      style={{ height }}
      role="img"
      aria-label={`Chart of ${series.map((s) => s.label).join(", ")} by step`}
      data-testid="step-chart"
      data-points={data.length}
    >
      {empty ? (
        <div className="flex h-full items-center justify-center rounded-md border border-dashed text-sm text-muted-foreground">Waiting for the first step…</div>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" className="stroke-border" />
            <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} tick={{ fontSize: 11 }} tickLine={false} axisLine={false} />
            <YAxis
              scale={logScale ? "log" : "auto"}
              domain={[fromZero ? 0 : "auto", "auto"]}
              tick={{ fontSize: 11 }}
              width={48}
              tickLine={false}
              axisLine={false}
              tickFormatter={(v: number) => (Math.abs(v) < 0.01 && v !== 0 ? Number(v.toPrecision(2)).toExponential() : Number(v.toPrecision(3)).toString())}
              label={yLabel ? { value: yLabel, angle: -90, position: "insideLeft", fontSize: 11 } : undefined}
            />
            <Tooltip
              contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12 }}
              labelFormatter={(step) => `step ${step}`}
              formatter={(value, name) => [Number(value).toPrecision(4), name]}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {series.map((s, i) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={COLORS[(s.color ?? i) % COLORS.length]}
                strokeDasharray={s.dashed ? "5 4" : undefined}
                dot={s.points.length < 3}
                strokeWidth={2}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
