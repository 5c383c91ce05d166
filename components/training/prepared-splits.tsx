import { describePrepared, type PreparedCounts } from "@/lib/training/prepared";

/** One line per split: what the runner's prepare step made of it with the base model's tokenizer. */
export function PreparedSplits({ counts, className }: { counts: PreparedCounts; className?: string }) {
  return (
    <ul className={className}>
      {(["train", "eval"] as const).map((split) => {
        const stats = counts[split];
        return stats ? (
          <li key={split}>
            <span className="font-medium capitalize">{split}: </span>
            {describePrepared(stats, counts.packing && split === "train")}
            {stats.longest !== undefined ? `, longest ${stats.longest.toLocaleString()} tokens` : ""}
          </li>
        ) : null;
      })}
    </ul>
  );
}
