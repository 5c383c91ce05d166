"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import type { SampleRow } from "@/lib/evaluation";

const pct = (v: number | null) => (v === null ? "–" : `${Math.round(v * 100)}`);

/** Prompt, reference, base and tuned answers side by side; filterable to where tuning hurt. */
export function SampleTable({ samples, showExactMatch }: { samples: SampleRow[]; showExactMatch: boolean }) {
  const [worseOnly, setWorseOnly] = useState(false);
  const worse = (s: SampleRow) => (s.tunedRougeL ?? 0) < (s.baseRougeL ?? 0) || (s.judgeScore !== null && s.judgeScore <= 2);
  const shown = worseOnly ? samples.filter(worse) : samples;
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <Switch id="worse-only" checked={worseOnly} onCheckedChange={setWorseOnly} />
        <Label htmlFor="worse-only">Only where the tuned model did worse ({samples.filter(worse).length})</Label>
      </div>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm" data-testid="sample-table">
          <thead className="bg-muted/50 text-left text-xs text-muted-foreground">
            <tr>
              <th className="p-2">Prompt</th>
              <th className="p-2">Reference</th>
              <th className="p-2">Base</th>
              <th className="p-2">Tuned</th>
              <th className="p-2 text-right">ROUGE-L</th>
              <th className="p-2">Judge</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.position} className="border-t align-top" data-testid="sample-row">
                <td className="max-w-64 p-2 whitespace-pre-wrap">{s.prompt}</td>
                <td className="max-w-64 p-2 whitespace-pre-wrap text-muted-foreground">{s.reference}</td>
                <td className="max-w-64 p-2 whitespace-pre-wrap">{s.baseOutput ?? "–"}</td>
                <td className="max-w-64 p-2 whitespace-pre-wrap">{s.tunedOutput ?? "–"}</td>
                <td className="p-2 text-right tabular-nums whitespace-nowrap">
                  {pct(s.baseRougeL)} →{" "}
                  <span className={(s.tunedRougeL ?? 0) >= (s.baseRougeL ?? 0) ? "text-emerald-600" : "text-destructive"}>{pct(s.tunedRougeL)}</span>
                  {showExactMatch && s.exactMatch.tuned !== null && (
                    <div className="text-xs text-muted-foreground">
                      EM {s.exactMatch.base ?? "–"} → {s.exactMatch.tuned}
                    </div>
                  )}
                </td>
                <td className="max-w-56 p-2">
                  {s.judgeScore !== null ? <Badge variant={s.judgeScore >= 4 ? "secondary" : "outline"}>{s.judgeScore} / 5</Badge> : null}
                  {s.judgeReason && <div className="mt-1 text-xs text-muted-foreground">{s.judgeReason}</div>}
                </td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={6} className="p-4 text-center text-muted-foreground">
                  {worseOnly ? "The tuned model did at least as well on every sample." : "No samples yet."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
