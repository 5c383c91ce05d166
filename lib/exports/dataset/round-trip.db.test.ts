// Round trip: every dataset export format of both task types, imported back into a fresh project
// with the mapping the import suggests, gives back the same examples in the same splits. Formats
// that hold the example's own fields (JSON Lines, Alpaca, CSV) come back field for field; chat
// formats, which hold only the turns, come back with the same prompt and response (an
// instruction's input is part of the user turn there) and without the export's system prompt.
// A multi-turn conversation comes back whole in every format (LLaMA-Factory's `history` pairs in
// the field formats, a JSON `history` column in CSV, the turns themselves in the chat formats).
import crypto from "node:crypto";
import { buffer } from "node:stream/consumers";
import { beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import type { ProjectContext } from "@/lib/access/guard";
import { type ExampleData, promptOf, responseOf } from "@/lib/datasets/example";
import type { DatasetMapping } from "@/lib/datasets/formats/mapping";
import { previewImport } from "@/lib/datasets/import";
import { importDataset } from "@/lib/datasets/import-handler";
import { db } from "@/lib/db/client";
import { detectFormat } from "@/lib/ingest/detect";
import type { JobContext } from "@/lib/jobs/definition";
import { getStorage, readToBuffer } from "@/lib/storage";
import { createProjectIn, createTeam } from "@/tests/support/fixtures";
import type { DatasetFormat } from "./formats";
import { writeDatasetExport } from "./write";

const INSTRUCTION: ExampleData[] = [
  { instruction: "Translate to French.", input: "Good morning", output: "Bonjour" },
  { instruction: "Name a prime.", input: "", output: "7" },
  { instruction: "Explain:\nline two", input: "  indented\ncontext  ", output: 'He said "oui".\r\nDone.' },
  { instruction: "Agent code?", input: "", output: "007" },
  { instruction: "Celebrate 🎉", input: "tab\there", output: "Ok, then." },
  // A multi-turn conversation: the last exchange, with the earlier ones as its history.
  {
    instruction: "And Spain?",
    input: "",
    output: "Madrid.",
    history: [
      ["Capital of France?", "Paris."],
      ['Say it, "in French".', "Paris,\nen français."],
    ],
  },
];
const QA: ExampleData[] = [
  { question: "Where is Paris?", answer: "France" },
  { question: "How many legs\ndoes a spider have?", answer: "8" },
  { question: "Quote?", answer: '"To be, or not to be"' },
  { question: "And Spain?", answer: "Madrid.", history: [["Capital of France?", "Paris."]] },
];
const FORMATS: DatasetFormat[] = ["jsonl", "alpaca", "sharegpt", "openai", "csv"];
const CHAT = new Set<DatasetFormat>(["sharegpt", "openai"]);

let workspaceId: string;
beforeAll(async () => {
  workspaceId = (await createTeam()).workspace.id;
});

async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of file.eachEntry()) entries.set(entry.fileName, await buffer(await file.openReadStreamPromise(entry)));
  return entries;
}

async function project(taskType: "instruction" | "qa", seeds: ExampleData[] = []) {
  const p = await createProjectIn(workspaceId, `Round trip ${crypto.randomUUID().slice(0, 8)}`);
  await db.project.update({ where: { id: p.id }, data: { taskType } });
  const start = Date.parse("2026-03-01T00:00:00Z");
  await db.datasetExample.createMany({
    data: seeds.map((data, i) => ({
      projectId: p.id,
      naturalKey: `seed:${i}`,
      data,
      split: i % 3 === 2 ? "eval" : "train",
      createdAt: new Date(start + i * 1000),
    })),
  });
  return p;
}

/**
 * Stores one exported file as an upload of project `projectId` and imports it with the suggested
 * mapping, or with what `choose` makes of it (what a user would pick in the import dialog).
 */
async function importFile(projectId: string, filename: string, bytes: Buffer, choose: (suggested: DatasetMapping) => DatasetMapping = (m) => m) {
  const detection = detectFormat(bytes, filename, bytes.length);
  if (!detection.ok) throw new Error(detection.message);
  const storagePath = `test/${projectId}/${crypto.randomUUID()}`;
  await getStorage().put(storagePath, bytes);
  const file = await db.file.create({
    data: { projectId, kind: "dataset_upload", status: "ready", filename, storagePath, sizeBytes: bytes.length, metadata: { format: detection.format } },
  });
  const ctx = { workspace: { id: workspaceId }, projectId } as ProjectContext;
  const preview = await previewImport(ctx, file.id);
  expect(preview.sampleErrors).toBe(0);
  const { id: jobId } = await db.job.create({ data: { projectId, type: "import", status: "running" } });
  const job: JobContext<{ fileId: string; mapping: DatasetMapping }> = {
    jobId,
    projectId,
    workerId: "test",
    payload: { fileId: file.id, mapping: choose(preview.suggestedMapping!) },
    attempt: 1,
    signal: new AbortController().signal,
    progress: async () => {},
    log: () => {},
    checkpoint: { get: () => undefined, save: async () => {}, saveIn: async () => {} },
  };
  await importDataset(job);
  return preview;
}

describe.each(["instruction", "qa"] as const)("round trip of a %s project", (taskType) => {
  const seeds = taskType === "instruction" ? INSTRUCTION : QA;

  it.each(FORMATS)("through %s: the same examples in the same splits", async (format) => {
    const source = await project(taskType, seeds);
    const result = await writeDatasetExport({
      workspaceId,
      projectId: source.id,
      exportId: crypto.randomUUID(),
      format,
      selection: "valid",
      // A system prompt for the chat formats: the export's, not the examples'.
      systemPrompt: CHAT.has(format) ? "Answer from the handbook." : undefined,
    });
    const entries = await unzip(await readToBuffer(await getStorage().get(result.fileKey), 64 * 1024 * 1024));
    const target = await project(taskType);
    for (const [name, bytes] of entries) {
      if (!/^(train|eval)\./.test(name)) continue;
      // One system prompt on every conversation is the export's: the import suggests dropping it
      // when the file shows it on two or more; a one-conversation file cannot tell, so the user picks it.
      const preview = await importFile(target.id, name, bytes, (m) => (m.shape === "columns" ? m : { ...m, systemTurns: "drop" }));
      if (CHAT.has(format) && name.startsWith("train")) expect(preview.suggestedMapping).toMatchObject({ systemTurns: "drop", split: "train" });
    }

    const original = await db.datasetExample.findMany({ where: { projectId: source.id }, orderBy: { createdAt: "asc" } });
    const back = await db.datasetExample.findMany({ where: { projectId: target.id }, orderBy: [{ split: "asc" }, { naturalKey: "asc" }] });
    expect(back.every((e) => e.isValid)).toBe(true);
    const view = (rows: typeof original) =>
      rows
        .map((e) => {
          const data = e.data as ExampleData;
          return CHAT.has(format) ? { split: e.split, prompt: promptOf(data), response: responseOf(data), history: data.history } : { split: e.split, data };
        })
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(view(back)).toEqual(view(original));
  });
});
