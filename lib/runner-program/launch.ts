// Starting the runner program on a box, shared by the train and eval jobs: connect (problems a
// retry cannot fix fail the job at once), upload the program, and start it detached with the
// workspace's Hugging Face token in a secrets file the start command reads and deletes.
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { NonRetryableError } from "@/lib/jobs/definition";
import { RunnerError } from "@/lib/runners/errors";
import { HF_TOKEN, readSecret } from "@/lib/secrets";
import { SECRETS_FILE, secretsFile, startCommand } from "./commands";
import type { RemoteProcess } from "./remote-process";

/** Opens the runner's connection; problems a retry cannot fix (keys, host key) fail the job at once. */
export async function connectRemote(remote: RemoteProcess): Promise<void> {
  try {
    await remote.connect();
  } catch (error) {
    if (error instanceof RunnerError && !error.retryable) throw new NonRetryableError(error.message, { cause: error });
    throw error;
  }
}

/** Puts the runner program (and its requirements, which its messages point at) in the run dir. */
export async function uploadProgram(remote: RemoteProcess): Promise<void> {
  const programDir = path.resolve(env().RUNNER_PROGRAM_DIR);
  await remote.withLink((conn) => conn.uploadDir(path.join(programDir, "ftf_runner"), remote.path("runner/ftf_runner")));
  const requirements = path.join(programDir, "requirements.txt");
  if (fs.existsSync(requirements)) await remote.withLink((conn) => conn.uploadFile(requirements, remote.path("runner/requirements.txt")));
}

/**
 * Starts the runner program. The workspace's Hugging Face token goes to the box in a 0600
 * secrets.env that the start command reads and deletes at once (for gated base models).
 */
export async function startRemote(
  remote: RemoteProcess,
  python: string,
  command: "train" | "eval" | "merge",
  configFile: string,
  workspaceId: string,
  pidFile?: string,
): Promise<number> {
  const token = await readSecret(workspaceId, HF_TOKEN);
  await remote.withLink((conn) =>
    conn.writeFile(remote.path(SECRETS_FILE), secretsFile(token ? { HF_TOKEN: token, HUGGING_FACE_HUB_TOKEN: token } : {}), { mode: 0o600 }),
  );
  const started = await remote.exec(startCommand(remote.dir, python, command, configFile, pidFile));
  const pid = Number.parseInt(started.stdout.trim().split("\n").pop() ?? "", 10);
  if (started.code !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new RunnerError(
      `Could not start the runner on ${remote.runner.name}: ${(started.stderr || started.stdout).trim().slice(-500) || `exit code ${started.code}`}`,
      { kind: "command" },
    );
  }
  return pid;
}
