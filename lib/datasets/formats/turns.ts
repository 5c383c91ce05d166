// Chat-style records: ShareGPT (`conversations: [{from, value}]`) and OpenAI messages
// (`messages: [{role, content}]`). Both read the same way once their field names are known.
import { isRecord, RowProblem } from "./record";

type Role = "system" | "user" | "assistant";

export type TurnFormat = { key: string; role: string; text: string; roles: Record<string, Role> };

export const TURN_FORMATS = {
  sharegpt: {
    key: "conversations",
    role: "from",
    text: "value",
    // Many ShareGPT exports use OpenAI's role names.
    roles: { system: "system", human: "user", user: "user", gpt: "assistant", assistant: "assistant" },
  },
  openai: {
    key: "messages",
    role: "role",
    text: "content",
    roles: { system: "system", user: "user", assistant: "assistant" },
  },
} satisfies Record<string, TurnFormat>;

/** Whether the record holds a list of turns in this format (for shape detection). */
export function hasTurns(record: Record<string, unknown>, format: TurnFormat): boolean {
  const turns = record[format.key];
  return Array.isArray(turns) && turns.length > 0 && turns.every((turn) => isRecord(turn) && typeof turn[format.role] === "string");
}

type Turn = { role: Role; content: unknown; position: number };

/**
 * The first exchange of a conversation: the first user turn, the assistant turn right after it,
 * and the system turns before it. Later turns are not imported (an example is one prompt and one
 * response), nor are other roles (tool calls and results).
 */
export function readFirstExchange(record: Record<string, unknown>, format: TurnFormat): { system: string[]; user: string; assistant: string } {
  const turns = readTurns(record, format);
  const userAt = turns.findIndex((turn) => turn.role === "user");
  if (userAt === -1) throw new RowProblem("The conversation has no user turn.");
  const reply = turns[userAt + 1];
  if (reply?.role !== "assistant") throw new RowProblem("The first user turn is not followed by an assistant reply.");
  const text = (turn: Turn) => {
    const value = turnText(turn.content);
    if (value === undefined) {
      throw new RowProblem(`Turn ${turn.position} of "${format.key}" has no text in "${format.text}".`);
    }
    return value;
  };
  return { system: turns.slice(0, userAt).map(text), user: text(turns[userAt]), assistant: text(reply) };
}

function readTurns(record: Record<string, unknown>, format: TurnFormat): Turn[] {
  const turns = record[format.key];
  if (!Array.isArray(turns)) throw new RowProblem(`The record has no "${format.key}" list.`);
  return turns.flatMap((turn, i) => {
    if (!isRecord(turn) || typeof turn[format.role] !== "string") {
      throw new RowProblem(`Turn ${i + 1} of "${format.key}" has no "${format.role}".`);
    }
    const name = turn[format.role] as string;
    if (!Object.hasOwn(format.roles, name)) return [];
    return [{ role: format.roles[name], content: turn[format.text], position: i + 1 }];
  });
}

/** A string, or OpenAI's list of content parts when they are all text. */
function turnText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : undefined));
  return texts.every((text) => text !== undefined) ? texts.join("\n") : undefined;
}
