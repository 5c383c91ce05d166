// Shell commands a training job runs on the box, and the run directory's paths. Everything
// interpolated into a command is quoted here, in one place.
import path from "node:path";
import { shellQuote } from "@/lib/runners/connection";

export const EVENTS_FILE = "events.jsonl";
export const STDERR_FILE = "stderr.log";
export const STDOUT_FILE = "stdout.log";
export const PID_FILE = "pid";
export const SECRETS_FILE = "secrets.env";

export { shellQuote };

export function runDir(workDir: string, runId: string): string {
  return path.posix.join(workDir, "runs", runId);
}

export function venvPython(workDir: string): string {
  return path.posix.join(workDir, "venv", "bin", "python");
}

/** `export NAME='value'` lines, sourced by the start command so tokens never show in `ps`. */
export function secretsFile(secrets: Record<string, string>): string {
  return Object.entries(secrets)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join("");
}

/**
 * Starts `python -m ftf_runner <command>` detached in its own session (its PID is its process
 * group, so cancel can signal the whole group), unless a live runner already holds the PID
 * file: a worker that died right after starting it must adopt it, not start a second one.
 * Prints the PID.
 */
export function startCommand(dir: string, python: string, command: "train" | "eval" | "merge", configFile: string, pidFile = PID_FILE): string {
  const q = shellQuote;
  return [
    `cd ${q(dir)}`,
    `if [ -f ${q(pidFile)} ] && ${aliveTest(`$(cat ${q(pidFile)})`)}; then rm -f ${SECRETS_FILE}; cat ${q(pidFile)}; exit 0; fi`,
    // The tokens live on only in the runner's environment: the file goes as soon as it is read.
    `if [ -f ${SECRETS_FILE} ]; then . ./${SECRETS_FILE}; fi`,
    `rm -f ${SECRETS_FILE}`,
    `PYTHONPATH=runner setsid nohup ${q(python)} -m ftf_runner ${command} --config ${q(configFile)} >>${STDOUT_FILE} 2>>${STDERR_FILE} </dev/null &`,
    `echo $! > ${q(pidFile)}`,
    `cat ${q(pidFile)}`,
  ].join("\n");
}

/** True when `pid` is a live ftf_runner process (not just any process that reused the number). */
function aliveTest(pid: string): string {
  return `tr '\\0' ' ' < /proc/${pid}/cmdline 2>/dev/null | grep -q ftf_runner`;
}

export function aliveCommand(pid: number): string {
  return `if ${aliveTest(String(pid))}; then echo alive; else echo dead; fi`;
}

/** Signals the runner's whole process group (the trainer and any data-loader children). */
export function signalCommand(pid: number, signal: "TERM" | "KILL"): string {
  return `kill -${signal} -- -${pid} 2>/dev/null || kill -${signal} ${pid} 2>/dev/null; true`;
}

/** The line between pip's two tries in the bootstrap's output: what follows it is the try that counted. */
export const RETRY_WITHOUT_CONSTRAINTS = "== FinetuneFlow: the tested versions (constraints.txt) did not install; trying requirements.txt's ranges alone ==";

export type BootstrapOptions = {
  /** Identifies what gets installed (requirements, constraints, index settings): a new key installs again. */
  key: string;
  /** pip's index options (unquoted). */
  pipArgs: string[];
  /** constraints.txt sits beside requirements.txt in the work dir. */
  constraints: boolean;
  /** Also install requirements-qlora.txt (bitsandbytes), where the box has an NVIDIA GPU. */
  qlora?: { key: string };
};

/**
 * Creates the box's venv and installs the requirements once per key; later runs find the marker
 * and skip it. pip tries the tested versions first and, when the box's index lacks one, the ranges
 * alone. Its output (both tries) is the command's stdout. Exit 3: no venv; 4: the requirements;
 * 5: the QLoRA extra.
 */
export function bootstrapCommand(workDir: string, options: BootstrapOptions): string {
  const q = shellQuote;
  // A wheel folder under ~ is the box user's home: the shell expands an unquoted leading ~/.
  const arg = (value: string) => (value.startsWith("~/") ? `~/${q(value.slice(2))}` : q(value));
  const pip = ["venv/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off", ...options.pipArgs.map(arg)].join(" ");
  const marker = `venv/.requirements-${options.key.slice(0, 16)}`;
  const install = options.constraints
    ? `{ ${pip} -r requirements.txt -c constraints.txt 2>&1 || { echo ${q(RETRY_WITHOUT_CONSTRAINTS)}; ${pip} -r requirements.txt 2>&1; }; } || exit 4`
    : `${pip} -r requirements.txt 2>&1 || exit 4`;
  const lines = [
    `cd ${q(workDir)}`,
    `if [ ! -f ${marker} ]; then`,
    `  if [ ! -x venv/bin/python ]; then python3 -m venv venv 2>&1 || exit 3; fi`,
    `  ${install}`,
    `  touch ${marker}`,
    `fi`,
  ];
  if (options.qlora) {
    const qloraMarker = `venv/.qlora-${options.qlora.key.slice(0, 16)}`;
    // Without a GPU the runner refuses QLoRA with its own message; bitsandbytes would not help.
    lines.push(
      `if [ ! -f ${qloraMarker} ] && command -v nvidia-smi >/dev/null 2>&1; then`,
      `  ${pip} -r requirements-qlora.txt 2>&1 || exit 5`,
      `  touch ${qloraMarker}`,
      `fi`,
    );
  }
  lines.push("echo ready");
  return lines.join("\n");
}
