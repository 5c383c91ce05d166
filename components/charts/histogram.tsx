"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type HistogramBucket = { from: number; to: number; count: number };

/** A bar chart of counts per range (token lengths of chunks or examples). */
export function Histogram({ buckets, unit = "tokens", label = "count" }: { buckets: HistogramBucket[]; unit?: string; label?: string }) {
  const data = buckets.map((b) => ({ range: `${b.from}–${b.to}`, count: b.count }));
  return (
    <div className="h-48 w-full" role="img" aria-label={`Histogram of ${unit}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" className="stroke-border" />
          <XAxis dataKey="range" tick={{ fontSize: 11 }} interval="preserveStartEnd" tickLine={false} axisLine={false} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={36} tickLine={false} axisLine={false} />
          <Tooltip
            cursor={{ fill: "var(--muted)" }}
            contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12 }}
            formatter={(value) => [value, label]}
            labelFormatter={(range) => `${range} ${unit}`}
          />
          <Bar dataKey="count" fill="var(--chart-1)" radius={[4, 4, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
