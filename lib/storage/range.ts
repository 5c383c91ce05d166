export type ByteRange = { start: number; end?: number };

/** Both drivers reject the same malformed ranges; a start past the end yields an empty stream. */
export function assertRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new RangeError(`Invalid byte range ${JSON.stringify(range)}: need integers with 0 <= start <= end.`);
  }
}
