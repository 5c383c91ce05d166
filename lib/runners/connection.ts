import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { RunnerError } from "./errors";

export type ExecOptions = { signal?: AbortSignal; timeoutMs?: number; stdin?: string | Buffer };
export type ExecResult = { code: number | null; signal?: string | null; stdout: string; stderr: string };
export type FileStat = { size: number; isDirectory: boolean; mtimeMs: number };
export type FileEntry = { path: string; size: number };

export interface RunnerConnection {
  /** Runs a shell command (the login shell's `-c` over SSH, /bin/sh locally). Never throws on non-zero exit. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Creates parent directories. */
  writeFile(remotePath: string, data: Buffer | string, options?: { mode?: number }): Promise<void>;
  /** Streamed; creates parent directories. */
  uploadFile(localPath: string, remotePath: string): Promise<void>;
  /** Recursive; skips __pycache__ and *.pyc. */
  uploadDir(localDir: string, remoteDir: string): Promise<void>;
  /** Streamed download; rejects when the file cannot be opened. */
  createReadStream(remotePath: string): Promise<Readable>;
  /** Bytes of remotePath from `offset`, at most maxBytes; empty Buffer when the file is missing or has no new bytes. */
  readFrom(remotePath: string, offset: number, maxBytes: number): Promise<Buffer>;
  stat(remotePath: string): Promise<FileStat | null>;
  /** Files under a directory, recursive, paths relative to it, sorted; [] when it does not exist. */
  listFiles(remoteDir: string): Promise<FileEntry[]>;
  /** Absolute path: expands a leading ~ to the remote home; relative paths are relative to the home (SSH) or workDir (local). */
  resolvePath(path: string): Promise<string>;
  close(): Promise<void>;
  /** Fires when the link drops (SSH), with a RunnerError as reason — callers re-connect. Not on close(). */
  readonly closed: AbortSignal;
}

export type SshTarget = { host: string; port: number; username: string; privateKey: string; hostKeyFingerprint: string | null };
export type ConnectOptions = { signal?: AbortSignal; readyTimeoutMs?: number };

export const UPLOAD_CONCURRENCY = 4;
// OpenSSH's sftp-server answers reads of at most 256 KiB; larger asks come back short anyway.
export const READ_CHUNK = 256 * 1024;

/** Single-quotes a value for a POSIX shell command line. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function skipOnUpload(name: string, isDirectory: boolean): boolean {
  return isDirectory ? name === "__pycache__" : name.endsWith(".pyc");
}

export function resolveAgainst(p: string, home: string, base: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/")) return path.posix.join(home, p.slice(2));
  return path.posix.isAbsolute(p) ? path.posix.normalize(p) : path.posix.join(base, p);
}

/** Files and directories under a local directory, parents before children; `skip` prunes by name. */
export async function walkLocal(root: string, skip: (name: string, isDirectory: boolean) => boolean = () => false) {
  const dirs: string[] = [];
  const files: FileEntry[] = [];
  async function visit(relative: string): Promise<void> {
    const entries = await fs.promises.readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (skip(entry.name, entry.isDirectory())) continue;
      if (entry.isDirectory()) {
        dirs.push(child);
        await visit(child);
      } else if (entry.isFile()) {
        files.push({ path: child, size: (await fs.promises.stat(path.join(root, child))).size });
      }
    }
  }
  await visit("");
  return { dirs, files };
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function byPath(a: FileEntry, b: FileEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function commandTimeout(timeoutMs: number, where: string): RunnerError {
  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  return new RunnerError(`The command did not finish within ${limit} on ${where}; it was stopped.`, { kind: "timeout" });
}

/**
 * Settles a command's promise once: on its end, on the caller's signal, or on the time limit.
 * `stop` kills the command; it is called at most once, before rejecting.
 */
export function commandSettler(options: ExecOptions, where: string, resolve: (result: ExecResult) => void, reject: (error: unknown) => void) {
  let settled = false;
  let stop: () => void = () => {};
  const finish = (action: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    action();
  };
  const stopAndReject = (error: unknown) => () => {
    stop();
    reject(error);
  };
  const onAbort = () => finish(stopAndReject(options.signal?.reason));
  const { timeoutMs } = options;
  const onTimeout = () => finish(stopAndReject(commandTimeout(timeoutMs!, where)));
  const timer = timeoutMs === undefined ? undefined : setTimeout(onTimeout, timeoutMs);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  return {
    setStop(fn: () => void) {
      stop = fn;
    },
    resolve: (result: ExecResult) => finish(() => resolve(result)),
    reject: (error: unknown) => finish(() => reject(error)),
  };
}
