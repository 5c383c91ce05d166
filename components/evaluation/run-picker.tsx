"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";

type RunOption = { id: string; name: string; evaluated: boolean };

/** Opens one run's evaluation, or the comparison of 2–5 runs. */
export function RunPicker({ runs, current, base }: { runs: RunOption[]; current: string | null; base: string }) {
  const [chosen, setChosen] = useState<string[]>([]);
  return (
    <div className="flex flex-wrap items-center gap-2">
      {runs.map((r) => (
        <div key={r.id} className="flex items-center gap-1 rounded-md border px-2 py-1 text-sm" data-current={r.id === current}>
          <Checkbox
            aria-label={`Compare ${r.name}`}
            checked={chosen.includes(r.id)}
            onCheckedChange={(on) => setChosen((c) => (on ? [...c, r.id].slice(-5) : c.filter((id) => id !== r.id)))}
          />
          <Link href={`${base}?run=${r.id}`} className={r.id === current ? "font-semibold underline" : "hover:underline"}>
            {r.name}
          </Link>
          {!r.evaluated && <span className="text-xs text-muted-foreground">(not evaluated)</span>}
        </div>
      ))}
      <Button asChild size="sm" variant="outline" disabled={chosen.length < 2}>
        <Link href={chosen.length >= 2 ? `${base}/compare?runs=${chosen.join(",")}` : "#"} aria-disabled={chosen.length < 2} data-testid="compare-runs">
          Compare {chosen.length >= 2 ? chosen.length : ""} runs
        </Link>
      </Button>
    </div>
  );
}
