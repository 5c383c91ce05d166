// The Python that runs the runner program on a box: the one named in the runner's settings, or a
// venv the app sets up once in the work dir from the program's requirements (tested versions
// first, then the ranges), through the runner's package index. When pip fails, the job fails with
// what blocked it in one sentence and pip's whole output as the detail.
import { createHash } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";
import { NonRetryableError } from "@/lib/jobs/definition";
import type { RunnerRecord } from "@/lib/runners";
import { pipIndexArgs } from "@/lib/runners/package-index";
import { bootstrapCommand, RETRY_WITHOUT_CONSTRAINTS, venvPython } from "./commands";
import { summarizePipFailure } from "./pip-failure";
import type { RemoteProcess } from "./remote-process";

const REQUIREMENTS = "requirements.txt";
const CONSTRAINTS = "constraints.txt";
const QLORA_REQUIREMENTS = "requirements-qlora.txt";
const INSTALL_TIMEOUT_MS = 60 * 60_000;

const sha256 = (...parts: Array<string | Buffer>) => parts.reduce((hash, part) => hash.update(part).update("\0"), createHash("sha256")).digest("hex");

async function readProgramFile(name: string): Promise<Buffer | null> {
  return fsp.readFile(path.join(path.resolve(env().RUNNER_PROGRAM_DIR), name)).catch(() => null);
}

export async function ensurePython(
  remote: RemoteProcess,
  runner: RunnerRecord,
  workDir: string,
  report: (message: string) => Promise<void>,
  options: { qlora: boolean },
): Promise<string> {
  if (runner.pythonPath) return runner.pythonPath;
  const requirements = await readProgramFile(REQUIREMENTS);
  if (!requirements) {
    throw new NonRetryableError(
      "This server's copy of the runner program has no requirements.txt, so no Python environment can be set up. Name an existing Python in the runner's settings, or ask the server's administrator to check RUNNER_PROGRAM_DIR.",
    );
  }
  const constraints = await readProgramFile(CONSTRAINTS);
  const qlora = options.qlora ? await readProgramFile(QLORA_REQUIREMENTS) : null;
  const pipArgs = pipIndexArgs(runner);
  const key = sha256(requirements, constraints ?? "", ...pipArgs);
  const files: Array<[string, Buffer | null]> = [
    [REQUIREMENTS, requirements],
    [CONSTRAINTS, constraints],
    [QLORA_REQUIREMENTS, qlora],
  ];
  for (const [name, content] of files) {
    if (content) await remote.withLink((conn) => conn.writeFile(path.posix.join(workDir, name), content));
  }
  await report("Setting up the Python environment on the box (first run only; can take several minutes)");
  const command = bootstrapCommand(workDir, { key, pipArgs, constraints: Boolean(constraints), qlora: qlora ? { key: sha256(key, qlora) } : undefined });
  const result = await remote.withLink((conn) => conn.exec(command, { timeoutMs: INSTALL_TIMEOUT_MS, signal: remote.ctx.signal }));
  if (result.code === 0) return venvPython(workDir);

  const log = [result.stdout, result.stderr].filter((part) => part.trim()).join("\n");
  if (result.code === 3) {
    throw new NonRetryableError(
      `python3 on ${runner.name} could not create a virtual environment: install python3-venv there (Debian, Ubuntu), or name an existing Python in the runner's settings.`,
      { detail: log },
    );
  }
  const what = result.code === 5 ? "bitsandbytes, which QLoRA needs," : "The runner's Python packages";
  // After a fallback, the second try is the one that counted.
  const summary = summarizePipFailure(log.split(RETRY_WITHOUT_CONSTRAINTS).at(-1)!, result.code);
  throw new NonRetryableError(`${what} could not be installed on ${runner.name}: ${summary}`, { detail: log });
}
