// Uploads straight from a client to the bucket (S3 storage, s3rver on loopback): the server
// presigns, the client PUTs (one request, or 16 MB parts), the server finishes the upload, and the
// worker's upload_check job hashes, types and deduplicates the object before chunking or mapping.
// No body passes through our code on the way in.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as uploadFile } from "@/app/api/projects/[projectId]/files/route";
import { POST as abortUpload } from "@/app/api/projects/[projectId]/uploads/abort/route";
import { POST as completeUpload } from "@/app/api/projects/[projectId]/uploads/complete/route";
import { POST as startUpload } from "@/app/api/projects/[projectId]/uploads/route";
import { requireProject } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { stopSender } from "@/lib/jobs/boss";
import { abortDirectUpload, completeDirectUpload, type DirectUploadPlan, startDirectUpload, sweepAbandonedUploads } from "@/lib/sources/direct-upload";
import { getStorage, resetStorage } from "@/lib/storage";
import { downloadResponse } from "@/lib/storage/download";
import { fileKey } from "@/lib/storage/keys";
import { createTeam, type Team } from "../support/fixtures";
import { actAs, requestWithSession } from "../support/request";
import { type S3TestServer, startS3Server } from "../support/s3-server";
import { spawnTestWorker, stopWorker, type WorkerProcess, waitFor } from "../support/worker-process";

let s3: S3TestServer;
let team: Team;
let worker: WorkerProcess;
const SETTINGS = ["STORAGE_DRIVER", "S3_BUCKET", "S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_FORCE_PATH_STYLE"];

beforeAll(async () => {
  s3 = await startS3Server();
  const settings = {
    STORAGE_DRIVER: "s3",
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
  Object.assign(process.env, settings);
  resetEnvCache();
  resetStorage();
  team = await createTeam("Direct uploads");
  worker = spawnTestWorker(settings);
});

afterAll(async () => {
  await stopWorker(worker, "SIGKILL");
  await stopSender();
  for (const name of SETTINGS) delete process.env[name];
  resetEnvCache();
  resetStorage();
  await s3.stop();
});

const editor = () => requireProject(team.members.editor, team.project.id, "sources.manage");

/** What the browser does: PUT the bytes to the presigned URLs, return the parts' ETags. */
async function putAll(plan: DirectUploadPlan, body: Buffer): Promise<Array<{ partNumber: number; etag: string }> | undefined> {
  if (plan.mode === "single") {
    const res = await fetch(plan.url, { method: "PUT", body: new Uint8Array(body) });
    expect(res.status).toBe(200);
    return undefined;
  }
  let offset = 0;
  const parts = [];
  for (const part of plan.parts) {
    const res = await fetch(part.url, { method: "PUT", body: new Uint8Array(body.subarray(offset, offset + part.size)) });
    expect(res.status).toBe(200);
    parts.push({ partNumber: part.partNumber, etag: res.headers.get("etag") ?? "" });
    offset += part.size;
  }
  return parts;
}

async function settled(fileId: string) {
  return waitFor(
    "the upload check",
    async () => {
      const file = await db.file.findUnique({ where: { id: fileId }, include: { _count: { select: { chunks: true } } } });
      if (!file) return "deleted" as const;
      return file.status === "ready" || file.status === "failed" ? file : undefined;
    },
    60_000,
  );
}

// Each test waits for the worker process (started in beforeAll, compiling on first use) to check
// and chunk what was uploaded: seconds idle, and past vitest's 30 s on a machine running two suites.
describe("direct uploads to the bucket", { timeout: 120_000 }, () => {
  it("a small document: one presigned PUT, then checked, hashed and chunked", async () => {
    const text = `# Boiler handbook\n\n${"The boiler is serviced every spring by a certified engineer. ".repeat(80)}\n`;
    const plan = await startDirectUpload(await editor(), { filename: "handbook.md", size: Buffer.byteLength(text) });
    expect(plan.mode).toBe("single");
    expect(await db.file.findUniqueOrThrow({ where: { id: plan.fileId } })).toMatchObject({ status: "uploading" });
    await putAll(plan, Buffer.from(text));
    await completeDirectUpload(await editor(), { fileId: plan.fileId });
    const file = await settled(plan.fileId);
    expect(file).toMatchObject({ status: "ready", kind: "raw_doc", mimeType: "text/markdown", sha256: crypto.createHash("sha256").update(text).digest("hex") });
    expect(file !== "deleted" && file._count.chunks).toBeGreaterThan(0);
  });

  it("a 17 MB dataset in two parts, put together by the bucket, then ready for its column mapping", async () => {
    const line = (i: number) => `${JSON.stringify({ instruction: `Which form covers case ${i}?`, input: "", output: `Form ${i}-B covers case ${i}.` })}\n`;
    const lines: string[] = [];
    for (let size = 0, i = 0; size < 17 * 1024 * 1024; i++) {
      lines.push(line(i));
      size += lines[i].length;
    }
    const body = Buffer.from(lines.join(""));
    const plan = await startDirectUpload(await editor(), { filename: "cases.jsonl", size: body.length });
    expect(plan.mode === "multipart" && plan.parts.map((p) => p.size)).toEqual([16 * 1024 * 1024, body.length - 16 * 1024 * 1024]);
    const parts = await putAll(plan, body);
    await completeDirectUpload(await editor(), { fileId: plan.fileId, parts });
    const file = await settled(plan.fileId);
    expect(file).toMatchObject({ status: "ready", kind: "dataset_upload", metadata: { format: "jsonl" }, sizeBytes: BigInt(body.length) });
    expect(file !== "deleted" && file.sha256).toBe(crypto.createHash("sha256").update(body).digest("hex"));

    // The same bytes again: the project keeps one copy.
    const again = await startDirectUpload(await editor(), { filename: "cases (1).jsonl", size: body.length });
    await completeDirectUpload(await editor(), { fileId: again.fileId, parts: await putAll(again, body) });
    expect(await settled(again.fileId)).toBe("deleted");
  });

  it("refuses what an upload through the app would: too large, a program, an upload that never arrived", async () => {
    await expect(startDirectUpload(await editor(), { filename: "huge.pdf", size: 201 * 1024 * 1024 })).rejects.toThrow(/larger than the 200 MB limit/);
    await expect(startDirectUpload(await editor(), { filename: "empty.txt", size: 0 })).rejects.toThrow(/empty/);

    const elf = Buffer.concat([Buffer.from("\x7fELF\x02\x01\x01", "latin1"), crypto.randomBytes(2000)]);
    const program = await startDirectUpload(await editor(), { filename: "notes.txt", size: elf.length });
    await putAll(program, elf);
    await completeDirectUpload(await editor(), { fileId: program.fileId });
    const refused = await settled(program.fileId);
    expect(refused !== "deleted" && refused.errorMessage).toMatch(/a program \(ELF executable\)/);
    expect(await getStorage().stat(refused !== "deleted" ? refused.storagePath : "")).toBeNull();

    const never = await startDirectUpload(await editor(), { filename: "lost.md", size: 1234 });
    await expect(completeDirectUpload(await editor(), { fileId: never.fileId })).rejects.toThrow(/did not arrive/);
    expect(await db.file.findUnique({ where: { id: never.fileId } })).toBeNull();
  });

  it("an abandoned multipart upload is aborted with its parts; another project's upload is not found", async () => {
    const plan = await startDirectUpload(await editor(), { filename: "big.pdf", size: 20 * 1024 * 1024 });
    if (plan.mode !== "multipart") throw new Error("expected parts");
    await fetch(plan.parts[0].url, { method: "PUT", body: new Uint8Array(plan.parts[0].size).fill(1) });
    const { storagePath } = await db.file.findUniqueOrThrow({ where: { id: plan.fileId } });
    const stranger = await createTeam("Elsewhere");
    const theirs = await requireProject(stranger.members.owner, stranger.project.id, "sources.manage");
    await expect(abortDirectUpload(theirs, plan.fileId)).rejects.toThrow(/was not found/);
    await abortDirectUpload(await editor(), plan.fileId);
    expect(await db.file.findUnique({ where: { id: plan.fileId } })).toBeNull();
    expect(await getStorage().stat(storagePath)).toBeNull();
  });

  it("downloads are redirects to short-lived presigned links: the bytes come from the bucket", async () => {
    const body = Buffer.from("adapter weights, pretend");
    const key = fileKey(team.workspace.id, team.project.id, crypto.randomUUID());
    await getStorage().put(key, body);
    const response = await downloadResponse({
      storagePath: key,
      filename: "runs/adapter_model.safetensors",
      size: body.length,
      mimeType: "application/octet-stream",
    });
    expect(response.status).toBe(302);
    const link = new URL(response.headers.get("location") ?? "");
    expect(link.origin).toBe(s3.endpoint);
    expect(link.searchParams.get("X-Amz-Expires")).toBe("600");
    const fetched = await fetch(link);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(body);
    expect(fetched.headers.get("content-disposition")).toMatch(/^attachment; filename="adapter_model.safetensors"/);
  });

  it("uploads abandoned for over a day are removed with their parts; recent ones stay", async () => {
    const old = await startDirectUpload(await editor(), { filename: "left.pdf", size: 20 * 1024 * 1024 });
    const recent = await startDirectUpload(await editor(), { filename: "going.pdf", size: 1000 });
    await db.file.update({ where: { id: old.fileId }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    expect(await sweepAbandonedUploads()).toBe(1);
    expect(await db.file.findUnique({ where: { id: old.fileId } })).toBeNull();
    expect(await db.file.findUnique({ where: { id: recent.fileId } })).toMatchObject({ status: "uploading" });
  });

  it("over the REST API: large bodies are refused at /files and go through /uploads instead", async () => {
    await actAs(team.members.editor);
    const params = { params: Promise.resolve({ projectId: team.project.id }) };
    // Text as documents have it: 5 MB of one repeated letter is one "word" that tokenizes slowly.
    const sentence = "The boiler is serviced every spring by a certified engineer, who signs the log book. ";
    const body = Buffer.from(sentence.repeat(Math.ceil((5 * 1024 * 1024) / sentence.length)));
    const refused = await uploadFile(
      requestWithSession("/test?name=big.txt", { method: "POST", body, headers: { "content-length": String(body.length) } }),
      params,
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/go straight to the bucket: POST \/api\/projects\/.*\/uploads/);

    const started = await startUpload(
      requestWithSession("/test", { method: "POST", body: JSON.stringify({ filename: "big.txt", size: body.length }) }),
      params,
    );
    expect(started.status).toBe(201);
    const plan = (await started.json()) as DirectUploadPlan;
    await putAll(plan, body);
    const done = await completeUpload(requestWithSession("/test", { method: "POST", body: JSON.stringify({ fileId: plan.fileId }) }), params);
    expect(done.status).toBe(200);
    expect(await settled(plan.fileId)).toMatchObject({ status: "ready", kind: "raw_doc" });

    const another = (await (
      await startUpload(requestWithSession("/test", { method: "POST", body: JSON.stringify({ filename: "x.txt", size: 10 }) }), params)
    ).json()) as DirectUploadPlan;
    expect((await abortUpload(requestWithSession("/test", { method: "POST", body: JSON.stringify({ fileId: another.fileId }) }), params)).status).toBe(204);
    expect(await db.file.findUnique({ where: { id: another.fileId } })).toBeNull();
  });
});
