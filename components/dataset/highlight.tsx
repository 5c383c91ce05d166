import { Fragment } from "react";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The case-insensitive pattern of a search, captured (so split() keeps the hits), or null below 2 characters. */
function patternOf(query: string | undefined): RegExp | null {
  const q = query?.trim() ?? "";
  return q.length < 2 ? null : new RegExp(`(${escapeRegExp(q)})`, "giu");
}

/** Where the text should start so that the first hit shows within a few clamped lines. */
export function snippetStart(text: string, query: string | undefined, lead = 60, visible = 160): number {
  const pattern = patternOf(query);
  const at = pattern ? text.search(pattern) : -1;
  if (at < visible) return 0;
  const from = text.lastIndexOf(" ", at - lead);
  return from > 0 ? from + 1 : at - lead;
}

/** The text with each case-insensitive occurrence of `query` marked; with `snippet`, starting near the first one. */
export function Highlight({ text, query, snippet = false }: { text: string; query?: string; snippet?: boolean }) {
  const pattern = patternOf(query);
  if (!pattern) return <>{text}</>;
  const start = snippet ? snippetStart(text, query) : 0;
  // With one capture group, split() puts the hits at the odd indexes.
  const parts = text.slice(start).split(pattern);
  return (
    <>
      {start > 0 && "…"}
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string, in order
          <mark key={i} className="rounded-sm bg-yellow-200 px-0.5 text-foreground dark:bg-yellow-500/40">
            {part}
          </mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string, in order
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}
