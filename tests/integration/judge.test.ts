// The LLM judge against a real HTTP server (the fake LLM, OpenAI protocol): verdicts come back
// plain, fenced or wrapped in prose; an unreadable verdict fails that sample alone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireWorkspace } from "@/lib/access/guard";
import { JudgeParseError, type JudgeResult, judgeSample } from "@/lib/evaluation/judge";
import { createProvider, type LlmProviderRecord, loadProviderRecord } from "@/lib/llm";
import { type FakeLlm, type FakeMessage, type FakeMode, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createTeam } from "../support/fixtures";

const API_KEY = "sk-judge-test-key-1234";
let llm: FakeLlm;
let provider: LlmProviderRecord;

const sample = {
  prompt: "Within how many days are refunds issued?",
  reference: "Refunds are issued within 14 days.",
  sourceChunk: "Section 3: refunds are issued within 14 days by the billing team.",
};

/** Grades by the answer's text, so each sample of a batch gets its own verdict. */
function judgeResponder(messages: FakeMessage[]): string {
  const user = messages.findLast((m) => m.role === "user")?.content ?? "";
  const answer = /Assistant's answer to grade:\n"""\n([\s\S]*?)\n"""/.exec(user)?.[1] ?? "";
  if (answer.includes("UNREADABLE")) return "This answer seems fine overall; I would rate it highly.";
  const good = answer.includes("14 days");
  return JSON.stringify({
    faithfulness: good ? 5 : 2,
    correctness: good ? "5" : "1",
    helpfulness: good ? 4 : 2,
    score: good ? 5 : 1,
    reason: good ? "Matches the reference and the source." : "Contradicts the reference.",
  });
}

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: API_KEY });
  llm.setResponder(judgeResponder);
  const team = await createTeam();
  const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
  const created = await createProvider(ctx, {
    name: "Fake judge",
    kind: "openai",
    baseUrl: fakeBaseUrl(llm, "openai"),
    defaultModel: "fake-judge",
    apiKey: API_KEY,
    options: { concurrency: 4, requestsPerMinute: 0, timeoutMs: 10_000, prices: { inputPer1M: 1, outputPer1M: 2 } },
  });
  provider = await loadProviderRecord(team.workspace.id, created.id);
});

afterEach(() => llm.setMode("good"));

afterAll(async () => {
  await llm.stop();
});

describe("judgeSample", () => {
  const modes: FakeMode[] = ["good", "fenced", "prose"];
  for (const mode of modes) {
    it(`reads the verdict (${mode === "good" ? "plain JSON" : mode})`, async () => {
      llm.setMode(mode);
      const result = await judgeSample({ provider, ...sample, answer: "They are issued within 14 days.", signal: AbortSignal.timeout(10_000) });
      expect(result).toMatchObject({ score: 5, faithfulness: 5, correctness: 5, helpfulness: 4, reason: "Matches the reference and the source." });
      expect(result.tokensIn).toBeGreaterThan(0);
      expect(result.tokensOut).toBeGreaterThan(0);
    });
  }

  it("sends the rubric at temperature 0 with the source, the reference and the answer", async () => {
    const before = llm.requests.length;
    await judgeSample({ provider, model: "fake-judge-large", ...sample, answer: "Within 14 days." });
    const body = llm.requests[before].body as { model: string; temperature: number; messages: FakeMessage[] };
    expect(body.model).toBe("fake-judge-large");
    expect(body.temperature).toBe(0);
    const user = body.messages.at(-1)!.content;
    for (const part of [sample.prompt, sample.reference, sample.sourceChunk, "Within 14 days.", "faithfulness", "correctness", "helpfulness"]) {
      expect(user).toContain(part);
    }
  });

  it("throws JudgeParseError for a cut-off verdict", async () => {
    llm.setMode("malformed");
    await expect(judgeSample({ provider, ...sample, answer: "14 days." })).rejects.toBeInstanceOf(JudgeParseError);
  });

  it("records an unreadable verdict against its sample and grades the others", async () => {
    const answers = ["Refunds take 14 days.", "UNREADABLE", "Refunds take 30 days."];
    const outcomes = await Promise.allSettled(answers.map((answer) => judgeSample({ provider, ...sample, answer })));
    const recorded = outcomes.map((outcome): Pick<JudgeResult, "score"> | { error: string } => {
      if (outcome.status === "fulfilled") return { score: outcome.value.score };
      if (outcome.reason instanceof JudgeParseError) return { error: "judge output unreadable" };
      throw outcome.reason;
    });
    expect(recorded).toEqual([{ score: 5 }, { error: "judge output unreadable" }, { score: 1 }]);
    const failure = (outcomes[1] as PromiseRejectedResult).reason as JudgeParseError;
    expect(failure.message).toMatch(/^Judge output unreadable: the answer was not a JSON object/);
    expect(failure.excerpt).toContain("This answer seems fine");
  });
});
