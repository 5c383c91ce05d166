// The SSH transport to a team's GPU box: host-key pinning (a changed key is refused, an unknown
// one needs confirming), keepalives that notice a dropped link, commands killed by process group
// on timeout or abort, and SFTP transfers in parallel with the sftp-server's read size.

import path from "node:path";
import type { Readable } from "node:stream";
import ssh2, { type ClientChannel, type ConnectConfig, type FileEntryWithStats, type SFTPWrapper, type Stats } from "ssh2";
import { checkOutbound } from "@/lib/net/outbound";
import {
  byPath,
  type ConnectOptions,
  commandSettler,
  type ExecOptions,
  type ExecResult,
  eachLimited,
  type FileEntry,
  type FileStat,
  READ_CHUNK,
  type RunnerConnection,
  resolveAgainst,
  type SshTarget,
  skipOnUpload,
  UPLOAD_CONCURRENCY,
  walkLocal,
} from "./connection";
import { HostKeyMismatchError, HostKeyUnconfirmedError, RunnerError } from "./errors";
import { fingerprintOf, keyTypeOf, normalizePrivateKey, parsePrivateKey } from "./keys";

// ssh2 is CommonJS: the default import is the one that works under both Node's ESM loader and bundlers.
const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

const KEEPALIVE_INTERVAL_MS = 10_000;
const KEEPALIVE_COUNT_MAX = 3;
const READY_TIMEOUT_MS = 20_000;

function codesOf(error: unknown): { code?: string; level?: string; message: string } {
  const e = error as { code?: unknown; level?: unknown; message?: unknown } | null;
  return {
    code: typeof e?.code === "string" ? e.code : undefined,
    level: typeof e?.level === "string" ? e.level : undefined,
    message: typeof e?.message === "string" ? e.message : String(error),
  };
}

/** A failure to connect, in words that say what to check. */
export function connectionFailure(error: unknown, target: { host: string; port: number; username?: string }): RunnerError {
  if (error instanceof RunnerError) return error;
  const { code, level, message } = codesOf(error);
  const { host, port } = target;
  if (code === "ECONNREFUSED") {
    return new RunnerError(`${host} refused the connection on port ${port}. Is sshd running and listening on port ${port}?`, { kind: "refused", cause: error });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || level === "client-dns") {
    return new RunnerError(`The host name "${host}" was not found (DNS lookup failed). Check the spelling, or use the machine's IP address.`, {
      kind: "host_not_found",
      cause: error,
    });
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new RunnerError(`${host} is unreachable from this server (no route). Check the address and the network in between.`, {
      kind: "timeout",
      cause: error,
    });
  }
  if (level === "client-timeout" || code === "ETIMEDOUT") {
    return new RunnerError(`${host}:${port} did not answer in time (timed out). Check the address and port, and that no firewall blocks the connection.`, {
      kind: "timeout",
      cause: error,
    });
  }
  if (level === "client-authentication") {
    const user = target.username ?? "the user";
    return new RunnerError(
      `${host} refused the key for user "${user}" (authentication failed). ` +
        `Is the public key in ~/.ssh/authorized_keys of ${user} on that machine, and is the user name right?`,
      { kind: "auth", cause: error },
    );
  }
  if (/Cannot parse privateKey|does not contain a \(valid\) private key/.test(message)) {
    return new RunnerError("The private key could not be read (malformed, or protected by a passphrase, which is not supported).", {
      kind: "key",
      cause: error,
    });
  }
  if (level === "handshake" || level === "protocol") {
    return new RunnerError(`The SSH handshake with ${host}:${port} failed: ${message}. Is this an SSH server?`, { kind: "handshake", cause: error });
  }
  return new RunnerError(`The connection to ${host}:${port} was closed before it was ready (${message}).`, { kind: "connection_lost", cause: error });
}

function normalizeFingerprint(fingerprint: string): string {
  const trimmed = fingerprint.trim().replace(/=+$/, "");
  return trimmed.startsWith("SHA256:") ? trimmed : `SHA256:${trimmed}`;
}

type Endpoint = { host: string; port: number };

/**
 * Opens an SSH client as far as "ready". The host key is checked against `pinned` before
 * anything else is sent; with no pin the handshake stops with HostKeyUnconfirmedError.
 */
async function handshake(endpoint: Endpoint, auth: { username: string; privateKey?: string }, pinned: string | null, options: ConnectOptions): Promise<Client> {
  const where = `${endpoint.host}:${endpoint.port}`;
  // The outbound policy, before any packet: the socket then goes to the address it checked.
  let address: string;
  try {
    address = await checkOutbound(endpoint.host, endpoint.port, "runner");
  } catch (error) {
    throw new RunnerError(error instanceof Error ? error.message : String(error), { kind: "config", cause: error });
  }
  const client = new Client();
  let hostKeyProblem: RunnerError | undefined;
  const config: ConnectConfig = {
    host: address,
    port: endpoint.port,
    username: auth.username,
    privateKey: auth.privateKey,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    readyTimeout: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
    hostVerifier: (blob: Buffer) => {
      const fingerprint = fingerprintOf(blob);
      const keyType = keyTypeOf(blob);
      if (pinned === null) hostKeyProblem = new HostKeyUnconfirmedError(where, fingerprint, keyType);
      else if (normalizeFingerprint(pinned) !== fingerprint)
        hostKeyProblem = new HostKeyMismatchError(where, normalizeFingerprint(pinned), fingerprint, keyType);
      return hostKeyProblem === undefined;
    },
  };

  return new Promise<Client>((resolve, reject) => {
    const { signal } = options;
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      client.off("ready", onReady).off("error", onError).off("close", onClose);
      if (error === undefined) return resolve(client);
      client.destroy();
      reject(error);
    };
    const onReady = () => settle();
    const onError = (error: unknown) => settle(hostKeyProblem ?? connectionFailure(error, { ...endpoint, username: auth.username }));
    const onClose = () => onError(new Error("connection closed during the handshake"));
    const onAbort = () => settle(signal?.reason);
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    // Errors after the handshake are the connection's to report; this keeps them from crashing the process meanwhile.
    client.on("error", () => {});
    client.on("ready", onReady).on("error", onError).on("close", onClose);
    try {
      client.connect(config);
      // Without it, Nagle's algorithm and delayed ACKs add 40 ms to every SFTP round trip.
      client.setNoDelay(true);
    } catch (error) {
      onError(error);
    }
  });
}

/** Connects as far as the host key, for the "confirm the fingerprint" step. */
export async function probeHostKey(endpoint: Endpoint, options: ConnectOptions = {}): Promise<{ fingerprint: string; keyType: string }> {
  try {
    const client = await handshake(endpoint, { username: "finetuneflow-probe" }, null, options);
    client.destroy();
  } catch (error) {
    if (error instanceof HostKeyUnconfirmedError) return { fingerprint: error.fingerprint, keyType: error.keyType };
    throw error;
  }
  throw new RunnerError(`${endpoint.host}:${endpoint.port} completed an SSH handshake without showing a host key.`, { kind: "handshake" });
}

export async function connectSsh(target: SshTarget, options: ConnectOptions = {}): Promise<RunnerConnection> {
  parsePrivateKey(target.privateKey);
  const client = await handshake(target, { username: target.username, privateKey: normalizePrivateKey(target.privateKey) }, target.hostKeyFingerprint, options);
  return new SshConnection(client, `${target.username}@${target.host}:${target.port}`);
}

// sshd starts each command's shell as a session leader, so its pid names the process group a
// timeout or abort kills (a signal channel request is refused for root logins). The shell says
// its pid on stderr first; exec() takes the line out again.
const REPORT_SESSION_PID = 'echo "__ftf_session_pid:$$" >&2';
const SESSION_PID = /^__ftf_session_pid:(\d+)\n/m;

type SftpError = Error & { code?: unknown };
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

function promised<T>(start: (callback: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

class SshConnection implements RunnerConnection {
  readonly closed: AbortSignal;
  readonly #client: Client;
  readonly #where: string;
  readonly #dropped = new AbortController();
  #closing = false;
  #down = false;
  #lastError: Error | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;
  #home: Promise<string> | undefined;

  constructor(client: Client, where: string) {
    this.#client = client;
    this.#where = where;
    this.closed = this.#dropped.signal;
    client.on("error", (error: Error) => (this.#lastError = error));
    client.on("close", () => {
      this.#down = true;
      if (this.#closing) return;
      const detail = this.#lastError ? ` (${this.#lastError.message})` : "";
      this.#dropped.abort(new RunnerError(`The SSH connection to ${where} was lost${detail}.`, { kind: "connection_lost", cause: this.#lastError }));
    });
  }

  #lost(doing: string, cause?: unknown): RunnerError {
    return new RunnerError(
      `The SSH connection to ${this.#where} was lost while trying to ${doing}. Processes started detached keep running; reconnect to check on them.`,
      { kind: "connection_lost", cause: cause ?? this.#lastError },
    );
  }

  #fileFailure(error: unknown, doing: string, remotePath: string): RunnerError {
    if (error instanceof RunnerError) return error;
    if (this.#down) return this.#lost(doing, error);
    const code = (error as SftpError).code;
    const reason = code === SFTP_NO_SUCH_FILE ? "no such file or directory" : code === SFTP_PERMISSION_DENIED ? "permission denied" : (error as Error).message;
    return new RunnerError(`Could not ${doing} ${remotePath} on ${this.#where}: ${reason}.`, { kind: "file", cause: error });
  }

  #sftpSession(): Promise<SFTPWrapper> {
    if (this.#sftp) return this.#sftp;
    const session = promised<SFTPWrapper>((callback) => {
      try {
        this.#client.sftp(callback);
      } catch (error) {
        callback(error as Error, undefined as never);
      }
    }).then(
      (sftp) => {
        sftp.once("close", () => {
          if (this.#sftp === session) this.#sftp = undefined;
        });
        return sftp;
      },
      (error: unknown) => {
        if (this.#sftp === session) this.#sftp = undefined;
        if (this.#down) throw this.#lost("open an SFTP session", error);
        throw new RunnerError(
          `${this.#where} offers no SFTP session (${(error as Error).message}). Enable it in sshd_config ("Subsystem sftp internal-sftp").`,
          { kind: "file", cause: error },
        );
      },
    );
    this.#sftp = session;
    return session;
  }

  async resolvePath(p: string): Promise<string> {
    this.#home ??= this.#sftpSession()
      .then((sftp) => promised<string>((callback) => sftp.realpath(".", callback)))
      .catch((error: unknown) => {
        this.#home = undefined;
        throw this.#fileFailure(error, "find the home directory", "~");
      });
    const home = await this.#home;
    return resolveAgainst(p, home, home);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      const done = commandSettler(options, this.#where, resolve, reject);
      const onChannel = (error: Error | undefined, stream: ClientChannel) => {
        if (error) {
          const failure = this.#down
            ? this.#lost("run a command", error)
            : new RunnerError(`Could not run a command on ${this.#where}: ${error.message}.`, { kind: "command", cause: error });
          return done.reject(failure);
        }
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let head = "";
        let sessionPid: number | undefined;
        done.setStop(() => {
          // Closing the channel alone leaves a command that does not write running.
          if (sessionPid !== undefined) this.exec(`kill -KILL -- -${sessionPid} 2>/dev/null`).catch(() => {});
          stream.close();
        });
        let exit: { code: number | null; signal: string | null } | undefined;
        stream.on("data", (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on("data", (chunk: Buffer) => {
          stderr.push(chunk);
          if (sessionPid === undefined && head.length < 65_536) {
            head += chunk.toString("latin1");
            const mark = SESSION_PID.exec(head);
            if (mark) sessionPid = Number(mark[1]);
          }
        });
        stream.on("exit", (code: number | null, signal?: string) => (exit = { code: code ?? null, signal: signal ?? null }));
        stream.on("close", () => {
          if (!exit && this.#down) return done.reject(this.#lost("run a command"));
          done.resolve({
            code: exit?.code ?? null,
            signal: exit?.signal ?? null,
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8").replace(SESSION_PID, ""),
          });
        });
        stream.end(options.stdin);
      };
      try {
        this.#client.exec(`${REPORT_SESSION_PID}\n${command}`, onChannel);
      } catch (error) {
        onChannel(error as Error, undefined as never);
      }
    });
  }

  async #statOrNull(sftp: SFTPWrapper, remotePath: string) {
    try {
      return await promised<Stats>((callback) => sftp.stat(remotePath, callback));
    } catch (error) {
      if ((error as SftpError).code === SFTP_NO_SUCH_FILE) return null;
      throw error;
    }
  }

  async #mkdir(sftp: SFTPWrapper, dir: string): Promise<void> {
    try {
      await promised<void>((callback) => sftp.mkdir(dir, (error) => callback(error, undefined)));
    } catch (error) {
      // OpenSSH answers a generic failure when the directory already exists.
      if (!(await this.#statOrNull(sftp, dir))?.isDirectory()) throw error;
    }
  }

  async #mkdirp(sftp: SFTPWrapper, dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = dir; d !== "/" && !(await this.#statOrNull(sftp, d)); d = path.posix.dirname(d)) missing.unshift(d);
    for (const d of missing) await this.#mkdir(sftp, d);
  }

  async writeFile(remotePath: string, data: Buffer | string, options: { mode?: number } = {}): Promise<void> {
    const target = await this.resolvePath(remotePath);
    try {
      const sftp = await this.#sftpSession();
      await this.#mkdirp(sftp, path.posix.dirname(target));
      await promised<void>((callback) =>
        sftp.writeFile(target, data, options.mode === undefined ? {} : { mode: options.mode }, (error) => callback(error, undefined)),
      );
      // The mode given at open applies to new files only.
      if (options.mode !== undefined) await promised<void>((callback) => sftp.chmod(target, options.mode!, (error) => callback(error, undefined)));
    } catch (error) {
      throw this.#fileFailure(error, "write", target);
    }
  }

  async uploadFile(localPath: string, remotePath: string): Promise<void> {
    const target = await this.resolvePath(remotePath);
    try {
      const sftp = await this.#sftpSession();
      await this.#mkdirp(sftp, path.posix.dirname(target));
      await promised<void>((callback) => sftp.fastPut(localPath, target, (error) => callback(error, undefined)));
    } catch (error) {
      throw this.#fileFailure(error, "upload to", target);
    }
  }

  async uploadDir(localDir: string, remoteDir: string): Promise<void> {
    const target = await this.resolvePath(remoteDir);
    const { dirs, files } = await walkLocal(localDir, skipOnUpload);
    try {
      const sftp = await this.#sftpSession();
      await this.#mkdirp(sftp, target);
      for (const dir of dirs) await this.#mkdir(sftp, path.posix.join(target, dir));
      await eachLimited(files, UPLOAD_CONCURRENCY, (file) =>
        promised<void>((callback) => sftp.fastPut(path.join(localDir, file.path), path.posix.join(target, file.path), (error) => callback(error, undefined))),
      );
    } catch (error) {
      throw this.#fileFailure(error, "upload to", target);
    }
  }

  async createReadStream(remotePath: string): Promise<Readable> {
    const target = await this.resolvePath(remotePath);
    try {
      const sftp = await this.#sftpSession();
      // Opened first, so a missing file rejects here rather than as a stream error later.
      const handle = await promised<Buffer>((callback) => sftp.open(target, "r", callback));
      return sftp.createReadStream(target, { handle, autoClose: true });
    } catch (error) {
      throw this.#fileFailure(error, "read", target);
    }
  }

  async readFrom(remotePath: string, offset: number, maxBytes: number): Promise<Buffer> {
    const target = await this.resolvePath(remotePath);
    try {
      const sftp = await this.#sftpSession();
      let handle: Buffer;
      try {
        handle = await promised<Buffer>((callback) => sftp.open(target, "r", callback));
      } catch (error) {
        if ((error as SftpError).code === SFTP_NO_SUCH_FILE) return Buffer.alloc(0);
        throw error;
      }
      try {
        const buffer = Buffer.alloc(maxBytes);
        let filled = 0;
        while (filled < maxBytes) {
          const length = Math.min(READ_CHUNK, maxBytes - filled);
          const read = await promised<number>((callback) =>
            sftp.read(handle, buffer, filled, length, offset + filled, (error, bytesRead) => callback(error, bytesRead)),
          );
          if (read === 0) break;
          filled += read;
        }
        return buffer.subarray(0, filled);
      } finally {
        await promised<void>((callback) => sftp.close(handle, (error) => callback(error, undefined))).catch(() => {});
      }
    } catch (error) {
      throw this.#fileFailure(error, "read", target);
    }
  }

  async stat(remotePath: string): Promise<FileStat | null> {
    const target = await this.resolvePath(remotePath);
    try {
      const stats = await this.#statOrNull(await this.#sftpSession(), target);
      return stats && { size: stats.size, isDirectory: stats.isDirectory(), mtimeMs: stats.mtime * 1000 };
    } catch (error) {
      throw this.#fileFailure(error, "stat", target);
    }
  }

  async listFiles(remoteDir: string): Promise<FileEntry[]> {
    const root = await this.resolvePath(remoteDir);
    const files: FileEntry[] = [];
    try {
      const sftp = await this.#sftpSession();
      const visit = async (relative: string): Promise<void> => {
        const entries = await promised<FileEntryWithStats[]>((callback) => sftp.readdir(path.posix.join(root, relative), callback));
        await Promise.all(
          entries.map(async (entry) => {
            const child = relative ? `${relative}/${entry.filename}` : entry.filename;
            if (entry.attrs.isDirectory()) await visit(child);
            else if (entry.attrs.isFile()) files.push({ path: child, size: entry.attrs.size });
          }),
        );
      };
      await visit("");
    } catch (error) {
      if ((error as SftpError).code === SFTP_NO_SUCH_FILE && files.length === 0 && !this.#down) return [];
      throw this.#fileFailure(error, "list", root);
    }
    return files.sort(byPath);
  }

  async close(): Promise<void> {
    if (this.#down) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#client.once("close", () => resolve()));
    this.#client.end();
    const forced = setTimeout(() => this.#client.destroy(), 2_000);
    await closed;
    clearTimeout(forced);
  }
}
