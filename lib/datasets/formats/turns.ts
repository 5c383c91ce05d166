// Chat-style records: ShareGPT (`conversations: [{from, value}]`) and OpenAI messages
// (`messages: [{role, content}]`). Both read the same way once their field names are known.
// Tool use is read too: ShareGPT's function_call / observation turns (LLaMA-Factory's names) and
// OpenAI's assistant `tool_calls` and `tool` results.
import { isRecord, RowProblem } from "./record";

type Role = "system" | "user" | "assistant" | "tool_call" | "tool_result";

export type TurnFormat = { key: string; role: string; text: string; roles: Record<string, Role> };

export const TURN_FORMATS = {
  sharegpt: {
    key: "conversations",
    role: "from",
    text: "value",
    // Many ShareGPT exports use OpenAI's role names.
    roles: {
      system: "system",
      human: "user",
      user: "user",
      gpt: "assistant",
      assistant: "assistant",
      function_call: "tool_call",
      observation: "tool_result",
      tool: "tool_result",
    },
  },
  openai: {
    key: "messages",
    role: "role",
    text: "content",
    roles: { system: "system", developer: "system", user: "user", assistant: "assistant", tool: "tool_result", function: "tool_result" },
  },
} satisfies Record<string, TurnFormat>;

/** Whether the record holds a list of turns in this format (for shape detection). */
export function hasTurns(record: Record<string, unknown>, format: TurnFormat): boolean {
  const turns = record[format.key];
  return Array.isArray(turns) && turns.length > 0 && turns.every((turn) => isRecord(turn) && typeof turn[format.role] === "string");
}

type Turn = { role: Role; content: unknown; position: number; toolCalls?: unknown };

/** One user turn, the tool calls and results after it, and the assistant's reply. */
export type Exchange = {
  user: string;
  /** Tool calls and their results between the user turn and the reply, one labelled line each. */
  tools: string[];
  assistant: string;
};

/** What a conversation gives an example, and what of it did not fit one. */
export type Conversation = {
  /** The system turns before the first user turn. */
  system: string[];
  /** Its exchanges in order (at least one): the last becomes the example, the others its history. */
  exchanges: Exchange[];
  /** Turns after the last complete exchange (an unanswered user turn, a broken order), left out. */
  laterTurns: number;
};

/**
 * A conversation's exchanges: each user turn with the assistant's reply to it and the tool calls
 * and results in between (a reply that relies on a tool's result needs it in the prompt), and
 * the system turns before the first. The first exchange must be complete; whatever follows the
 * last complete one is counted, not imported.
 */
export function readConversation(record: Record<string, unknown>, format: TurnFormat): Conversation {
  const turns = readTurns(record, format);
  const firstUser = turns.findIndex((turn) => turn.role === "user");
  if (firstUser === -1) throw new RowProblem("The conversation has no user turn.");
  const text = (turn: Turn) => {
    const value = turnText(turn.content);
    if (value === undefined) {
      throw new RowProblem(`Turn ${turn.position} of "${format.key}" has no text in "${format.text}".`);
    }
    return value;
  };
  const exchanges: Exchange[] = [];
  let next = firstUser;
  while (next < turns.length && turns[next].role === "user") {
    const tools: string[] = [];
    let at = next + 1;
    for (; at < turns.length; at++) {
      const turn = turns[at];
      if (turn.role === "tool_call") tools.push(`[Tool call] ${toolCallText(turn.content)}`);
      else if (turn.role === "tool_result") tools.push(`[Tool result] ${turnText(turn.content) ?? JSON.stringify(turn.content)}`);
      else if (turn.role === "assistant" && turn.toolCalls !== undefined && !turnText(turn.content)?.trim()) {
        // OpenAI: an assistant turn that only calls tools.
        for (const call of Array.isArray(turn.toolCalls) ? turn.toolCalls : [turn.toolCalls]) tools.push(`[Tool call] ${toolCallText(call)}`);
      } else break;
    }
    const reply = turns[at];
    if (reply?.role !== "assistant") {
      if (exchanges.length > 0) break;
      throw new RowProblem(
        tools.length ? "The tool results are not followed by an assistant reply." : "The first user turn is not followed by an assistant reply.",
      );
    }
    exchanges.push({ user: text(turns[next]), tools, assistant: text(reply) });
    next = at + 1;
  }
  return {
    system: turns
      .slice(0, firstUser)
      .filter((t) => t.role === "system")
      .map(text),
    exchanges,
    laterTurns: turns.length - next,
  };
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
    const role = (format.roles as Record<string, Role>)[name];
    const toolCalls = turn.tool_calls ?? turn.function_call;
    return [{ role, content: turn[format.text], position: i + 1, ...(toolCalls !== undefined ? { toolCalls } : {}) }];
  });
}

/** A tool call as one line: `name({"arg": 1})` from OpenAI's and LLaMA-Factory's shapes, else the JSON as written. */
function toolCallText(call: unknown): string {
  let value = call;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return (call as string).trim();
    }
  }
  const fn = isRecord(value) && isRecord(value.function) ? value.function : value;
  if (isRecord(fn) && typeof fn.name === "string") {
    const args = typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    return `${fn.name}(${args})`;
  }
  return JSON.stringify(value);
}

/** A string, or OpenAI's list of content parts when they are all text. */
export function turnText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : undefined));
  return texts.every((text) => text !== undefined) ? texts.join("\n") : undefined;
}

/**
 * A column whose value is a conversation (TRL's conversational preference and KTO datasets keep
 * `prompt`, `chosen`, `completion` … as lists of `{role, content}`): as a prompt, its turns before
 * the last assistant turn; as a response, the last assistant turn. Undefined when it is not one.
 */
export function conversationText(value: unknown, as: "prompt" | "response"): string | undefined {
  if (!Array.isArray(value) || !value.length || !value.every((t) => isRecord(t) && typeof t.role === "string")) return undefined;
  const turns = value as { role: string; content: unknown }[];
  const lastReply = turns.findLastIndex((t) => t.role === "assistant");
  const picked = as === "response" ? (lastReply === -1 ? [] : [turns[lastReply]]) : lastReply === -1 ? turns : turns.slice(0, lastReply);
  const texts = picked.map((t) => turnText(t.content));
  if (!picked.length || texts.some((t) => t === undefined)) return undefined;
  return texts.filter((t) => t?.trim()).join("\n\n");
}
