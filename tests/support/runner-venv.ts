// The runner's Python environment for the tests: a venv with worker/runner's requirements at the
// tested versions (constraints.txt), built once per machine and shared by every test run and
// clone. It lives outside the clone (/var/tmp/finetuneflow-runner-venv/<key>, or
// FTF_RUNNER_VENV_CACHE), keyed by the requirements, the constraints and the Python; a lock lets
// parallel test files (and parallel clones) wait for one build instead of racing it.
//
// pip is pointed at local indexes only when the machine has them: FTF_PIP_INDEX_URL (with
// FTF_PIP_EXTRA_INDEX_URLS and FTF_PIP_FIND_LINKS, space-separated), or else pip's own
// configuration when it names file:// indexes — made the --index-url, so the unreachable public
// index is never tried (each miss there costs minutes of retries). Otherwise pip's defaults.
//
//   npx tsx tests/support/runner-venv.ts   builds (or finds) it and prints its python
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { type PackageIndex, pipIndexArgs } from "@/lib/runners/package-index";

const PROGRAM_DIR = path.resolve(import.meta.dirname, "../../worker/runner");
const BASE_PYTHON = process.env.FTF_RUNNER_BASE_PYTHON ?? "python3";
const READY = ".ftf-ready";
const LOCK_WAIT_MS = 30 * 60_000;

const words = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);
const isLocal = (url: string) => url.startsWith("file://") || url.startsWith("/");

/** `pip config list` lines: "global.extra-index-url='file:///a file:///b'", ":env:.find-links='/opt/wheels'". */
export function parsePipConfig(output: string): Record<string, string[]> {
  const settings: Record<string, string[]> = {};
  for (const line of output.split("\n")) {
    const match = /^[^=]*\.([a-z-]+)='(.*)'$/.exec(line.trim());
    if (match) settings[match[1]] = words(match[2]);
  }
  return settings;
}

/** The local indexes to use, or null to leave pip's configuration alone. */
export function localPackageIndex(environment: Record<string, string | undefined>, pipConfig: Record<string, string[]>): PackageIndex | null {
  if (environment.FTF_PIP_INDEX_URL) {
    return {
      packageIndexUrl: environment.FTF_PIP_INDEX_URL,
      extraIndexUrls: words(environment.FTF_PIP_EXTRA_INDEX_URLS),
      findLinks: words(environment.FTF_PIP_FIND_LINKS),
    };
  }
  const indexes = [...(pipConfig["index-url"] ?? []), ...(pipConfig["extra-index-url"] ?? [])];
  const findLinks = pipConfig["find-links"] ?? [];
  if (indexes.length === 0 || !indexes.every(isLocal)) return null;
  const [packageIndexUrl, ...extraIndexUrls] = indexes;
  return { packageIndexUrl, extraIndexUrls, findLinks: findLinks.filter(isLocal) };
}

let interpreter: string | undefined;

/**
 * The interpreter behind BASE_PYTHON. A pyenv shim runs `pyenv rehash` after every `-m pip
 * install`, which waits up to 60 s for a machine-wide lock and then fails the install when other
 * test processes hold it; the interpreter itself has no such hook.
 */
function realPython(): string {
  interpreter ??= spawnSync(BASE_PYTHON, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim() || BASE_PYTHON;
  return interpreter;
}

function pythonVersion(): string {
  const result = spawnSync(BASE_PYTHON, ["-c", "import sys; print(sys.version)"], { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${BASE_PYTHON} does not run (${result.error?.message ?? result.stderr.trim()}); the runner's tests need Python 3.10+.`);
  return result.stdout.trim();
}

function pipArgs(): string[] {
  const config = spawnSync(realPython(), ["-m", "pip", "config", "list"], { encoding: "utf8" });
  const index = localPackageIndex(process.env, parsePipConfig(config.stdout ?? ""));
  return index ? pipIndexArgs(index) : [];
}

/**
 * Installs Python packages a test reads our files with (openpyxl for XLSX) into a folder of their
 * own, from the same local indexes, once per machine; returns the folder for PYTHONPATH.
 */
export async function pythonToolDir(packages: string[]): Promise<string> {
  const root = process.env.FTF_RUNNER_VENV_CACHE ?? "/var/tmp/finetuneflow-runner-venv";
  const dir = path.join(root, `tools-${createHash("sha256").update(packages.join(" ")).update(pythonVersion()).digest("hex").slice(0, 12)}`);
  if (fs.existsSync(path.join(dir, READY))) return dir;
  await withLock(`${dir}.lock`, async () => {
    if (fs.existsSync(path.join(dir, READY))) return;
    fs.rmSync(dir, { recursive: true, force: true });
    const code = await run(realPython(), ["-m", "pip", "install", "--quiet", "--target", dir, ...pipArgs(), ...packages], `${dir}.log`);
    if (code !== 0) throw new Error(`pip could not install ${packages.join(", ")}; see ${dir}.log`);
    fs.writeFileSync(path.join(dir, READY), "");
  });
  return dir;
}

export function runnerVenvDir(): string {
  const read = (name: string) => (fs.existsSync(path.join(PROGRAM_DIR, name)) ? fs.readFileSync(path.join(PROGRAM_DIR, name)) : Buffer.alloc(0));
  const key = createHash("sha256")
    .update(read("requirements.txt"))
    .update("\0")
    .update(read("constraints.txt"))
    .update("\0")
    .update(pythonVersion())
    .digest("hex")
    .slice(0, 16);
  const root = process.env.FTF_RUNNER_VENV_CACHE ?? "/var/tmp/finetuneflow-runner-venv";
  return path.join(root, key);
}

function run(command: string, args: string[], logFile: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, "a");
    fs.writeSync(log, `$ ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, { stdio: ["ignore", log, log] });
    child.once("error", reject);
    child.once("exit", (code) => {
      fs.closeSync(log);
      resolve(code);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readIfThere(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** A lock directory holding its owner's PID; one left by a dead process is taken over. */
async function withLock<T>(lockDir: string, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readIfThere(path.join(lockDir, "pid")) || 0);
      // An owner that has not written its PID yet is alive: it took the lock a moment ago.
      if (owner && !alive(owner)) fs.rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`Waited ${LOCK_WAIT_MS / 60_000} min for another process (PID ${owner}) building the runner's venv; remove ${lockDir} if it is gone.`);
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Builds the venv unless a complete one is there; returns its python. */
export async function ensureRunnerVenv(): Promise<string> {
  const dir = runnerVenvDir();
  const python = path.join(dir, "bin", "python");
  if (fs.existsSync(path.join(dir, READY))) return python;
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    if (fs.existsSync(path.join(dir, READY))) return python;
    const logFile = `${dir}.log`;
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.writeFile(logFile, "");
    const started = Date.now();
    const steps: Array<[string, string[]]> = [
      [realPython(), ["-m", "venv", dir]],
      [
        python,
        [
          "-m",
          "pip",
          "install",
          "--disable-pip-version-check",
          "--no-input",
          "--progress-bar",
          "off",
          ...pipArgs(),
          "-r",
          path.join(PROGRAM_DIR, "requirements.txt"),
          "-c",
          path.join(PROGRAM_DIR, "constraints.txt"),
        ],
      ],
    ];
    for (const [command, args] of steps) {
      const code = await run(command, args, logFile);
      if (code !== 0) {
        const tail = fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-30).join("\n");
        throw new Error(`Building the runner's venv in ${dir} failed (${path.basename(command)} exited with ${code}); log: ${logFile}\n${tail}`);
      }
    }
    await fsp.writeFile(path.join(dir, READY), `built in ${Math.round((Date.now() - started) / 1000)} s\n`);
    return python;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  console.log(await ensureRunnerVenv());
}
