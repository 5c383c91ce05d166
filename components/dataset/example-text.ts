/** The prompt and response of a stored example, whatever its shape (invalid rows keep `raw`). */
export function promptText(data: Record<string, unknown>): string {
  if (typeof data.question === "string") return data.question;
  if (typeof data.instruction === "string") return [data.instruction, data.input].filter((s) => typeof s === "string" && s).join("\n\n");
  return data.raw === undefined ? "" : typeof data.raw === "string" ? data.raw : JSON.stringify(data.raw);
}

export function responseText(data: Record<string, unknown>): string {
  if (typeof data.answer === "string") return data.answer;
  if (typeof data.output === "string") return data.output;
  return "";
}

/** The editable fields of an example, in display order. */
export function fieldsOf(data: Record<string, unknown>): string[] {
  if ("question" in data || "answer" in data) return ["question", "answer"];
  return ["instruction", "input", "output"];
}

export type HistoryTurn = [user: string, assistant: string];

/** A conversation's earlier turns ([user, reply] pairs, oldest first); none for a single exchange or a malformed row. */
export function historyOf(data: Record<string, unknown>): HistoryTurn[] {
  const history = data.history;
  if (!Array.isArray(history)) return [];
  return history.filter((turn): turn is HistoryTurn => Array.isArray(turn) && turn.length === 2 && turn.every((text) => typeof text === "string"));
}
