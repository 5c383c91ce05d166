// The `local` runner: the connection interface on this machine (child processes and the file
// system), for a server that has its own GPU or for tests.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import {
  byPath,
  commandSettler,
  type ExecOptions,
  type ExecResult,
  eachLimited,
  type FileEntry,
  type FileStat,
  type RunnerConnection,
  resolveAgainst,
  skipOnUpload,
  UPLOAD_CONCURRENCY,
  walkLocal,
} from "./connection";
import { RunnerError } from "./errors";

class LocalConnection implements RunnerConnection {
  // This machine's "link" never drops.
  readonly closed = new AbortController().signal;
  readonly #workDir: string;

  constructor(workDir: string) {
    this.#workDir = workDir;
  }

  async resolvePath(p: string): Promise<string> {
    return resolveAgainst(p, os.homedir(), this.#workDir);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      const done = commandSettler(options, "this machine", resolve, reject);
      // Its own process group, so a timeout or abort stops everything the command started in the foreground.
      const child = spawn("/bin/sh", ["-c", command], { cwd: this.#workDir, detached: true, stdio: "pipe" });
      done.setStop(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error) => done.reject(new RunnerError(`Could not run a command: ${error.message}.`, { kind: "command", cause: error })));
      child.on("close", (code, signal) =>
        done.resolve({ code, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
      );
      // A command that does not read stdin may exit before we finish writing it.
      child.stdin.on("error", () => {});
      child.stdin.end(options.stdin);
    });
  }

  async #fileOperation<T>(doing: string, target: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : (error as Error).message;
      throw new RunnerError(`Could not ${doing} ${target}: ${reason}.`, { kind: "file", cause: error });
    }
  }

  async writeFile(remotePath: string, data: Buffer | string, options: { mode?: number } = {}): Promise<void> {
    const target = await this.resolvePath(remotePath);
    await this.#fileOperation("write", target, async () => {
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.writeFile(target, data, options.mode === undefined ? {} : { mode: options.mode });
      if (options.mode !== undefined) await fs.promises.chmod(target, options.mode);
    });
  }

  async uploadFile(localPath: string, remotePath: string): Promise<void> {
    const target = await this.resolvePath(remotePath);
    await this.#fileOperation("copy to", target, async () => {
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.copyFile(localPath, target);
    });
  }

  async uploadDir(localDir: string, remoteDir: string): Promise<void> {
    const target = await this.resolvePath(remoteDir);
    await this.#fileOperation("copy to", target, async () => {
      const { dirs, files } = await walkLocal(localDir, skipOnUpload);
      for (const dir of ["", ...dirs]) await fs.promises.mkdir(path.join(target, dir), { recursive: true });
      await eachLimited(files, UPLOAD_CONCURRENCY, (file) => fs.promises.copyFile(path.join(localDir, file.path), path.join(target, file.path)));
    });
  }

  async createReadStream(remotePath: string): Promise<Readable> {
    const target = await this.resolvePath(remotePath);
    const handle = await this.#fileOperation("read", target, () => fs.promises.open(target, "r"));
    return handle.createReadStream();
  }

  async readFrom(remotePath: string, offset: number, maxBytes: number): Promise<Buffer> {
    const target = await this.resolvePath(remotePath);
    return this.#fileOperation("read", target, async () => {
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(target, "r");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
        throw error;
      }
      try {
        const buffer = Buffer.alloc(maxBytes);
        let filled = 0;
        while (filled < maxBytes) {
          const { bytesRead } = await handle.read(buffer, filled, maxBytes - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    });
  }

  async stat(remotePath: string): Promise<FileStat | null> {
    const target = await this.resolvePath(remotePath);
    const stats = await fs.promises.stat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw new RunnerError(`Could not stat ${target}: ${error.message}.`, { kind: "file", cause: error });
    });
    return stats && { size: stats.size, isDirectory: stats.isDirectory(), mtimeMs: stats.mtimeMs };
  }

  async listFiles(remoteDir: string): Promise<FileEntry[]> {
    const root = await this.resolvePath(remoteDir);
    if (!(await this.stat(root))?.isDirectory) return [];
    const { files } = await this.#fileOperation("list", root, () => walkLocal(root));
    return files.sort(byPath);
  }

  async close(): Promise<void> {}
}

/** The `local` runner: the same interface on this machine. Relative paths and commands start in `workDir` (default: the home directory). */
export function createLocalConnection(workDir: string = os.homedir()): RunnerConnection {
  const absolute = path.resolve(workDir);
  fs.mkdirSync(absolute, { recursive: true });
  return new LocalConnection(absolute);
}
