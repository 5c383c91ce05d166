// A finished run's files between storage and its directory on the box, shared by the jobs that
// work in that directory after training (eval, model merge) and by training itself: artifacts
// come down checked (size, sha256) as the bytes pass, and the adapter goes back up when someone
// cleaned the box.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { db } from "@/lib/db/client";
import { NonRetryableError } from "@/lib/jobs/definition";
import { RunnerError } from "@/lib/runners/errors";
import { getStorage } from "@/lib/storage";
import type { RemoteProcess } from "./remote-process";

/** Streams one remote file into storage, checking size and sha256 (which storage computes as the bytes pass). */
export async function fetchArtifact(remote: RemoteProcess, remotePath: string, key: string, expected?: { size: number; sha256: string }) {
  const source = await remote.withLink((conn) => conn.createReadStream(remotePath));
  const { size, sha256 } = await getStorage().put(key, source);
  if (expected && (expected.sha256 !== sha256 || expected.size !== size)) {
    throw new RunnerError(
      `${path.posix.basename(remotePath)} arrived damaged (sha256 ${sha256.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…); downloading again.`,
      { kind: "file" },
    );
  }
  return { size, sha256 };
}

/** fetchArtifact, tried a second time when the bytes arrived damaged. */
export async function fetchArtifactChecked(remote: RemoteProcess, remotePath: string, key: string, expected: { size: number; sha256: string }) {
  try {
    return await fetchArtifact(remote, remotePath, key, expected);
  } catch (error) {
    if (!(error instanceof RunnerError)) throw error;
    return fetchArtifact(remote, remotePath, key, expected);
  }
}

export function mimeOf(file: string): string {
  if (file.endsWith(".json")) return "application/json";
  if (file.endsWith(".jsonl")) return "application/x-ndjson";
  if (file.endsWith(".log") || file.endsWith(".txt") || file.endsWith(".md") || file.endsWith(".jinja")) return "text/plain";
  return "application/octet-stream";
}

/** The run's adapter (and eval split, when given) are on the box unless someone cleaned it; then they go back up. */
export async function ensureRunFiles(remote: RemoteProcess, runId: string, evalKey: string | null, purpose = "evaluate") {
  const adapter = await remote.withLink((conn) => conn.stat(remote.path("output/adapter/adapter_config.json")));
  const needEval = evalKey && !(await remote.withLink((conn) => conn.stat(remote.path("data/eval.jsonl"))));
  if (adapter && !needEval) return;
  const temp = await fsp.mkdtemp(path.join(os.tmpdir(), "ftf-run-files-"));
  try {
    const copy = async (key: string, remotePath: string) => {
      const local = path.join(temp, "f");
      await pipeline(await getStorage().get(key), fs.createWriteStream(local));
      await remote.withLink((conn) => conn.uploadFile(local, remote.path(remotePath)));
    };
    if (!adapter) {
      const files = await db.file.findMany({ where: { runId, kind: "artifact", filename: { startsWith: "output/adapter/" } } });
      if (!files.some((f) => f.filename.endsWith("adapter_config.json"))) throw new NonRetryableError(`This run has no saved adapter to ${purpose}.`);
      for (const file of files) await copy(file.storagePath, file.filename);
    }
    if (needEval) await copy(evalKey, "data/eval.jsonl");
  } finally {
    await fsp.rm(temp, { recursive: true, force: true });
  }
}

/** Config keys a run passes on to every runner command (tests' random bases, tokenizer, fake settings). */
export function runnerExtras(parameters: unknown): Record<string, unknown> {
  const extra = ((parameters as Record<string, unknown> | null)?.runner_extra as Record<string, unknown> | undefined) ?? {};
  return {
    ...(extra.random_init ? { random_init: extra.random_init } : {}),
    ...(extra.tokenizer ? { tokenizer: extra.tokenizer } : {}),
    ...(extra.fake ? { fake: extra.fake } : {}),
  };
}
