// Importing a dataset from the Hugging Face Hub by id, against the fake Hub: the repo's own files
// (JSONL, CSV) or, for a repo without any, the Hub's Parquet conversion; the worker downloads the
// chosen file into storage, the column-mapping preview reads it like an upload (Parquet included:
// snappy and zstd, row groups, int64 and list<struct> columns) and the import makes examples.
// Private and gated datasets use the workspace's HF token; wrong ids and refusals say what to do.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { browseHubDataset, importHubDatasetFile } from "@/lib/datasets/hub-import";
import { previewImport, startImport } from "@/lib/datasets/import";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { stopSender } from "@/lib/jobs/boss";
import { setSecret } from "@/lib/secrets";
import { browseHubDatasetAction, importHubDatasetAction } from "@/lib/sources/actions";
import { getStorage, readToBuffer } from "@/lib/storage";
import { createProjectIn, createTeam, type Team } from "../support/fixtures";
import { type FakeHub, startFakeHub } from "../support/hf-hub-server";
import { actAs } from "../support/request";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor, waitForJob } from "../support/worker-process";

const FIXTURES = path.resolve("tests/fixtures/datasets");
const TOKEN = "hf_dataset_reader_token";
const jsonl = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ instruction: `Which form covers case ${i}?`, input: "", output: `Form ${i}-B covers case ${i}.` })).join(
    "\n",
  );

let hub: FakeHub;
let team: Team;
let worker: WorkerProcess;
let projectId: string;

beforeAll(async () => {
  hub = await startFakeHub({
    tokens: [TOKEN],
    datasets: {
      "acme/forms": {
        files: {
          "README.md": "# Forms\n",
          "data/train.jsonl": jsonl(30),
          "data/test.csv": 'instruction,input,output\n"Which form covers case 100?",,"Form 100-B covers case 100."\n',
          "data/images.zip": Buffer.from("PK\x03\x04"),
        },
      },
      // A dataset with a loading script only: its rows are in the Hub's Parquet conversion.
      "acme/scripted": {
        files: { "scripted.py": "# loading script\n", "README.md": "# Scripted\n" },
        parquet: {
          "default/train/0000.parquet": fs.readFileSync(path.join(FIXTURES, "alpaca-snappy.parquet")),
          "chat/train/0000.parquet": fs.readFileSync(path.join(FIXTURES, "chat-zstd.parquet")),
        },
      },
      "acme/private-forms": { private: true, tokens: [TOKEN], files: { "train.jsonl": jsonl(3) } },
      "acme/gated-forms": { gated: true, tokens: [], files: { "train.jsonl": jsonl(3) } },
      "acme/empty": { files: { "README.md": "# Nothing\n" } },
      "acme/mirror": { files: { "train.jsonl": jsonl(30) } },
      "acme/mislabelled": { files: { "data.jsonl": Buffer.from("\x7fELF binary, not JSON lines") } },
    },
  });
  process.env.HF_ENDPOINT = hub.url;
  resetEnvCache();
  team = await createTeam("Hub datasets");
  projectId = (await createProjectIn(team.workspace.id, "Forms")).id;
  worker = spawnTestWorker({ HF_ENDPOINT: hub.url });
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  await hub.stop();
  delete process.env.HF_ENDPOINT;
  resetEnvCache();
});

async function downloaded(fileId: string) {
  return waitFor("the download to settle", async () => {
    const file = await db.file.findUnique({ where: { id: fileId } });
    return !file || file.status === "ready" || file.status === "failed" ? (file ?? "deleted") : undefined;
  });
}

async function importAll(fileId: string, mapping: Parameters<typeof startImport>[2]) {
  const ctx = await requireProject(team.members.editor, projectId, "dataset.edit");
  const job = await startImport(ctx, fileId, mapping);
  return waitForJob(job.id, ["success", "failed"], 90_000);
}

describe("browsing a Hub dataset", () => {
  it("lists the repo's data files with their formats, leaving out everything else", async () => {
    const listing = await actAs(team.members.editor).then(() => browseHubDatasetAction({ projectId, dataset: " acme/forms ", revision: "" }));
    expect(listing.ok && listing.data).toEqual({
      datasetId: "acme/forms",
      revision: "main",
      converted: false,
      total: 2,
      files: [
        { path: "data/test.csv", size: expect.any(Number), format: "csv" },
        { path: "data/train.jsonl", size: jsonl(30).length, format: "jsonl" },
      ],
    });
  });

  it("falls back to the Hub's Parquet conversion for a repo with no data files of its own", async () => {
    const ctx = await requireProject(team.members.editor, projectId, "sources.manage");
    const listing = await browseHubDataset(ctx, "https://huggingface.co/datasets/acme/scripted");
    expect(listing).toMatchObject({ datasetId: "acme/scripted", revision: "refs/convert/parquet", converted: true, total: 2 });
    expect(listing.files.map((f) => [f.path, f.format])).toEqual([
      ["chat/train/0000.parquet", "parquet"],
      ["default/train/0000.parquet", "parquet"],
    ]);
  });

  it("says what is wrong: a malformed id, a missing dataset, one with no data at all, a private one without a token", async () => {
    const ctx = await requireProject(team.members.editor, projectId, "sources.manage");
    await expect(browseHubDataset(ctx, "not a dataset")).rejects.toThrow(/not a Hugging Face dataset id; use the form owner\/name/);
    await expect(browseHubDataset(ctx, "acme/nothing-here")).rejects.toThrow(
      /"acme\/nothing-here" was not found on the Hugging Face Hub.*needs a Hugging Face token/,
    );
    await expect(browseHubDataset(ctx, "acme/empty")).rejects.toThrow(/has no JSONL, JSON, CSV or Parquet files and no Parquet conversion/);
    await expect(browseHubDataset(ctx, "acme/private-forms")).rejects.toThrow(/was not found/);
    expect(hub.requests.filter((r) => r.path.startsWith("/api/datasets/acme/nothing-here")).length).toBeGreaterThan(0);
  });

  it("a viewer may not browse or import", async () => {
    const browse = await actAs(team.members.viewer).then(() => browseHubDatasetAction({ projectId, dataset: "acme/forms" }));
    expect(browse.ok ? "ok" : browse.error.code).toBe("forbidden");
    const start = await actAs(team.members.viewer).then(() =>
      importHubDatasetAction({ projectId, dataset: "acme/forms", revision: "main", path: "data/train.jsonl" }),
    );
    expect(start.ok ? "ok" : start.error.code).toBe("forbidden");
  });
});

describe("importing a Hub dataset file", () => {
  it("downloads a JSONL file into the project, then maps and imports it like an upload; importing it again is refused", async () => {
    const started = await actAs(team.members.editor).then(() =>
      importHubDatasetAction({ projectId, dataset: "acme/forms", revision: "main", path: "data/train.jsonl" }),
    );
    if (!started.ok) throw new Error(started.error.message);
    const file = await downloaded(started.data.id);
    expect(file).toMatchObject({ status: "ready", kind: "dataset_upload", filename: "train.jsonl", sizeBytes: BigInt(jsonl(30).length) });
    expect(file !== "deleted" && file.sourceUrl).toBe(`${hub.url}/datasets/acme/forms/blob/main/data/train.jsonl`);
    const stored = await readToBuffer(await getStorage().get(file !== "deleted" ? file.storagePath : ""), 1 << 20);
    expect(stored.toString()).toBe(jsonl(30));

    const ctx = await requireProject(team.members.editor, projectId, "dataset.edit");
    const preview = await previewImport(ctx, started.data.id);
    expect(preview).toMatchObject({ format: "jsonl", sampledRows: 30 });
    const job = await importAll(started.data.id, preview.suggestedMapping!);
    expect(job.status).toBe("success");
    expect(await db.datasetExample.count({ where: { sourceFileId: started.data.id } })).toBe(30);

    const again = await actAs(team.members.editor).then(() =>
      importHubDatasetAction({ projectId, dataset: "acme/forms", revision: "main", path: "data/train.jsonl" }),
    );
    expect(again.ok ? "ok" : again.error.message).toMatch(/already in this project/);
  });

  it("reads the Hub's Parquet conversion: snappy row groups with an int64 column, and zstd conversations", async () => {
    const ctx = await requireProject(team.members.editor, projectId, "sources.manage");
    const alpaca = await importHubDatasetFile(ctx, { datasetId: "acme/scripted", revision: "refs/convert/parquet", path: "default/train/0000.parquet" });
    expect(await downloaded(alpaca.id)).toMatchObject({ status: "ready", mimeType: "application/vnd.apache.parquet" });
    const editor = await requireProject(team.members.editor, projectId, "dataset.edit");
    const preview = await previewImport(editor, alpaca.id);
    expect(preview.format).toBe("parquet");
    expect(preview.sampledRows).toBe(200);
    expect(preview.shape).toBe("alpaca");
    expect(preview.columns).toEqual(expect.arrayContaining(["id", "instruction", "input", "output"]));
    const job = await importAll(alpaca.id, preview.suggestedMapping!);
    expect(job.status).toBe("success");
    const rows = await db.datasetExample.findMany({
      where: { sourceFileId: alpaca.id },
      orderBy: { createdAt: "asc" },
      select: { data: true, provenance: true },
    });
    expect(rows).toHaveLength(250);
    const last = rows.find((r) => (r.provenance as { line: number }).line === 250);
    expect(last?.data).toMatchObject({ instruction: "How often is boiler 250 serviced?", output: expect.stringContaining("(visit 250)") });

    const chat = await importHubDatasetFile(ctx, { datasetId: "acme/scripted", revision: "refs/convert/parquet", path: "chat/train/0000.parquet" });
    expect(await downloaded(chat.id)).toMatchObject({ status: "ready" });
    const chatPreview = await previewImport(editor, chat.id);
    expect(chatPreview.sampledRows).toBe(40);
    expect(chatPreview.shape).toBe("openai");
    expect(chatPreview.sample[0].record).toMatchObject({ messages: [{ role: "user" }, { role: "assistant" }], source: "manual" });
  });

  it("uses the workspace's HF token for a private dataset; a gated one without access fails the file with the reason", async () => {
    const admin = await requireWorkspace(team.members.admin, { id: team.workspace.id }, "settings.manage");
    await setSecret(admin, { name: "HF_TOKEN", value: TOKEN });
    const ctx = await requireProject(team.members.editor, projectId, "sources.manage");
    expect((await browseHubDataset(ctx, "acme/private-forms")).files.map((f) => f.path)).toEqual(["train.jsonl"]);
    const privateFile = await importHubDatasetFile(ctx, { datasetId: "acme/private-forms", revision: "main", path: "train.jsonl" });
    expect(await downloaded(privateFile.id)).toMatchObject({ status: "ready" });

    const gated = await importHubDatasetFile(ctx, { datasetId: "acme/gated-forms", revision: "main", path: "train.jsonl" });
    const failed = await downloaded(gated.id);
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed !== "deleted" && failed.errorMessage).toMatch(/no access to the gated dataset "acme\/gated-forms" yet: accept its conditions/);
  });

  it("keeps one copy of content the project has already, and refuses a file that is not a dataset", async () => {
    const ctx = await requireProject(team.members.editor, projectId, "sources.manage");
    // acme/mirror's train.jsonl has the same bytes as acme/forms' data/train.jsonl, imported above.
    const copy = await importHubDatasetFile(ctx, { datasetId: "acme/mirror", revision: "main", path: "train.jsonl" });
    expect(await downloaded(copy.id)).toBe("deleted");
    expect(
      await db.file.count({
        where: {
          projectId,
          sha256: (await db.file.findFirstOrThrow({ where: { projectId, filename: "train.jsonl", sourceUrl: { contains: "acme/forms" } } })).sha256,
        },
      }),
    ).toBe(1);

    const bad = await importHubDatasetFile(ctx, { datasetId: "acme/mislabelled", revision: "main", path: "data.jsonl" });
    const failed = await downloaded(bad.id);
    expect(failed !== "deleted" && failed.errorMessage).toBe("data.jsonl is not a JSONL, JSON, CSV or Parquet dataset.");
    expect(await getStorage().stat(failed !== "deleted" ? failed.storagePath : "")).toBeNull();
  });
});
