// The runner transport on real parts: Debian's OpenSSH server on a loopback port (host key
// pinning, auth and connection failures, SFTP transfers, detached processes that outlive a
// dropped link), and the local runner passing the same file and command checks.

import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRunner } from "@/lib/runners/check";
import { type RunnerConnection, type SshTarget, shellQuote } from "@/lib/runners/connection";
import { HostKeyMismatchError, HostKeyUnconfirmedError, RunnerError, type RunnerErrorKind } from "@/lib/runners/errors";
import { generateKeyPair } from "@/lib/runners/keys";
import { createLocalConnection } from "@/lib/runners/local-connection";
import { connectionFailure, connectSsh, probeHostKey } from "@/lib/runners/ssh-connection";
import { freePort, startSshd, type TestSshd } from "../support/sshd";

const hasNvidiaSmi = spawnSync("sh", ["-c", "command -v nvidia-smi"]).status === 0;

function targetOf(sshd: TestSshd, overrides: Partial<SshTarget> = {}): SshTarget {
  return { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeyFingerprint: sshd.hostFingerprint, ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<RunnerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerError);
    return error as RunnerError;
  }
  throw new Error("expected the promise to reject");
}

async function expectFailure(promise: Promise<unknown>, kind: RunnerErrorKind, message: RegExp): Promise<RunnerError> {
  const error = await failureOf(promise);
  expect(error.kind).toBe(kind);
  expect(error.message).toMatch(message);
  return error;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe("connecting over SSH", () => {
  it("signs in with the user key when the host key is pinned", async () => {
    const conn = await connectSsh(targetOf(sshd));
    try {
      const result = await conn.exec("whoami");
      expect(result).toMatchObject({ code: 0, stdout: `${sshd.username}\n` });
    } finally {
      await conn.close();
    }
    expect(conn.closed.aborted).toBe(false);
  });

  it("stops at an unpinned host key and names the fingerprint ssh-keygen prints for it", async () => {
    expect(sshd.hostFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const error = await failureOf(connectSsh(targetOf(sshd, { hostKeyFingerprint: null })));
    expect(error).toBeInstanceOf(HostKeyUnconfirmedError);
    expect(error).toMatchObject({ kind: "host_key_unconfirmed", fingerprint: sshd.hostFingerprint, keyType: "ssh-ed25519" });
    expect(await probeHostKey({ host: sshd.host, port: sshd.port })).toEqual({ fingerprint: sshd.hostFingerprint, keyType: "ssh-ed25519" });
  });

  it("accepts a pinned fingerprint written with base64 padding or without its prefix", async () => {
    for (const pinned of [`${sshd.hostFingerprint}=`, sshd.hostFingerprint.slice("SHA256:".length)]) {
      const conn = await connectSsh(targetOf(sshd, { hostKeyFingerprint: pinned }));
      await conn.close();
    }
  });

  it("says which key to add where when the server refuses the user key", async () => {
    const stranger = generateKeyPair("stranger");
    await expectFailure(connectSsh(targetOf(sshd, { privateKey: stranger.privateKey })), "auth", /authentication failed.*~\/\.ssh\/authorized_keys of root/s);
  });

  it("says the port refused the connection when nothing listens there", async () => {
    const port = await freePort();
    await expectFailure(connectSsh(targetOf(sshd, { port })), "refused", new RegExp(`refused the connection on port ${port}\\. Is sshd running`));
  });

  it("times out on a server that never speaks SSH", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      // The server never answers: only the ready timeout can end the attempt.
      await expectFailure(connectSsh(targetOf(sshd, { port }), { readyTimeoutMs: 400 }), "timeout", /timed out/);
    } finally {
      silent.close();
    }
  });

  it("rejects a malformed or passphrase-protected key before dialing", async () => {
    // Nothing listens on this port: dialing would fail as "refused".
    const port = await freePort();
    await expectFailure(connectSsh(targetOf(sshd, { port, privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n" })), "key", /could not be read/);
    const locked = path.join(sshd.workDir, "locked_key");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "a passphrase", "-f", locked]);
    await expectFailure(connectSsh(targetOf(sshd, { port, privateKey: fs.readFileSync(locked, "utf8") })), "key", /passphrase/);
  });

  it("names DNS and mid-connection failures (mapped from the socket errors)", () => {
    const where = { host: "gpu-box.example", port: 22, username: "ml" };
    expect(connectionFailure(Object.assign(new Error("getaddrinfo ENOTFOUND gpu-box.example"), { code: "ENOTFOUND" }), where)).toMatchObject({
      kind: "host_not_found",
      message: expect.stringMatching(/"gpu-box\.example" was not found \(DNS/),
    });
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    const error = connectionFailure(reset, where);
    expect(error).toMatchObject({ kind: "connection_lost", cause: reset, retryable: true });
  });
});

/**
 * The checks both runners must pass. `open` gives a connection and a directory on its side for
 * the test's files.
 */
function connectionContract(label: string, open: () => Promise<{ conn: RunnerConnection; dir: string }>) {
  describe(`${label} connection`, () => {
    let conn: RunnerConnection;
    let dir: string;
    const local = fs.mkdtempSync(path.join(os.tmpdir(), `ftf-contract-${label}-`));
    beforeAll(async () => {
      ({ conn, dir } = await open());
    });
    afterAll(async () => {
      await conn?.close();
      fs.rmSync(local, { recursive: true, force: true });
    });

    it("runs commands and reports exit code, stdout and stderr without throwing", async () => {
      expect(await conn.exec("echo out; echo err >&2; exit 3")).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n" });
      expect(await conn.exec("printf 'ü€'")).toMatchObject({ code: 0, stdout: "ü€" });
      expect((await conn.exec("no-such-command-ftf")).code).toBe(127);
      expect(await conn.exec("wc -c", { stdin: Buffer.alloc(70_000, 1) })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\s*70000\s*$/) });
      expect((await conn.exec("cat", { stdin: "hello" })).stdout).toBe("hello");
    });

    it("stops a command at its time limit or when aborted", async () => {
      // The commands would outlive the test's own timeout: only the time limit or the abort ends them.
      // A duration of its own: another test run on this machine (a second suite) sleeps too.
      const digits = String(100_000 + Math.floor(Math.random() * 900_000));
      await expectFailure(conn.exec(`sleep 61.${digits}; echo never`, { timeoutMs: 300 }), "timeout", /did not finish within 300 ms/);
      // Killed on the box too, not just abandoned (the bracket: so pgrep's own shell does not match).
      await sleep(200);
      expect((await conn.exec(`pgrep -f 'sleep 61.${digits.slice(0, -1)}[${digits.at(-1)}]'`)).stdout).toBe("");
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("cancelled by test")), 200);
      await expect(conn.exec("sleep 61", { signal: controller.signal })).rejects.toThrow("cancelled by test");
      // The connection stays usable.
      expect((await conn.exec("echo still here")).stdout).toBe("still here\n");
    });

    it("resolves ~ and relative paths to absolute ones", async () => {
      const home = await conn.resolvePath("~");
      expect(path.posix.isAbsolute(home)).toBe(true);
      expect(await conn.resolvePath("~/ftf/runs")).toBe(`${home}/ftf/runs`);
      expect(await conn.resolvePath(`${dir}/a/../b`)).toBe(`${dir}/b`);
    });

    it("writes files under new directories, with a mode, and stats them", async () => {
      const file = `${dir}/write/deep/er/config.json`;
      await conn.writeFile(file, '{"run_id":"r1"}\n', { mode: 0o600 });
      expect((await conn.exec(`cat ${shellQuote(file)}; stat -c %a ${shellQuote(file)}`)).stdout).toBe('{"run_id":"r1"}\n600\n');
      const written = Date.now();
      await conn.writeFile(file, "shorter");
      expect(await conn.stat(file)).toMatchObject({ size: 7, isDirectory: false });
      // The mtime is the second write's (stat reads it in milliseconds; the file system keeps whole seconds at worst).
      expect((await conn.stat(file))!.mtimeMs).toBeGreaterThanOrEqual(Math.floor(written / 1000) * 1000);
      expect(await conn.stat(`${dir}/write/deep`)).toMatchObject({ isDirectory: true });
      expect(await conn.stat(`${dir}/write/missing`)).toBeNull();
    });

    it("round-trips a 5 MB file through writeFile, uploadFile and createReadStream", async () => {
      const data = randomBytes(5 * 1024 * 1024 + 123);
      await conn.writeFile(`${dir}/big/written.bin`, data);
      expect(sha256(await readAll(await conn.createReadStream(`${dir}/big/written.bin`)))).toBe(sha256(data));

      const localFile = path.join(local, "upload.bin");
      fs.writeFileSync(localFile, data);
      await conn.uploadFile(localFile, `${dir}/big/uploaded/data.bin`);
      const remoteSum = await conn.exec(`sha256sum ${shellQuote(`${dir}/big/uploaded/data.bin`)}`);
      expect(remoteSum.stdout.split(" ")[0]).toBe(sha256(data));

      // A chunk from the middle, larger than one SFTP read.
      const slice = await conn.readFrom(`${dir}/big/written.bin`, 1_000_003, 1_000_000);
      expect(slice.equals(data.subarray(1_000_003, 2_000_003))).toBe(true);
      await expectFailure(conn.createReadStream(`${dir}/big/missing.bin`), "file", /no such file/);
    });

    it("uploads a directory tree without __pycache__ and .pyc files, and lists it back", async () => {
      const tree = path.join(local, "ftf_runner");
      const files: Record<string, string> = {
        "__init__.py": "",
        "__main__.py": "from .cli import main\nmain()\n",
        "cli.py": "def main():\n    pass\n",
        "train/loop.py": "x = 1\n",
        "train/data/schema.json": '{"a": 1}',
        "__pycache__/cli.cpython-311.pyc": "compiled",
        "train/old.pyc": "compiled",
        "train/__pycache__/loop.cpython-311.pyc": "compiled",
      };
      for (const [name, contents] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
        fs.writeFileSync(path.join(tree, name), contents);
      }
      await conn.uploadDir(tree, `${dir}/runs/r1/runner/ftf_runner`);
      const listed = await conn.listFiles(`${dir}/runs/r1/runner`);
      expect(listed).toEqual(
        ["__init__.py", "__main__.py", "cli.py", "train/data/schema.json", "train/loop.py"].map((name) => ({
          path: `ftf_runner/${name}`,
          size: Buffer.byteLength(files[name]),
        })),
      );
      expect((await conn.exec(`cat ${shellQuote(`${dir}/runs/r1/runner/ftf_runner/cli.py`)}`)).stdout).toBe(files["cli.py"]);
      expect(await conn.listFiles(`${dir}/runs/none`)).toEqual([]);
    });

    it("reads a growing file from an offset, empty when there is nothing new or no file", async () => {
      const file = `${dir}/tail/events.jsonl`;
      expect((await conn.readFrom(file, 0, 100)).length).toBe(0);
      await conn.writeFile(file, "0123456789");
      expect((await conn.readFrom(file, 0, 4)).toString()).toBe("0123");
      expect((await conn.readFrom(file, 4, 100)).toString()).toBe("456789");
      expect((await conn.readFrom(file, 10, 100)).length).toBe(0);
      await conn.exec(`printf 'abc' >> ${shellQuote(file)}`);
      expect((await conn.readFrom(file, 10, 100)).toString()).toBe("abc");
    });

    it("checks the runner: Python, disk, and no GPU here", async () => {
      const check = await checkRunner(conn, { workDir: `${dir}/runner-home`, pythonPath: "python3" });
      expect(check.python?.version).toMatch(/^3\.\d+/);
      expect(path.posix.isAbsolute(check.python!.path)).toBe(true);
      expect(check.workDir).toBe(`${dir}/runner-home`);
      expect((await conn.stat(check.workDir))?.isDirectory).toBe(true);
      expect(check.diskFreeGb).toBeGreaterThan(0);
      if (hasNvidiaSmi) expect(check.gpus.length).toBeGreaterThan(0);
      else {
        expect(check.gpus).toEqual([]);
        expect(check.warnings).toContain("No NVIDIA GPU found (nvidia-smi missing): training would run on CPU and be very slow.");
      }

      const noPython = await checkRunner(conn, { workDir: `${dir}/runner-home`, pythonPath: "/opt/none/bin/python" });
      expect(noPython.python).toBeNull();
      expect(noPython.warnings.some((w) => w.includes('No Python at "/opt/none/bin/python"'))).toBe(true);
    });
  });
}

connectionContract("ssh", async () => ({ conn: await connectSsh(targetOf(sshd)), dir: sshd.workDir }));

connectionContract("local", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-local-runner-"));
  const conn = createLocalConnection(dir);
  expect(conn.closed.aborted).toBe(false);
  return { conn, dir };
});

describe("a dropped link and a changed host key", () => {
  let box: TestSshd;
  beforeAll(async () => {
    box = await startSshd();
  });
  afterAll(async () => {
    await box?.stop();
  });

  async function linesOf(conn: RunnerConnection, file: string): Promise<number> {
    return (await conn.readFrom(file, 0, 1 << 20)).toString().split("\n").filter(Boolean).length;
  }

  it("keeps a detached process running after the link drops; a new connection sees it and can stop its group", async () => {
    const conn = await connectSsh(targetOf(box));
    const out = `${box.workDir}/out.txt`;
    // On its own line: after `cd … &&`, the `&` would background the whole list, and the
    // subshell would hold the channel open until the loop ends.
    const started = await conn.exec(
      `cd ${shellQuote(box.workDir)} || exit 1\nsetsid nohup sh -c 'for i in $(seq 1 50); do echo $i >> out.txt; sleep 0.1; done' >/dev/null 2>&1 </dev/null & echo $!`,
      { timeoutMs: 3_000 },
    );
    const pid = Number(started.stdout.trim());
    expect(pid).toBeGreaterThan(1);
    // A session leader: its pid is the process group that `kill -TERM -<pid>` stops.
    expect((await conn.exec(`ps -o sid= -p ${pid}`)).stdout.trim()).toBe(String(pid));

    const attached = conn.exec("sleep 10");
    const closed = new Promise<unknown>((resolve) => conn.closed.addEventListener("abort", () => resolve(conn.closed.reason)));
    await sleep(200);
    await box.dropConnections();
    const reason = await closed;
    expect(reason).toBeInstanceOf(RunnerError);
    expect(reason).toMatchObject({ kind: "connection_lost", retryable: true });
    await expectFailure(attached, "connection_lost", /was lost while trying to run a command/);
    await expectFailure(conn.exec("true"), "connection_lost", /was lost/);

    const again = await connectSsh(targetOf(box));
    try {
      const before = await linesOf(again, out);
      await sleep(500);
      const after = await linesOf(again, out);
      expect(after).toBeGreaterThan(before);
      expect(after).toBeLessThan(50);

      expect((await again.exec(`kill -TERM -${pid}`)).code).toBe(0);
      await sleep(300);
      const stopped = await linesOf(again, out);
      await sleep(500);
      expect(await linesOf(again, out)).toBe(stopped);
      // Gone, or a zombie where the container's init does not reap orphans.
      expect((await again.exec(`ps -o stat= -p ${pid}`)).stdout.trim()).toMatch(/^(Z.*)?$/);
    } finally {
      await again.close();
    }
  });

  it("refuses a box whose host key changed, with a warning and both fingerprints", async () => {
    const pinned = box.hostFingerprint;
    const conn = await connectSsh(targetOf(box));
    await conn.close();

    const rotated = await box.rotateHostKey();
    expect(rotated).not.toBe(pinned);
    const error = await failureOf(connectSsh(targetOf(box, { hostKeyFingerprint: pinned })));
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(error).toMatchObject({ kind: "host_key_mismatch", expected: pinned, actual: rotated, retryable: false });
    expect(error.message).toMatch(/man-in-the-middle/);
    expect(error.message).toMatch(/reinstalled/);
    expect(error.message).toContain(rotated);

    const repinned = await connectSsh(targetOf(box, { hostKeyFingerprint: rotated }));
    expect((await repinned.exec("echo ok")).stdout).toBe("ok\n");
    await repinned.close();
  });
});
