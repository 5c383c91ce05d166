import type { Share } from "@/lib/evaluation/test-sets";

/** Accuracy as a bar with its 95 % interval as a whisker: models side by side at a glance. */
export function AccuracyBar({ share, label }: { share: Share; label?: string }) {
  const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
  return (
    <div className="flex items-center gap-2" title={`${pct(share.accuracy)} of ${share.n} (95 % interval ${pct(share.low)}–${pct(share.high)})`}>
      <div className="relative h-3 w-20 shrink-0 rounded-sm bg-muted" aria-hidden>
        <div className="absolute inset-y-0 left-0 rounded-sm bg-primary/80" style={{ width: pct(share.accuracy) }} />
        <div className="absolute top-1/2 h-px bg-foreground" style={{ left: pct(share.low), width: pct(share.high - share.low) }} />
        <div className="absolute inset-y-0 w-px bg-foreground" style={{ left: pct(share.low) }} />
        <div className="absolute inset-y-0 w-px bg-foreground" style={{ left: pct(share.high) }} />
      </div>
      <span className="text-sm tabular-nums">
        {Math.round(share.accuracy * 100)}%<span className="text-xs text-muted-foreground"> ±{Math.round(((share.high - share.low) / 2) * 100)}</span>
        {label && <span className="ml-1 text-xs text-muted-foreground">{label}</span>}
      </span>
    </div>
  );
}
