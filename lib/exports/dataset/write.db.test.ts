import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import yauzl from "yauzl";
import type { ExampleData } from "@/lib/datasets/example";
import { db, getDb } from "@/lib/db/client";
import { storageDir } from "@/lib/env";
import { getStorage, readToBuffer } from "@/lib/storage";
import { exportKey } from "@/lib/storage/keys";
import { createProjectIn, createTeam } from "@/tests/support/fixtures";
import { pythonToolDir } from "@/tests/support/runner-venv";
import { type DatasetFormat, formatLine, type LineFormat } from "./formats";
import { writeDatasetExport } from "./write";

type Seed = { data: ExampleData; split?: "train" | "eval" | "preview"; reviewStatus?: "approved" | "rejected"; isDuplicate?: boolean };

async function seed(projectId: string, seeds: Seed[]) {
  const start = Date.parse("2026-02-01T00:00:00Z");
  await db.datasetExample.createMany({
    data: seeds.map((s, i) => ({ projectId, naturalKey: `seed:${i}`, createdAt: new Date(start + i * 1000), ...s })),
  });
}

async function stored(key: string): Promise<Buffer> {
  return readToBuffer(await getStorage().get(key), 64 * 1024 * 1024);
}

async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of file.eachEntry()) entries.set(entry.fileName, await buffer(await file.openReadStreamPromise(entry)));
  return entries;
}

const text = (entries: Map<string, Buffer>, name: string) => entries.get(name)?.toString("utf8");

/** A file's lines; the last one must be terminated too. */
function linesOf(content: string | undefined, end: string): string[] {
  expect(content?.endsWith(end)).toBe(true);
  return content!.slice(0, -end.length).split(end);
}

const train: ExampleData[] = [
  { instruction: 'Translate "bonjour".', input: "", output: "Hello, world." },
  { instruction: "Explain:\nline two", input: "Crème brûlée, s'il vous plaît", output: 'He said "oui".\r\nDone.' },
  { instruction: "Celebrate 🎉", input: "tab\tseparated", output: "Ok\u2028then." },
];
const evalSet: ExampleData[] = [{ instruction: "Eval question", input: "context", output: "answer" }];

describe("writeDatasetExport", () => {
  let workspaceId: string;
  let projectId: string;

  beforeAll(async () => {
    // Projects of their own: createTeam's project comes with fixture examples.
    const team = await createTeam();
    workspaceId = team.workspace.id;
    projectId = (await createProjectIn(workspaceId, "Export")).id;
    await seed(projectId, [
      { data: train[0], reviewStatus: "approved" },
      { data: train[1] },
      { data: { instruction: "Rejected", input: "", output: "No." }, reviewStatus: "rejected" },
      { data: train[2] },
      { data: evalSet[0], split: "eval" },
      { data: evalSet[0], split: "eval", isDuplicate: true },
      { data: { instruction: "Preview", input: "", output: "Never exported." }, split: "preview", reviewStatus: "approved" },
    ]);
  });

  const formats: [LineFormat, string][] = [
    ["jsonl", "jsonl"],
    ["alpaca", "jsonl"],
    ["sharegpt", "jsonl"],
    ["openai", "jsonl"],
    ["csv", "csv"],
  ];

  it.each(formats)("writes a %s ZIP with train, eval, dataset_info.json (not for CSV) and README.md", async (format, ext) => {
    const exportId = crypto.randomUUID();
    const options = { systemPrompt: "Be concise." };
    const result = await writeDatasetExport({ workspaceId, projectId, exportId, format, selection: "valid", ...options });

    expect(result.fileKey).toBe(exportKey(workspaceId, projectId, exportId, `dataset-${format}.zip`));
    expect(result.counts).toEqual({ train: 3, eval: 1 });
    const zip = await stored(result.fileKey);
    expect(result.sizeBytes).toBe(zip.length);
    expect(result.sha256).toBe(crypto.createHash("sha256").update(zip).digest("hex"));

    const entries = await unzip(zip);
    expect([...entries.keys()]).toEqual([`train.${ext}`, `eval.${ext}`, ...(format === "csv" ? [] : ["dataset_info.json"]), "README.md"]);
    if (format === "csv") {
      expect([...entries.get("train.csv")!.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = (examples: ExampleData[]) => examples.map((data) => `${formatLine("csv", data)}\r\n`).join("");
      expect(text(entries, "train.csv")).toBe(`\uFEFFinstruction,input,output\r\n${rows(train)}`);
      expect(text(entries, "eval.csv")).toBe(`\uFEFFinstruction,input,output\r\n${rows(evalSet)}`);
      expect(parse(entries.get("train.csv")!, { bom: true, columns: true })).toEqual(train);
    } else {
      const trainLines = linesOf(text(entries, "train.jsonl"), "\n");
      expect(trainLines).toEqual(train.map((data) => formatLine(format, data, options)));
      expect(linesOf(text(entries, "eval.jsonl"), "\n")).toEqual(evalSet.map((data) => formatLine(format, data, options)));
      for (const line of trainLines) expect(() => JSON.parse(line)).not.toThrow();
    }

    const readme = text(entries, "README.md")!;
    expect(readme).toContain(`| train | train.${ext} | 3 |`);
    expect(readme).toContain(`| eval | eval.${ext} | 1 |`);
    // A dataset card the Hub reads: its YAML names the split files.
    const card = parseYaml(readme.split("---\n")[1]) as { configs: Array<{ data_files: Array<{ split: string; path: string }> }>; license: string };
    expect(card.configs[0].data_files).toEqual([
      { split: "train", path: `train.${ext}` },
      { split: "eval", path: `eval.${ext}` },
    ]);
    expect(card.license).toBe("other");
    expect(readme).toContain("Train/eval leakage: ");
    expect(readme).toContain("Selection: valid examples that are neither rejected nor duplicates.");
    expect(readme).toMatch(/Exported: \d{4}-\d\d-\d\dT/);
    expect(readme).toContain(format === "sharegpt" || format === "openai" ? "System prompt: included" : "System prompt: none");
    expect(readme).toContain(format === "csv" ? "export JSON Lines or Alpaca instead" : "`dataset: export_train` and `eval_dataset: export_eval`");
  });

  it("writes chat turns with the system prompt first", async () => {
    const result = await writeDatasetExport({
      workspaceId,
      projectId,
      exportId: crypto.randomUUID(),
      format: "openai",
      selection: "valid",
      systemPrompt: "Be concise.",
    });
    const [first] = linesOf(text(await unzip(await stored(result.fileKey)), "train.jsonl"), "\n");
    expect(JSON.parse(first)).toEqual({
      messages: [
        { role: "system", content: "Be concise." },
        { role: "user", content: 'Translate "bonjour".' },
        { role: "assistant", content: "Hello, world." },
      ],
    });
  });

  it("describes each file for LLaMA-Factory", async () => {
    const info = async (format: DatasetFormat) => {
      const result = await writeDatasetExport({ workspaceId, projectId, exportId: crypto.randomUUID(), format, selection: "valid" });
      return JSON.parse(text(await unzip(await stored(result.fileKey)), "dataset_info.json")!);
    };
    const alpacaColumns = { prompt: "instruction", query: "input", response: "output" };
    // Named after the project ("Export"), so they merge into an existing dataset_info.json.
    expect(await info("alpaca")).toEqual({
      export_train: { file_name: "train.jsonl", formatting: "alpaca", columns: alpacaColumns },
      export_eval: { file_name: "eval.jsonl", formatting: "alpaca", columns: alpacaColumns },
    });
    expect((await info("jsonl")).export_eval).toEqual({ file_name: "eval.jsonl", formatting: "alpaca", columns: alpacaColumns });
    expect((await info("sharegpt")).export_train).toEqual({
      file_name: "train.jsonl",
      formatting: "sharegpt",
      columns: { messages: "conversations" },
      tags: { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt", system_tag: "system" },
    });
    expect((await info("openai")).export_train).toEqual({
      file_name: "train.jsonl",
      formatting: "sharegpt",
      columns: { messages: "messages" },
      tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
    });
  });

  it("exports only approved examples when asked, leaving out and not registering the empty eval split", async () => {
    const result = await writeDatasetExport({ workspaceId, projectId, exportId: crypto.randomUUID(), format: "jsonl", selection: "approved" });
    expect(result.counts).toEqual({ train: 1, eval: 0 });
    const entries = await unzip(await stored(result.fileKey));
    expect([...entries.keys()]).toEqual(["train.jsonl", "dataset_info.json", "README.md"]);
    expect(text(entries, "train.jsonl")).toBe(`${formatLine("jsonl", train[0])}\n`);
    expect(Object.keys(JSON.parse(text(entries, "dataset_info.json")!))).toEqual(["export_train"]);
    expect(text(entries, "README.md")).toContain("Selection: approved examples only.");
    expect(text(entries, "README.md")).toContain("there is no eval file");
    expect(text(entries, "README.md")).not.toContain("eval_dataset");
  });

  it("exports QA projects with their own columns, and as Alpaca", async () => {
    const project = await createProjectIn(workspaceId, "QA");
    await db.project.update({ where: { id: project.id }, data: { taskType: "qa" } });
    const qa: ExampleData = { question: "Où est Paris ?", answer: 'En France, "bien sûr".' };
    await seed(project.id, [{ data: qa }, { data: { instruction: "Wrong shape", input: "", output: "x" } }]);

    const csv = await writeDatasetExport({ workspaceId, projectId: project.id, exportId: crypto.randomUUID(), format: "csv", selection: "all" });
    const csvEntries = await unzip(await stored(csv.fileKey));
    expect(text(csvEntries, "train.csv")).toBe('\uFEFFquestion,answer\r\nOù est Paris ?,"En France, ""bien sûr""."\r\n');
    expect(csvEntries.has("eval.csv")).toBe(false);
    const jsonl = await writeDatasetExport({ workspaceId, projectId: project.id, exportId: crypto.randomUUID(), format: "jsonl", selection: "all" });
    expect(JSON.parse(text(await unzip(await stored(jsonl.fileKey)), "dataset_info.json")!).qa_train.columns).toEqual({
      prompt: "question",
      response: "answer",
    });

    const alpaca = await writeDatasetExport({ workspaceId, projectId: project.id, exportId: crypto.randomUUID(), format: "alpaca", selection: "all" });
    expect(alpaca.counts).toEqual({ train: 1, eval: 0 });
    expect(text(await unzip(await stored(alpaca.fileKey)), "train.jsonl")).toBe(
      '{"instruction":"Où est Paris ?","input":"","output":"En France, \\"bien sûr\\"."}\n',
    );
  });

  it("writes an XLSX workbook per split that openpyxl (pandas' Excel reader) reads back cell for cell", async () => {
    const tricky: ExampleData[] = [{ instruction: '=HYPERLINK("http://evil")', input: "<b>&amp;</b> \u0001bell\u0007", output: "A".repeat(40_000) }];
    const sheetProject = (await createProjectIn(workspaceId, "Sheets")).id;
    await seed(sheetProject, [...train, ...tricky].map((data) => ({ data })).concat(evalSet.map((data) => ({ data, split: "eval" as const }))));
    const result = await writeDatasetExport({ workspaceId, projectId: sheetProject, exportId: crypto.randomUUID(), format: "xlsx", selection: "valid" });
    expect(result.counts).toEqual({ train: 4, eval: 1 });
    const entries = await unzip(await stored(result.fileKey));
    expect([...entries.keys()]).toEqual(["train.xlsx", "eval.xlsx", "README.md"]);
    expect(text(entries, "README.md")).toContain("1 cell(s) held more than Excel's 32,767 characters");

    const tools = await pythonToolDir(["openpyxl"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-xlsx-"));
    try {
      const read = (split: string) => {
        const file = path.join(dir, `${split}.xlsx`);
        fs.writeFileSync(file, entries.get(`${split}.xlsx`)!);
        const script = `import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
print(json.dumps({"title": ws.title, "frozen": ws.freeze_panes, "types": sorted({c.data_type for r in ws.iter_rows() for c in r}),
  "rows": [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]}))`;
        const out = execFileSync("python3", ["-c", script, file], { env: { ...process.env, PYTHONPATH: tools }, encoding: "utf8" });
        return JSON.parse(out) as { title: string; frozen: string; types: string[]; rows: string[][] };
      };
      const trainSheet = read("train");
      expect(trainSheet.title).toBe("train");
      expect(trainSheet.frozen).toBe("A2");
      // Every cell is text: the formula-looking prompt is a string, never a formula ("f").
      expect(trainSheet.types).toEqual(["s"]);
      const row = (d: ExampleData) => Object.values(d) as string[];
      expect(trainSheet.rows).toEqual([
        ["instruction", "input", "output"],
        ...train.map(row),
        // Characters XML cannot hold are dropped; a cell is cut at Excel's limit.
        ['=HYPERLINK("http://evil")', "<b>&amp;</b> bell", "A".repeat(32_767)],
      ]);
      expect(read("eval").rows).toEqual([["instruction", "input", "output"], ...evalSet.map(row)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses a project from another workspace", async () => {
    const other = await createTeam("Team B");
    await expect(
      writeDatasetExport({ workspaceId: other.workspace.id, projectId, exportId: crypto.randomUUID(), format: "jsonl", selection: "all" }),
    ).rejects.toThrow();
  });
});

describe("writeDatasetExport on more than one page", () => {
  let workspaceId: string;
  let projectId: string;

  beforeAll(async () => {
    const team = await createTeam("Pages");
    workspaceId = team.workspace.id;
    projectId = (await createProjectIn(workspaceId, "Pages")).id;
    await db.$executeRawUnsafe(
      `INSERT INTO dataset_examples (id, project_id, natural_key, split, data)
       SELECT gen_random_uuid(), $1::uuid, 'row-' || i, (CASE WHEN i % 10 = 0 THEN 'eval' ELSE 'train' END)::dataset_split,
              jsonb_build_object('instruction', 'Instruction ' || i, 'input', '', 'output', repeat('output ', 20) || i)
       FROM generate_series(1, 2500) AS i`,
      projectId,
    );
  });

  it("reports progress every 1000 examples and writes every line", async () => {
    const onProgress = vi.fn();
    const result = await writeDatasetExport({ workspaceId, projectId, exportId: crypto.randomUUID(), format: "alpaca", selection: "valid", onProgress });
    expect(onProgress.mock.calls).toEqual([[1000], [2000]]);
    expect(result.counts).toEqual({ train: 2250, eval: 250 });
    const entries = await unzip(await stored(result.fileKey));
    const lines = linesOf(text(entries, "train.jsonl"), "\n");
    expect(lines).toHaveLength(2250);
    const numbers = lines.map((line) => Number(/(\d+)"}$/.exec(line)![1]));
    expect(new Set(numbers).size).toBe(2250);
    expect(numbers.every((n) => n % 10 !== 0)).toBe(true);
  });

  it("stops with the error onProgress throws, which is how a caller cancels", async () => {
    const onProgress = vi.fn(() => {
      throw new Error("cancelled");
    });
    await expect(writeDatasetExport({ workspaceId, projectId, exportId: crypto.randomUUID(), format: "csv", selection: "all", onProgress })).rejects.toThrow(
      "cancelled",
    );
    expect(onProgress).toHaveBeenCalledTimes(1);
  });

  it("fails, leaving nothing stored, when reading the examples fails midway", async () => {
    const client = getDb();
    const query = client.$queryRaw.bind(client);
    let calls = 0;
    const spy = vi
      .spyOn(client, "$queryRaw")
      .mockImplementation(((...args: Parameters<typeof query>) =>
        ++calls === 2 ? Promise.reject(new Error("connection lost")) : query(...args)) as typeof query);
    const exportId = crypto.randomUUID();
    try {
      await expect(writeDatasetExport({ workspaceId, projectId, exportId, format: "jsonl", selection: "all" })).rejects.toThrow("connection lost");
    } finally {
      spy.mockRestore();
    }
    const folder = path.dirname(path.join(storageDir(), exportKey(workspaceId, projectId, exportId, "x")));
    expect(fs.existsSync(folder) ? fs.readdirSync(folder) : []).toEqual([]);
  });

  it("fails without hanging when storage fails midway", async () => {
    const storage = getStorage();
    const spy = vi.spyOn(storage, "put").mockImplementation(async (_key, body) => {
      if (Buffer.isBuffer(body)) throw new Error("unexpected buffer");
      for await (const _chunk of body) throw new Error("disk full");
      throw new Error("empty body");
    });
    try {
      await expect(writeDatasetExport({ workspaceId, projectId, exportId: crypto.randomUUID(), format: "jsonl", selection: "all" })).rejects.toThrow(
        "disk full",
      );
    } finally {
      spy.mockRestore();
    }
  });
});
