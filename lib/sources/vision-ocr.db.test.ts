// OCR by a vision model on the workspace's provider, through the chunking job's work on the real
// database and storage, against a real HTTP server speaking OpenAI's and Ollama's protocols. The
// stand-in "vision model" reads the image it is sent with Tesseract, so the text that comes back
// is the text of the page the product rendered and sent, not a canned answer.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { listSources } from "@/lib/sources";
import { getStorage } from "@/lib/storage";
import { tokensThisMonth } from "@/lib/usage";
import { makeScanImage, makeScannedPdf, makeScanTiff } from "@/tests/support/corpus";
import { type FakeLlm, type FakeMessage, fakeBaseUrl, startFakeLlm } from "@/tests/support/fake-llm";
import { createProjectIn, createTeam, type Team } from "@/tests/support/fixtures";
import { testJobContext } from "@/tests/support/job-context";
import { visionStandIn } from "@/tests/support/vision-stand-in";
import { processDocument } from "./chunking-handler";
import { pageText, VISION_OCR_PROMPT } from "./vision-ocr";

let server: FakeLlm;
let team: Team;
/** Every image the stand-in model was sent, with the prompt beside it. */
let seen: { prompt: string; image: Buffer }[] = [];

const readImage = visionStandIn((prompt, image) => seen.push({ prompt, image }));

beforeAll(async () => {
  server = await startFakeLlm({ models: ["fake-vision"], rejectUnknownModels: true, tokenProbability: 0.93 });
  server.setResponder(readImage);
  team = await createTeam("Vision OCR");
});

afterAll(async () => {
  await server?.stop();
});

async function provider(kind: "openai" | "ollama", prices: { inputPer1M: number; outputPer1M: number } | null = null, workspaceId = team.workspace.id) {
  return db.llmProvider.create({
    data: {
      workspaceId,
      name: `${kind} ${crypto.randomUUID().slice(0, 6)}`,
      kind,
      baseUrl: fakeBaseUrl(server, kind),
      defaultModel: "fake-vision",
      options: { prices },
    },
  });
}

async function project(config: Record<string, unknown>) {
  const created = await createProjectIn(team.workspace.id);
  return db.project.update({ where: { id: created.id }, data: { config: config as object } });
}

async function storedFile(projectId: string, filename: string, bytes: Buffer) {
  const storagePath = `test/${projectId}/${crypto.randomUUID()}`;
  await getStorage().put(storagePath, bytes);
  return db.file.create({
    data: { projectId, kind: "raw_doc", status: "processing", filename, storagePath, sha256: crypto.createHash("sha256").update(bytes).digest("hex") },
  });
}

/** A job context whose checkpoint lives in `store` across attempts, as the Job row keeps it. */
function context(projectId: string, fileId: string, store: { checkpoint?: unknown } = {}, signal?: AbortSignal) {
  return testJobContext(projectId, { fileId }, { store, overrides: signal ? { signal } : {} });
}

async function chunkTexts(fileId: string) {
  return (await db.chunk.findMany({ where: { sourceFileId: fileId }, orderBy: { chunkIndex: "asc" } })).map((c) => c.content);
}

describe("vision-model OCR", () => {
  it("sends only the scanned page to the chosen provider's model, as an image, and keeps its text, page number, confidence and cost", async () => {
    seen = [];
    const openai = await provider("openai", { inputPer1M: 2.5, outputPer1M: 10 });
    const p = await project({ ocr_engine: "vision", ocr_vision_provider: openai.id, ocr_vision_model: "fake-vision" });
    const pdf = await makeScannedPdf([
      { text: [{ text: "Section one is typed and has a text layer." }] },
      { scan: ["Section two was scanned from paper.", "Its text comes from OCR."] },
    ]);
    const file = await storedFile(p.id, "binder.pdf", pdf);
    const before = server.requests.length;
    const { ctx, progress } = context(p.id, file.id);
    const summary = await processDocument(ctx);

    expect(await chunkTexts(file.id)).toEqual(["Section one is typed and has a text layer.\n\nSection two was scanned from paper.\nIts text comes from OCR."]);
    // One request, for page 2 only, with the prompt and a JPEG of the page, asking for log-probabilities.
    const requests = server.requests.slice(before);
    expect(requests).toHaveLength(1);
    const body = requests[0].body as { model: string; logprobs?: boolean; temperature?: number; messages: FakeMessage[] };
    expect(body).toMatchObject({ model: "fake-vision", logprobs: true, temperature: 0 });
    expect(seen.map((s) => s.prompt)).toEqual([VISION_OCR_PROMPT]);
    expect(seen[0].image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(progress).toContain(`Reading page 2 with fake-vision on ${openai.name} (1 of 1)`);

    const stored = await db.file.findUniqueOrThrow({ where: { id: file.id } });
    const meta = stored.metadata as { ocr: { usage: { tokensIn: number; tokensOut: number; costUsd: number } } };
    expect(stored.metadata).toMatchObject({
      ocr: { engine: "vision", provider: openai.name, model: "fake-vision", pages: [{ page: 2, confidence: 93 }], usage: { pages: 1 } },
      chunking: { ocr_engine: "vision", ocr_vision_provider: openai.id, ocr_vision_model: "fake-vision" },
    });
    expect(meta.ocr.usage.tokensIn).toBeGreaterThan(0);
    expect(meta.ocr.usage.costUsd).toBeCloseTo((meta.ocr.usage.tokensIn * 2.5 + meta.ocr.usage.tokensOut * 10) / 1e6, 10);
    expect(summary).toMatchObject({ ocr_pages: 1, tokens_in: meta.ocr.usage.tokensIn, tokens_out: meta.ocr.usage.tokensOut });

    const sources = await listSources({ workspace: { id: team.workspace.id }, projectId: p.id } as Parameters<typeof listSources>[0]);
    expect(sources.find((s) => s.id === file.id)?.warnings).toEqual([
      `Page 2 was read by fake-vision on ${openai.name} (confidence 93 %); check the text in the chunks.`,
      expect.stringMatching(/^Reading 1 page with the vision model took [\d,]+ tokens \(< \$0\.01\)\.$/),
    ]);

    // The job's tokens count in the workspace's LLM usage.
    await db.job.create({
      data: { id: ctx.jobId, projectId: p.id, type: "chunking", status: "success", payload: {}, resultSummary: summary as object, finishedAt: new Date() },
    });
    const usedWith = await tokensThisMonth(team.workspace.id);
    await db.job.update({ where: { id: ctx.jobId }, data: { resultSummary: { chunks: 1 } } });
    expect(await tokensThisMonth(team.workspace.id)).toBe(usedWith - meta.ocr.usage.tokensIn - meta.ocr.usage.tokensOut);

    // Changing the vision model marks the source for a re-chunk.
    await db.project.update({ where: { id: p.id }, data: { config: { ocr_engine: "vision", ocr_vision_provider: openai.id, ocr_vision_model: "other" } } });
    expect(
      (await listSources({ workspace: { id: team.workspace.id }, projectId: p.id } as Parameters<typeof listSources>[0])).find((s) => s.id === file.id)?.stale,
    ).toBe(true);
  }, 120_000);

  it("reads images: PNG as it is, each TIFF page converted to JPEG, and Ollama's answers without a confidence say so", async () => {
    const ollama = await provider("ollama");
    const p = await project({ ocr_engine: "vision", ocr_vision_provider: ollama.id });
    seen = [];
    const png = await storedFile(p.id, "receipt.png", await makeScanImage(["Receipt 4471: two filters, one lens cap."]));
    await processDocument(context(p.id, png.id).ctx);
    expect(await chunkTexts(png.id)).toEqual(["Receipt 4471: two filters, one lens cap."]);
    // Ollama's wire format: the image in `images`, base64.
    const last = server.requests.at(-1)!;
    expect(last.path).toBe("/api/chat");
    expect(seen[0].image.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect((await db.file.findUniqueOrThrow({ where: { id: png.id } })).metadata).toMatchObject({
      ocr: { engine: "vision", model: "fake-vision", pages: [{ page: 1, confidence: null, reported: false }] },
      warnings: [`The image was read by fake-vision on ${ollama.name} (confidence not reported); check the text in the chunks.`, expect.any(String)],
    });

    seen = [];
    const tiff = await storedFile(p.id, "fax.tiff", await makeScanTiff([["First page of the fax."], [], ["Third page, after a blank one."]]));
    await processDocument(context(p.id, tiff.id).ctx);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.image[0] === 0xff && s.image[1] === 0xd8)).toBe(true);
    expect((await chunkTexts(tiff.id)).join("\n")).toBe("First page of the fax.\n\nThird page, after a blank one.");
    expect((await db.file.findUniqueOrThrow({ where: { id: tiff.id } })).metadata).toMatchObject({
      ocr: {
        pages: [
          { page: 1, confidence: null, reported: false },
          { page: 2, confidence: null },
          { page: 3, confidence: null, reported: false },
        ],
      },
    });
  }, 120_000);

  it("sends Hugging Face Inference the image as an OpenAI content part and reads its log-probabilities", async () => {
    const hf = await db.llmProvider.create({
      data: {
        workspaceId: team.workspace.id,
        name: "HF endpoint",
        kind: "huggingface",
        baseUrl: fakeBaseUrl(server, "huggingface"),
        defaultModel: "fake-vision",
        options: {},
      },
    });
    const p = await project({ ocr_engine: "vision", ocr_vision_provider: hf.id });
    seen = [];
    const file = await storedFile(p.id, "note.jpg", await makeScanImage(["Note 17: the pump was serviced in May."], { format: "jpeg" }));
    const before = server.requests.length;
    await processDocument(context(p.id, file.id).ctx);
    expect(await chunkTexts(file.id)).toEqual(["Note 17: the pump was serviced in May."]);
    const [request] = server.requests.slice(before);
    expect(request.path).toBe("/hf/v1/chat/completions");
    expect(request.body).toMatchObject({ logprobs: true });
    expect(seen[0].image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await db.file.findUniqueOrThrow({ where: { id: file.id } })).metadata).toMatchObject({
      ocr: { engine: "vision", pages: [{ page: 1, confidence: 93 }] },
    });
  }, 120_000);

  it("a retry after the provider dropped mid-document does not pay for the pages already read", async () => {
    const openai = await provider("openai");
    const p = await project({ ocr_engine: "vision", ocr_vision_provider: openai.id });
    // Different lines on each page: a line on every page would be dropped as a running header.
    const lines = (n: string) => [`Page ${n} was scanned from paper.`, `Part ${n} of the text comes from OCR.`];
    const pdf = await makeScannedPdf([{ scan: lines("one") }, { scan: lines("two") }, { scan: lines("three") }]);
    const file = await storedFile(p.id, "scan.pdf", pdf);
    const store: { checkpoint?: unknown } = {};
    // The worker lets go of the job while page 2 is being read (a stop, a lost claim).
    const released = new AbortController();
    let calls = 0;
    server.setResponder(async (messages) => {
      calls += 1;
      if (calls === 2) released.abort(new Error("released"));
      return readImage(messages);
    });
    try {
      await expect(processDocument(context(p.id, file.id, store, released.signal).ctx)).rejects.toThrow("released");
      expect(calls).toBe(2);
      await processDocument(context(p.id, file.id, store).ctx);
    } finally {
      server.setResponder(readImage);
    }
    // Page 1 came from the checkpoint; pages 2 (cut off before) and 3 were read once more.
    expect(calls).toBe(4);
    expect(await chunkTexts(file.id)).toEqual([["one", "two", "three"].map((n) => lines(n).join("\n")).join("\n\n")]);
    expect((await db.file.findUniqueOrThrow({ where: { id: file.id } })).metadata).toMatchObject({ ocr: { usage: { pages: 3 } } });
  }, 120_000);

  it("fails the source with the provider's words when the model is refused, and keeps nothing half-read", async () => {
    const openai = await provider("openai");
    const p = await project({ ocr_engine: "vision", ocr_vision_provider: openai.id, ocr_vision_model: "no-such-model" });
    const file = await storedFile(p.id, "scan.png", await makeScanImage(["Refused."]));
    await expect(processDocument(context(p.id, file.id).ctx)).rejects.toThrow(/could not read page 1 with no-such-model/);
    expect(await db.file.findUniqueOrThrow({ where: { id: file.id } })).toMatchObject({
      status: "failed",
      errorMessage: expect.stringMatching(new RegExp(`^${openai.name} could not read page 1 with no-such-model: `)),
    });
    expect(await chunkTexts(file.id)).toEqual([]);
  });

  it("a provider of another workspace is refused when saved and not found when the job runs", async () => {
    const other = await createTeam("Other vision team");
    const theirs = await provider("openai", null, other.workspace.id);
    const { updateProject } = await import("@/lib/projects");
    const { requireProject } = await import("@/lib/access/guard");
    const p = await createProjectIn(team.workspace.id);
    const ctx = await requireProject(team.members.owner, p.id, "project.update");
    const { projectFieldsSchema } = await import("@/lib/projects");
    const fields = projectFieldsSchema.parse({ name: "Scans", taskType: "instruction", config: { ocr_engine: "vision", ocr_vision_provider: theirs.id } });
    await expect(updateProject(ctx, fields)).rejects.toMatchObject({
      fieldErrors: { "config.ocr_vision_provider": "Choose one of this workspace's LLM providers." },
    });

    // Written past the check (an old template, a deleted provider): the job refuses to use it.
    const stored = await project({ ocr_engine: "vision", ocr_vision_provider: theirs.id });
    const file = await storedFile(stored.id, "scan.png", await makeScanImage(["Not theirs."]));
    const before = server.requests.length;
    await expect(processDocument(context(stored.id, file.id).ctx)).rejects.toThrow(/chosen to read scans no longer exists/);
    expect(server.requests.length).toBe(before);
  });

  it("reads the model's answer as page text", () => {
    expect(pageText("```text\nLine one\nLine two\n```")).toBe("Line one\nLine two");
    expect(pageText(" NO_TEXT ")).toBe("");
    expect(pageText("Plain.")).toBe("Plain.");
  });
});
