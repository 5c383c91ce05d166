// A failure as people read it: a one-line cause in the place where the thing failed, and the
// log behind it (pip's output, a stderr tail, a traceback) kept apart, shown only on request.
// Every message a job or a run stores goes through here, so no log ever lands in a banner.

/** Longest cause kept on one line; a longer first line is cut at a sentence end (or with "…"). */
export const CAUSE_MAX_CHARS = 240;
/** Longest detail kept: its end, where a log's last lines (the error) are. */
export const DETAIL_MAX_CHARS = 64_000;

export type ErrorText = { message: string; detail: string | null };

function shorten(line: string): string {
  if (line.length <= CAUSE_MAX_CHARS) return line;
  const head = line.slice(0, CAUSE_MAX_CHARS);
  const sentenceEnd = head.lastIndexOf(". ");
  if (sentenceEnd >= 40) return head.slice(0, sentenceEnd + 1);
  return `${head.slice(0, CAUSE_MAX_CHARS - 1).trimEnd()}…`;
}

function keepEnd(text: string): string {
  return text.length <= DETAIL_MAX_CHARS ? text : `…${text.slice(-DETAIL_MAX_CHARS)}`;
}

/**
 * Splits `text` into its one-line cause (the first non-empty line, shortened) and the detail:
 * the whole text when the cause leaves something out, followed by `detail` when given.
 */
export function splitErrorText(text: string, detail?: string | null): ErrorText {
  const trimmed = text.trim();
  const firstLine =
    trimmed
      .split("\n")
      .find((line) => line.trim())
      ?.trim() ?? "";
  const message = shorten(firstLine) || "Failed without a message.";
  const parts = [message === trimmed ? "" : trimmed, detail?.trim() ?? ""].filter(Boolean);
  return { message, detail: parts.length ? keepEnd(parts.join("\n\n")) : null };
}

/** The last non-empty line of a log (a Python traceback ends with its exception), if any. */
export function lastLine(log: string): string | undefined {
  return log
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
}
