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
export function startCommand(dir: string, python: string, command: "train" | "eval", configFile: string, pidFile = PID_FILE): string {
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

/**
 * Creates the box's venv and installs the pinned requirements once per requirements hash; later
 * runs find the marker and skip it.
 */
export function bootstrapCommand(workDir: string, requirementsHash: string): string {
  const q = shellQuote;
  const marker = `venv/.requirements-${requirementsHash.slice(0, 16)}`;
  return [
    `cd ${q(workDir)}`,
    `if [ -f ${marker} ]; then echo ready; exit 0; fi`,
    `if [ ! -x venv/bin/python ]; then python3 -m venv venv || exit 3; fi`,
    `venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt || exit 4`,
    `touch ${marker}`,
    `echo installed`,
  ].join("\n");
}
