// Dataset generation on real parts: a fake LLM server over HTTP (OpenAI protocol), the real
// queue, and worker processes that get SIGKILLed mid-run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { updateExampleAction } from "@/lib/datasets/actions";
import { listExamples } from "@/lib/datasets/review";
import { freezeDatasetVersion } from "@/lib/datasets/versions";
import { db } from "@/lib/db/client";
import { writeDatasetExport } from "@/lib/exports/dataset/write";
import { readZipEntry } from "@/lib/exports/zip";
import { generationBlocker } from "@/lib/generation";
import { saveGenerationSettingsAction, startGenerationAction, startPreviewAction } from "@/lib/generation/actions";
import { FLUSH_SIZE } from "@/lib/generation/generate-handler";
import { cancelJobAction, retryJobAction } from "@/lib/jobs/actions";
import { stopSender } from "@/lib/jobs/boss";
import { createProvider, estimateCost, listProviders } from "@/lib/llm";
import { getStorage, readToBuffer } from "@/lib/storage";
import { defaultResponder, type FakeLlm, type FakeMessage, type FakeMode, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { actAs } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor, waitForJob } from "../support/worker-process";

const API_KEY = "sk-test-secret-key-4242";
let llm: FakeLlm;
let team: Team;
let providerId: string;
let worker: WorkerProcess;

/** A project with `chunks` distinct chunks in one ready source, set to generate with the fake server. */
async function projectWithChunks(chunks: number, config: Record<string, number> = {}) {
  const project = await createProjectIn(team.workspace.id, `Gen ${Math.random().toString(36).slice(2, 7)}`);
  await db.project.update({ where: { id: project.id }, data: { taskType: "qa", config: { examples_per_chunk: 2, num_examples_target: 10_000, ...config } } });
  const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "handbook.md", storagePath: "unused" } });
  await db.chunk.createMany({
    data: Array.from({ length: chunks }, (_, i) => ({
      projectId: project.id,
      sourceFileId: file.id,
      chunkIndex: i,
      content: `Section ${i}: refunds for order type ${i} are issued within ${i + 3} days by the billing team, who also handle disputes for region ${i % 7}.`,
      tokenCount: 30,
      charCount: 120,
    })),
  });
  await actAs(team.members.editor);
  const saved = await saveGenerationSettingsAction({ projectId: project.id, settings: { provider_id: providerId, model: "fake-chat" } });
  expect(saved.ok).toBe(true);
  return project;
}

async function runJob(projectId: string, kind: "preview" | "generate") {
  const started = kind === "preview" ? await startPreviewAction({ projectId }) : await startGenerationAction({ projectId });
  if (!started.ok) throw new Error(started.error.message);
  return started.data.jobId;
}

function settled(jobId: string, timeoutMs = 90_000) {
  return waitForJob(jobId, ["success", "failed", "cancelled"], timeoutMs);
}

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: API_KEY });
  team = await createTeam();
  const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
  const provider = await createProvider(ctx, {
    name: "Fake OpenAI",
    kind: "openai",
    baseUrl: fakeBaseUrl(llm, "openai"),
    defaultModel: "fake-chat",
    apiKey: API_KEY,
    options: { concurrency: 4, requestsPerMinute: 0, timeoutMs: 10_000, prices: { inputPer1M: 1.5, outputPer1M: 6 } },
  });
  providerId = provider.id;
  worker = spawnTestWorker();
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  await llm.stop();
});

describe("preview", () => {
  it("returns 10 examples from a spread of chunks, each beside its source chunk", async () => {
    llm.setMode("good");
    const project = await projectWithChunks(40);
    const job = await settled(await runJob(project.id, "preview"));
    expect(job.status, job.errorMessage ?? "").toBe("success");
    const preview = await db.datasetExample.findMany({ where: { projectId: project.id, split: "preview" }, include: { sourceChunk: true } });
    expect(preview).toHaveLength(10);
    expect(preview.every((e) => e.isValid && e.sourceChunk)).toBe(true);
    const indexes = new Set(preview.map((e) => e.sourceChunk!.chunkIndex));
    expect(indexes.size).toBe(10);
    expect(Math.min(...indexes)).toBe(0);
    expect(Math.max(...indexes)).toBe(39);
    expect((preview[0].provenance as { promptVersion: string }).promptVersion).toBe("builtin-qa-v1");
  }, 120_000);
});

describe("before a start", () => {
  it("a provider without a default model and no model chosen blocks preview and run with what to do", async () => {
    const project = await projectWithChunks(2);
    const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.manage");
    const bare = await createProvider(ctx, {
      name: "Local Ollama (no model)",
      kind: "ollama",
      baseUrl: fakeBaseUrl(llm, "ollama"),
      options: { concurrency: 1, requestsPerMinute: 0, timeoutMs: 10_000 },
    });
    await actAs(team.members.editor);
    expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { provider_id: bare.id, model: "" } })).ok).toBe(true);
    const before = await db.job.count({ where: { projectId: project.id } });
    for (const start of [startPreviewAction, startGenerationAction]) {
      const result = await start({ projectId: project.id });
      expect(!result.ok && result.error.message).toBe(
        "Local Ollama (no model) has no default model: type the model to use in Model above (for Ollama, one you have pulled, such as llama3.1:8b), or give the provider a default model in the workspace settings.",
      );
    }
    expect(await db.job.count({ where: { projectId: project.id } })).toBe(before);
    expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { model: "fake-chat" } })).ok).toBe(true);
    const pctx = await requireProject(team.members.editor, project.id, "project.view");
    expect(await generationBlocker(pctx)).toBeUndefined();
  });
});

describe("generation", () => {
  const modes: Array<[FakeMode, "valid" | "failed"]> = [
    ["good", "valid"],
    ["fenced", "valid"],
    ["prose", "valid"],
    ["trailingcomma", "valid"],
    ["ratelimit", "valid"],
    ["error500", "valid"],
    ["drop", "valid"],
    ["malformed", "failed"],
    ["empty", "failed"],
  ];
  for (const [mode, expected] of modes) {
    it(`${mode}: ${expected === "valid" ? "examples come through" : "every answer unusable: the chunk is re-asked, then counted failed with its reason"}`, async () => {
      llm.setMode(mode, { failures: 1 });
      const project = await projectWithChunks(2);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status, job.errorMessage ?? "").toBe("success");
      const examples = await db.datasetExample.findMany({ where: { projectId: project.id } });
      const tasks = await db.generationTask.findMany({ where: { jobId: job.id } });
      const summary = job.resultSummary as { failed_chunks: number; reasked_chunks: number };
      if (expected === "valid") {
        expect(examples).toHaveLength(4);
        expect(examples.every((e) => e.isValid)).toBe(true);
        expect(examples[0].data).toMatchObject({ question: expect.any(String), answer: expect.any(String) });
        expect(tasks.every((t) => t.status === "done")).toBe(true);
        // Repaired or retried by the client: not re-asked.
        expect(summary.reasked_chunks).toBe(0);
      } else {
        expect(examples).toHaveLength(0);
        expect(tasks.map((t) => t.status)).toEqual(["failed", "failed"]);
        for (const t of tasks) {
          expect(t.reasks).toBe(2);
          expect(t.error).toMatch(mode === "empty" ? /empty answer\. Asked 3 times/ : /not JSON.*Asked 3 times/);
        }
        expect(summary).toMatchObject({ failed_chunks: 2, reasked_chunks: 2 });
      }
    }, 90_000);
  }

  it("re-asks botched answers (empty, refusal, cut off, prose) with the reason, and loses no chunk", async () => {
    llm.setMode("botched", { failures: 2 });
    const project = await projectWithChunks(12);
    const before = llm.requests.length;
    const job = await settled(await runJob(project.id, "generate"), 120_000);
    expect(job.status, job.errorMessage ?? "").toBe("success");
    const tasks = await db.generationTask.findMany({ where: { jobId: job.id } });
    expect(tasks.every((t) => t.status === "done" && t.reasks === 2)).toBe(true);
    expect(await db.datasetExample.count({ where: { projectId: project.id, isValid: true } })).toBe(24);
    expect(job.resultSummary).toMatchObject({ failed_chunks: 0, reasked_chunks: 12 });
    // Each kind of botch was met, and each re-ask said what was wrong.
    const asked = llm.requests.slice(before).map((r) => r.body as { messages: FakeMessage[]; max_tokens?: number });
    const reminders = asked.map((b) => b.messages.at(-1)!.content).filter((c) => !c.includes('"""'));
    expect(reminders.some((c) => /cut off/.test(c))).toBe(true);
    expect(reminders.some((c) => /not JSON/.test(c))).toBe(true);
    expect(asked.some((b) => b.messages.at(-1)!.content.includes("Your answer was empty"))).toBe(true);
    // After a cut-off answer, a larger token budget.
    expect(asked.some((b) => (b.max_tokens ?? 0) >= 4096)).toBe(true);
  }, 150_000);

  it("against a server with every real quirk at 15 % per call, fewer than 2 % of chunks end without examples, each with its reason", async () => {
    // 186 chunks, as in the walk-through that lost 47 % of them before re-asks.
    llm.setMode("chaos", { chaosRate: 0.15, chaosSeed: 7 });
    const project = await projectWithChunks(186);
    const job = await settled(await runJob(project.id, "generate"), 280_000);
    expect(job.status, job.errorMessage ?? "").toBe("success");
    const tasks = await db.generationTask.findMany({ where: { jobId: job.id } });
    expect(tasks).toHaveLength(186);
    const failed = tasks.filter((t) => t.status !== "done" || t.examples === 0);
    expect(failed.length / tasks.length).toBeLessThan(0.02);
    for (const t of failed) expect(t.error).toMatch(/Asked \d+ times|did not answer|refused|failed/);
    // Every quirk was met, and the job's own counts say what happened.
    expect(new Set(llm.chaosCounts.keys()).size).toBe(14);
    expect(job.resultSummary).toMatchObject({ failed_chunks: failed.length });
    expect((job.resultSummary as { reasked_chunks: number }).reasked_chunks).toBeGreaterThan(20);
    // No example is stored twice for a chunk that came back with its items duplicated.
    const valid = await db.datasetExample.findMany({ where: { projectId: project.id, isValid: true }, select: { contentHash: true, isDuplicate: true } });
    expect(valid.length).toBeGreaterThan(186 * 2 * 0.9);
    // A chunk's examples are all on one side of the split (none of a passage's near-identical
    // examples straddle it), and the chunks are drawn into both sides.
    const sides = await db.datasetExample.groupBy({ by: ["sourceChunkId", "split"], where: { projectId: project.id, split: { in: ["train", "eval"] } } });
    const perChunk = new Map<string | null, number>();
    for (const side of sides) perChunk.set(side.sourceChunkId, (perChunk.get(side.sourceChunkId) ?? 0) + 1);
    expect([...perChunk.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(sides.map((side) => side.split))).toEqual(new Set(["train", "eval"]));
    llm.setMode("good");
  }, 300_000);

  it("shows the client's retries in the job's own log", async () => {
    llm.setMode("ratelimit", { failures: 1 });
    const project = await projectWithChunks(1);
    const job = await settled(await runJob(project.id, "generate"));
    const logs = await db.appLog.findMany({ where: { jobId: job.id, level: "warn" } });
    expect(logs.map((l) => l.message).join("\n")).toMatch(/Chunk 1 of source [0-9a-f]{8}: .*Retrying in \d+\.\d s \(attempt 2 of 5\)/);
  }, 90_000);

  it("rejects answers that copy the prompt's instructions or are not grounded in their chunk, with the reason", async () => {
    llm.setMode("good");
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      const instruction = /Write in [^\n]*\./.exec(user)![0];
      return JSON.stringify({
        examples: [
          { question: "Which language should answers use?", answer: instruction },
          { question: "What is the capital of France?", answer: "Paris is the capital and largest city of France, on the Seine river." },
        ],
      });
    });
    try {
      const project = await projectWithChunks(1);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status).toBe("success");
      const examples = await db.datasetExample.findMany({ where: { projectId: project.id }, orderBy: { naturalKey: "asc" } });
      expect(examples.map((e) => [e.isValid, e.validationError])).toEqual([
        [false, "The answer copies the prompt's instructions instead of answering."],
        [false, expect.stringMatching(/^Not supported by its source chunk: only \d+ % of the answer's words appear in it\.$/)],
      ]);
      expect(examples[1].grounding).toBeLessThan(0.2);
      // Review filters by it.
      const ctx = await requireProject(team.members.editor, project.id, "project.view");
      const low = await listExamples(ctx, { grounding: "low" });
      expect(low.items.map((e) => e.id)).toEqual([examples[1].id]);
      expect(low.items[0].grounding).toBeLessThan(0.2);
    } finally {
      llm.setResponder(null);
    }
  }, 90_000);

  it("records a chunk that keeps failing and goes on with the others", async () => {
    llm.setMode("good");
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      if (user.includes("Section 1:")) throw new Error("respond with 500");
      return JSON.stringify({ examples: [{ question: `Q about ${user.length}?`, answer: "An answer that is long enough to be useful." }] });
    });
    try {
      const project = await projectWithChunks(3);
      const job = await settled(await runJob(project.id, "generate"), 120_000);
      expect(job.status).toBe("success");
      const tasks = await db.generationTask.findMany({ where: { jobId: job.id }, orderBy: { position: "asc" } });
      expect(tasks.map((t) => t.status)).toEqual(["done", "failed", "done"]);
      expect(tasks[1].error).toMatch(/500|server/i);
      expect((job.resultSummary as { failed_chunks: number }).failed_chunks).toBe(1);
    } finally {
      llm.setResponder(null);
    }
  }, 150_000);

  it("questions first: distinct questions per chunk, then each answered with the chunk, as examples like the single pass's", async () => {
    llm.setMode("good");
    const prompts: string[] = [];
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      prompts.push(user);
      const section = /Section (\d+):/.exec(user)?.[1] ?? "?";
      if (user.includes('{"questions": ["...", "..."]}')) {
        // A repeat in other case and punctuation, which is asked once.
        return JSON.stringify({
          questions: [
            `How fast are refunds for order type ${section}?`,
            `how fast are refunds for order type ${section}`,
            `Who handles disputes in section ${section}?`,
          ],
        });
      }
      const question = /Question:\n"""\n(.*)\n"""/.exec(user)?.[1] ?? "";
      return JSON.stringify({
        answer: question.startsWith("Who")
          ? "The billing team handles disputes for that region."
          : `Refunds for order type ${section} are issued within ${Number(section) + 3} days by the billing team.`,
      });
    });
    try {
      const project = await projectWithChunks(2, { examples_per_chunk: 3 });
      await actAs(team.members.editor);
      expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { mode: "questions_first" } })).ok).toBe(true);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status).toBe("success");
      const examples = await db.datasetExample.findMany({ where: { projectId: project.id }, orderBy: { naturalKey: "asc" } });
      expect(examples.map((e) => (e.data as { question: string }).question).sort()).toEqual([
        "How fast are refunds for order type 0?",
        "How fast are refunds for order type 1?",
        "Who handles disputes in section 0?",
        "Who handles disputes in section 1?",
      ]);
      expect(examples.every((e) => e.isValid)).toBe(true);
      expect((examples[0].provenance as { promptVersion: string }).promptVersion).toBe("questions-first-qa-v1");
      // One call for the questions and one per distinct question, per chunk.
      expect(prompts).toHaveLength(2 * (1 + 2));
    } finally {
      llm.setResponder(null);
    }
  });

  it("reasoning: asked for beside each answer, kept apart from it, and exported in a think block only when asked", async () => {
    llm.setMode("good");
    let asked = "";
    llm.setResponder((messages) => {
      asked = messages.at(-1)?.content ?? "";
      const section = /Section (\d+):/.exec(asked)?.[1] ?? "?";
      return JSON.stringify({
        examples: [
          {
            question: `How fast are refunds for order type ${section}?`,
            answer: `Refunds for order type ${section} are issued within ${Number(section) + 3} days by the billing team.`,
            reasoning: `Section ${section} gives the refund time for order type ${section}.`,
          },
        ],
      });
    });
    try {
      const project = await projectWithChunks(1);
      await actAs(team.members.editor);
      expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { reasoning: true } })).ok).toBe(true);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status).toBe("success");
      expect(asked).toContain('Add it as a "reasoning" field to each example object.');
      const [example] = await db.datasetExample.findMany({ where: { projectId: project.id } });
      expect(example.data).toEqual({
        question: "How fast are refunds for order type 0?",
        answer: "Refunds for order type 0 are issued within 3 days by the billing team.",
      });
      expect((example.provenance as { reasoning: string }).reasoning).toBe("Section 0 gives the refund time for order type 0.");
      await db.datasetExample.update({ where: { id: example.id }, data: { split: "train" } });
      const lines = async (reasoning: boolean) => {
        const exportId = crypto.randomUUID();
        const written = await writeDatasetExport({ workspaceId: team.workspace.id, projectId: project.id, exportId, format: "jsonl", reasoning });
        const zip = await readToBuffer(await getStorage().get(written.fileKey), 10_000_000);
        return JSON.parse((await readZipEntry(zip, "train.jsonl")).toString().trim());
      };
      expect((await lines(false)).answer).toBe("Refunds for order type 0 are issued within 3 days by the billing team.");
      expect((await lines(true)).answer).toBe(
        "<think>\nSection 0 gives the refund time for order type 0.\n</think>\n\nRefunds for order type 0 are issued within 3 days by the billing team.",
      );
    } finally {
      llm.setResponder(null);
    }
  });

  it("topic plan: topics proposed from excerpts across the chunks, each example tagged with one, and the counts sent with every prompt", async () => {
    llm.setMode("good");
    const prompts: string[] = [];
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      prompts.push(user);
      if (user.includes('{"topics": ["...", "..."]}')) return JSON.stringify({ topics: ["Refund timing", "Disputes", "refund timing", "Shipping"] });
      const section = Number(/Section (\d+):/.exec(user)?.[1] ?? 0);
      return JSON.stringify({
        examples: [
          {
            question: `How fast are refunds for order type ${section}?`,
            answer: `Refunds for order type ${section} are issued within ${section + 3} days by the billing team.`,
            topic: section % 2 === 0 ? "refund TIMING" : "Disputes",
          },
          {
            question: `Who handles disputes for region ${section % 7}?`,
            answer: "The billing team handles disputes for that region.",
            topic: "Not in the plan",
          },
        ],
      });
    });
    try {
      const project = await projectWithChunks(4);
      await actAs(team.members.editor);
      expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { topic_plan: true } })).ok).toBe(true);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status).toBe("success");
      // The plan's call read excerpts of the chunks; repeats in other case were dropped.
      expect(prompts[0]).toContain("Section 0: refunds");
      const chunkPrompts = prompts.slice(1);
      expect(chunkPrompts).toHaveLength(4);
      for (const prompt of chunkPrompts) expect(prompt).toMatch(/- Refund timing \(\d+ so far\)\n- Disputes \(\d+ so far\)\n- Shipping \(\d+ so far\)/);
      const tagged = await db.datasetExample.findMany({ where: { projectId: project.id }, select: { tags: true } });
      const counts = new Map<string, number>();
      for (const { tags } of tagged) for (const tag of tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({ "topic: Refund timing": 2, "topic: Disputes": 2 });
      expect(tagged.filter((e) => e.tags.length === 0)).toHaveLength(4);
    } finally {
      llm.setResponder(null);
    }
  });

  it("topic plan in the preview and with questions first: the preview plans and tags as the run will; each question names its topic", async () => {
    llm.setMode("good");
    const prompts: string[] = [];
    llm.setResponder((messages) => {
      const user = messages.at(-1)?.content ?? "";
      prompts.push(user);
      if (user.includes('{"topics": ["...", "..."]}')) return JSON.stringify({ topics: ["Refund timing", "Disputes"] });
      const section = Number(/Section (\d+):/.exec(user)?.[1] ?? 0);
      if (user.includes('{"questions": ["...", "..."]}')) {
        return JSON.stringify({
          questions: [
            { text: `How fast are refunds for order type ${section}?`, topic: "refund timing" },
            { text: `Who handles disputes in section ${section}?`, topic: "Disputes" },
          ],
        });
      }
      if (user.includes("Question:")) {
        const question = /Question:\n"""\n(.*)\n"""/.exec(user)?.[1] ?? "";
        return JSON.stringify({
          answer: question.startsWith("Who")
            ? "The billing team handles disputes for that region."
            : `Refunds for order type ${section} are issued within ${section + 3} days by the billing team.`,
        });
      }
      return JSON.stringify({
        examples: [
          {
            question: `How fast are refunds for order type ${section}?`,
            answer: `Refunds for order type ${section} are issued within ${section + 3} days by the billing team.`,
            topic: "Refund timing",
          },
        ],
      });
    });
    try {
      const project = await projectWithChunks(2);
      await actAs(team.members.editor);
      expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { topic_plan: true } })).ok).toBe(true);
      const preview = await settled(await runJob(project.id, "preview"));
      expect(preview.status).toBe("success");
      expect(prompts[0]).toContain('{"topics": ["...", "..."]}');
      for (const prompt of prompts.slice(1)) expect(prompt).toMatch(/- Refund timing \(0 so far\)\n- Disputes \(0 so far\)/);
      const previewed = await db.datasetExample.findMany({ where: { projectId: project.id, split: "preview" } });
      expect(previewed.length).toBeGreaterThan(0);
      expect(previewed.every((e) => e.tags.includes("topic: Refund timing"))).toBe(true);

      prompts.length = 0;
      expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { mode: "questions_first" } })).ok).toBe(true);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status).toBe("success");
      const questionPrompts = prompts.filter((p) => p.includes('{"questions": ["...", "..."]}'));
      expect(questionPrompts).toHaveLength(2);
      for (const prompt of questionPrompts) expect(prompt).toContain('{"text": "...", "topic": "..."}');
      const examples = await db.datasetExample.findMany({ where: { projectId: project.id, split: { not: "preview" } } });
      expect(examples).toHaveLength(4);
      const tagOf = (e: (typeof examples)[number]) => e.tags.join();
      expect(examples.filter((e) => (e.data as { question: string }).question.startsWith("How")).map(tagOf)).toEqual([
        "topic: Refund timing",
        "topic: Refund timing",
      ]);
      expect(examples.filter((e) => (e.data as { question: string }).question.startsWith("Who")).map(tagOf)).toEqual(["topic: Disputes", "topic: Disputes"]);
    } finally {
      llm.setResponder(null);
    }
  });

  it("conversations: each is one example (its last turn, the earlier ones as history), trained and exported with every turn", async () => {
    llm.setMode("good");
    let asked = "";
    llm.setResponder((messages) => {
      asked = messages.at(-1)?.content ?? "";
      const section = Number(/Section (\d+):/.exec(asked)?.[1] ?? 0);
      return JSON.stringify({
        conversations: [
          {
            turns: [
              {
                user: `How fast are refunds for order type ${section}?`,
                assistant: `Refunds for order type ${section} are issued within ${section + 3} days.`,
              },
              { user: "And who issues them?", assistant: "The billing team issues the refunds." },
              { user: `Who handles disputes for region ${section % 7}?`, assistant: `The billing team also handles disputes for region ${section % 7}.` },
            ],
          },
          // A turn without its reply is reported, not half-stored.
          { turns: [{ user: "Anything else?" }] },
        ],
      });
    });
    try {
      const project = await projectWithChunks(1);
      await actAs(team.members.editor);
      expect((await saveGenerationSettingsAction({ projectId: project.id, settings: { mode: "conversation", conversation_turns: 3 } })).ok).toBe(true);
      const bad = await saveGenerationSettingsAction({ projectId: project.id, settings: { conversation_turns: 20 } });
      expect(bad.ok).toBe(false);
      const job = await settled(await runJob(project.id, "generate"));
      expect(job.status).toBe("success");
      expect(asked).toContain("each of exactly 3 exchanges");
      expect(asked).toContain('{"conversations": [{"turns": [{"user": "...", "assistant": "..."}');
      const examples = await db.datasetExample.findMany({ where: { projectId: project.id }, orderBy: { naturalKey: "asc" } });
      expect(examples).toHaveLength(2);
      const [conversation, broken] = [examples.find((e) => e.isValid)!, examples.find((e) => !e.isValid)!];
      expect(conversation.data).toEqual({
        question: "Who handles disputes for region 0?",
        answer: "The billing team also handles disputes for region 0.",
        history: [
          ["How fast are refunds for order type 0?", "Refunds for order type 0 are issued within 3 days."],
          ["And who issues them?", "The billing team issues the refunds."],
        ],
      });
      expect(broken.validationError).toMatch(/question and answer/);
      expect((conversation.provenance as { promptVersion: string }).promptVersion).toBe("conversation-qa-v1");
      expect(conversation.searchText).toContain("and who issues them?");

      // Every turn goes to training: the frozen version's messages hold all six.
      await db.datasetExample.update({ where: { id: conversation.id }, data: { split: "train" } });
      const version = await freezeDatasetVersion({ workspaceId: team.workspace.id, projectId: project.id });
      const frozen = JSON.parse((await readToBuffer(await getStorage().get(version.trainPath!), 1_000_000)).toString().trim());
      expect(frozen.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
      expect(frozen.messages[2].content).toBe("And who issues them?");

      // Exports: chat formats as turns, Alpaca and JSON Lines with LLaMA-Factory's history, CSV with a history column.
      const exported = async (format: "sharegpt" | "alpaca" | "csv", file: string) => {
        const written = await writeDatasetExport({ workspaceId: team.workspace.id, projectId: project.id, exportId: crypto.randomUUID(), format });
        const zip = await readToBuffer(await getStorage().get(written.fileKey), 10_000_000);
        return {
          text: (await readZipEntry(zip, file)).toString(),
          info: format === "csv" ? null : JSON.parse((await readZipEntry(zip, "dataset_info.json")).toString()),
        };
      };
      const sharegpt = JSON.parse((await exported("sharegpt", "train.jsonl")).text.trim());
      expect(sharegpt.conversations.map((t: { from: string }) => t.from)).toEqual(["human", "gpt", "human", "gpt", "human", "gpt"]);
      const alpaca = await exported("alpaca", "train.jsonl");
      expect(JSON.parse(alpaca.text.trim()).history).toEqual((conversation.data as { history: unknown }).history);
      expect(Object.values(alpaca.info as Record<string, { columns: Record<string, string> }>)[0].columns.history).toBe("history");
      const csv = (await exported("csv", "train.csv")).text;
      expect(csv.split("\r\n")[0]).toBe("\uFEFFquestion,answer,history");
      expect(csv).toContain('""And who issues them?""');

      // An edit of the last turn keeps the earlier ones; an edit that gives them changes them.
      const edited = await updateExampleAction({
        projectId: project.id,
        exampleId: conversation.id,
        data: { question: "Who handles disputes in region 0?", answer: "The billing team." },
      });
      expect(edited.ok).toBe(true);
      expect((await db.datasetExample.findUniqueOrThrow({ where: { id: conversation.id } })).data).toMatchObject({
        history: [
          [expect.any(String), expect.any(String)],
          ["And who issues them?", expect.any(String)],
        ],
      });
      const blankTurn = await updateExampleAction({
        projectId: project.id,
        exampleId: conversation.id,
        data: { question: "Who handles disputes in region 0?", answer: "The billing team.", history: [["", "x"]] },
      });
      expect(blankTurn.ok).toBe(true);
      expect(await db.datasetExample.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({
        isValid: false,
        validationError: "Turn 1's user message is empty.",
      });
    } finally {
      llm.setResponder(null);
    }
  });

  it("stops at num_examples_target", async () => {
    llm.setMode("good");
    const project = await projectWithChunks(20, { num_examples_target: 6 });
    const job = await settled(await runJob(project.id, "generate"));
    const valid = await db.datasetExample.count({ where: { projectId: project.id, isValid: true } });
    expect(valid).toBeGreaterThanOrEqual(6);
    expect(valid).toBeLessThan(6 + 4 * 2 + 1);
    expect(await db.generationTask.count({ where: { jobId: job.id, status: "skipped" } })).toBeGreaterThan(0);
  }, 90_000);

  it("tracks tokens and cost with the provider's prices", async () => {
    llm.setMode("good");
    const project = await projectWithChunks(3);
    const job = await settled(await runJob(project.id, "generate"));
    const summary = job.resultSummary as { tokens_in: number; tokens_out: number; cost_usd: number };
    expect(summary.tokens_in).toBeGreaterThan(0);
    expect(summary.tokens_out).toBeGreaterThan(0);
    expect(summary.cost_usd).toBeCloseTo(estimateCost({ tokensIn: summary.tokens_in, tokensOut: summary.tokens_out }, { inputPer1M: 1.5, outputPer1M: 6 })!, 4);
  }, 90_000);

  it("survives two SIGKILLs mid-run: every chunk once, no duplicates, no chunk asked twice beyond its retries", async () => {
    llm.setMode("slow", { latencyMs: 250 });
    const project = await projectWithChunks(40);
    const before = llm.requests.length;
    const jobId = await runJob(project.id, "generate");
    const chatCalls = () => llm.requests.slice(before).filter((r) => r.path.endsWith("/chat/completions")).length;
    // Every call so far is either committed with its chunk (done) or lost with the killed worker.
    let lost = 0;
    for (const atLeast of [8, 20]) {
      await waitFor(`${atLeast} chunks`, async () => (await db.generationTask.count({ where: { jobId, status: "done" } })) >= atLeast, 90_000, 100);
      worker.child.kill("SIGKILL");
      await worker.exited;
      const lostSoFar = chatCalls() - (await db.generationTask.count({ where: { jobId, status: "done" } }));
      // What one kill can lose: the calls in flight (4 at a time) and answers not yet written.
      expect(lostSoFar - lost).toBeLessThanOrEqual(4 + FLUSH_SIZE);
      lost = lostSoFar;
      worker = spawnTestWorker();
    }
    const job = await settled(jobId, 180_000);
    expect(job.status).toBe("success");
    const examples = await db.datasetExample.findMany({ where: { jobId }, select: { sourceChunkId: true, naturalKey: true } });
    expect(examples).toHaveLength(80);
    expect(new Set(examples.map((e) => e.naturalKey)).size).toBe(80);
    const perChunk = new Map<string, number>();
    for (const e of examples) perChunk.set(e.sourceChunkId!, (perChunk.get(e.sourceChunkId!) ?? 0) + 1);
    expect([...perChunk.values()].every((n) => n === 2)).toBe(true);
    // A chunk is asked again only when a kill lost its answer: each chunk once, plus those.
    expect(chatCalls()).toBe(40 + lost);
    const attempts = await db.generationTask.aggregate({ where: { jobId }, _sum: { attempts: true } });
    expect(attempts._sum.attempts).toBe(40);
  }, 300_000);

  it("cancel keeps what was made; retry continues without duplicating", async () => {
    // The server answers six chunks, then holds every answer until the job is cancelled: however
    // slow the machine, the cancel lands with the run half done.
    let answered = 0;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    llm.setResponder(async (messages) => {
      if (++answered > 6) await held;
      return defaultResponder(messages);
    });
    const project = await projectWithChunks(30);
    const jobId = await runJob(project.id, "generate");
    try {
      await waitFor("some chunks", async () => (await db.generationTask.count({ where: { jobId, status: "done" } })) >= 6, 60_000);
      expect((await cancelJobAction({ projectId: project.id, jobId })).ok).toBe(true);
      const cancelled = await settled(jobId, 30_000);
      expect(cancelled.status).toBe("cancelled");
    } finally {
      release();
      llm.setResponder(null);
    }
    const kept = await db.datasetExample.count({ where: { jobId } });
    expect(kept).toBeGreaterThanOrEqual(12);
    expect(kept).toBeLessThan(60);
    llm.setMode("good");
    expect((await retryJobAction({ projectId: project.id, jobId })).ok).toBe(true);
    await waitFor("retry to finish", async () => (await db.job.findUniqueOrThrow({ where: { id: jobId } })).status === "success", 90_000);
    expect(await db.datasetExample.count({ where: { jobId } })).toBe(60);
  }, 180_000);
});

describe("secrets", () => {
  it("the API key reaches the provider but never a view, a job or a log line", async () => {
    llm.setMode("auth", { apiKey: API_KEY });
    const project = await projectWithChunks(2);
    const job = await settled(await runJob(project.id, "generate"));
    expect(job.status).toBe("success");
    expect(llm.requests.some((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    const ctx = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "settings.view");
    expect(JSON.stringify(await listProviders(ctx))).not.toContain(API_KEY);
    const stored = await db.llmProvider.findUniqueOrThrow({ where: { id: providerId } });
    expect(stored.apiKeyEncrypted).not.toContain(API_KEY);
    const logs = await db.appLog.findMany({ where: { OR: [{ message: { contains: API_KEY } }, { excInfo: { contains: API_KEY } }] } });
    expect(logs).toHaveLength(0);
    const jobs = await db.job.findMany({ where: { projectId: project.id } });
    expect(JSON.stringify(jobs)).not.toContain(API_KEY);
  }, 90_000);
});
