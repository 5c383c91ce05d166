// Topic plan: before a generation run, the model reads excerpts from across the project's chunks
// and proposes the topics they cover; each chunk's prompt then asks for every example's topic,
// from that list, preferring the topics with fewest examples so far (the counts go with each
// prompt, so the run leans towards what is missing). Each example keeps its topic as a tag
// ("topic: refunds"), which review filters by and the coverage card counts.
import { db } from "@/lib/db/client";
import { completeChat } from "@/lib/llm";
import type { GenerationContext } from "./context";
import { findJson } from "./parse";
import { SYSTEM_PROMPT } from "./prompts";

export const MAX_TOPICS = 12;
export const TOPIC_TAG = "topic: ";
const EXCERPTS = 30;
const EXCERPT_CHARS = 400;

export function topicsPrompt(excerpts: string[], language: string): string {
  return `Below are excerpts from across a set of documents. Propose up to ${MAX_TOPICS} short topic names (two to four words each) that together cover what the documents are about, for balancing a training dataset across them. Write in ${language}.

Respond with JSON of this form:
{"topics": ["...", "..."]}

${excerpts.map((e, i) => `Excerpt ${i + 1}:\n"""\n${e}\n"""`).join("\n\n")}`;
}

export type TopicPlan = { topics: string[]; counts: Map<string, number> };

/**
 * The line added to each chunk's prompt: the topics, with how many examples each has so far. In
 * questions-first mode the topic goes with each question (`{"text", "topic"}` entries), and from
 * there to the example the question becomes.
 */
export function topicNote(plan: TopicPlan, target: "examples" | "conversations" | "questions" = "examples"): string {
  const ask =
    target === "questions"
      ? 'Write each entry of the list as an object {"text": "...", "topic": "..."}, where "topic" is the one topic from this list it is about'
      : `Give each ${target === "examples" ? "example" : "conversation"} a "topic" field: the one topic from this list it is about`;
  return `\n\n${ask}, preferring topics with fewer examples so far when one fits:\n${plan.topics
    .map((t) => `- ${t} (${plan.counts.get(t) ?? 0} so far)`)
    .join("\n")}`;
}

/** The plan with the project's examples per topic so far (its `topic:` tags), so a run leans towards what is missing. */
export async function withCounts(projectId: string, topics: string[]): Promise<TopicPlan> {
  const rows = await db.$queryRaw<Array<{ tag: string; n: bigint }>>`
    SELECT t AS tag, count(*) AS n FROM dataset_examples e, unnest(e.tags) AS t
    WHERE e.project_id = ${projectId}::uuid AND e.split <> 'preview' AND t LIKE ${`${TOPIC_TAG}%`} GROUP BY t`;
  return { topics, counts: new Map(rows.map((r) => [r.tag.slice(TOPIC_TAG.length), Number(r.n)])) };
}

/** The topic from the plan an answer names (case and spacing aside), or undefined. */
export function matchTopic(topics: string[], named: unknown): string | undefined {
  if (typeof named !== "string") return undefined;
  const key = named.trim().toLowerCase().replace(/\s+/g, " ");
  return topics.find((t) => t.toLowerCase() === key);
}

/** Asks the model for the plan from excerpts spread evenly over the project's chunks. */
export async function planTopics(gen: GenerationContext, signal: AbortSignal): Promise<{ topics: string[]; tokensIn: number; tokensOut: number }> {
  const total = await db.chunk.count({ where: { projectId: gen.projectId, sourceFile: { status: "ready" } } });
  const stride = Math.max(1, Math.floor(total / EXCERPTS));
  const rows = await db.$queryRaw<Array<{ content: string }>>`
    SELECT left(c.content, ${EXCERPT_CHARS}) AS content FROM (
      SELECT c.content, row_number() OVER (ORDER BY f.created_at, c.source_file_id, c.chunk_index) AS n
      FROM chunks c JOIN files f ON f.id = c.source_file_id WHERE c.project_id = ${gen.projectId}::uuid AND f.status = 'ready') c
    WHERE (c.n - 1) % ${stride} = 0 LIMIT ${EXCERPTS}`;
  const reply = await completeChat(
    gen.provider,
    [
      { role: "system", content: SYSTEM_PROMPT },
      {
        role: "user",
        content: topicsPrompt(
          rows.map((r) => r.content),
          gen.settings.language,
        ),
      },
    ],
    { model: gen.model, temperature: 0.3, json: true, signal },
  );
  const list = (findJson(reply.text) as { topics?: unknown } | undefined)?.topics;
  const seen = new Set<string>();
  const topics = (Array.isArray(list) ? list : [])
    .filter((t): t is string => typeof t === "string")
    .map((t) => t.trim().replace(/\s+/g, " ").slice(0, 60))
    .filter((t) => t && !seen.has(t.toLowerCase()) && Boolean(seen.add(t.toLowerCase())))
    .slice(0, MAX_TOPICS);
  return { topics, tokensIn: reply.tokensIn, tokensOut: reply.tokensOut };
}
