import type { HistoryTurn } from "./example-text";

/** A conversation's earlier turns, read-only and muted, above the example's own (last) turn. */
export function EarlierTurns({ turns }: { turns: HistoryTurn[] }) {
  if (turns.length === 0) return null;
  return (
    <details className="rounded-md border border-dashed bg-muted/30 p-2 text-xs" data-testid="earlier-turns">
      <summary className="cursor-pointer text-muted-foreground">
        {turns.length} earlier {turns.length === 1 ? "turn" : "turns"} of the conversation
      </summary>
      <ol className="mt-2 space-y-2">
        {turns.map(([user, assistant], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: turns are fixed in order and have no id
          <li key={i} className="space-y-1">
            <p className="whitespace-pre-wrap">
              <span className="font-medium">User:</span> {user}
            </p>
            <p className="whitespace-pre-wrap text-muted-foreground">
              <span className="font-medium text-foreground">Assistant:</span> {assistant}
            </p>
          </li>
        ))}
      </ol>
    </details>
  );
}
