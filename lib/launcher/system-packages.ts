// Debian packages the app and its tests drive (Tesseract for OCR; Chromium and OpenSSH for the
// browser and runner tests), installed with apt when they are missing and we are root. Another
// apt or dpkg (an unattended upgrade) may hold the lock: we wait for it, within bounds.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";

export type SystemPackage = { bin: string; pkg: string[] };

/** What OCR needs on the machine that runs the worker. */
export const OCR_PACKAGES: SystemPackage = { bin: "/usr/bin/tesseract", pkg: ["tesseract-ocr", "tesseract-ocr-eng"] };

export function missingPackages(wanted: SystemPackage[]): string[] {
  return wanted.filter((p) => !fs.existsSync(p.bin)).flatMap((p) => p.pkg);
}

/** Why apt cannot install here, or undefined when it can (root, apt-get present). */
export function aptUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  if (!fs.existsSync("/usr/bin/apt-get")) return "apt-get is not on this machine";
  return undefined;
}

const APT_ARGS = ["-o", "DPkg::Lock::Timeout=300"];
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };

/** Installs and waits (the test runner): true when apt-get succeeded, after an `apt-get update` retry. */
export function aptInstallSync(pkgs: string[]): boolean {
  const apt = (args: string[]) => spawnSync("apt-get", [...APT_ARGS, ...args], { stdio: "inherit", env: APT_ENV }).status === 0;
  const install = ["install", "-y", "--no-install-recommends", ...pkgs];
  if (apt(install)) return true;
  apt(["update"]);
  return apt(install);
}

/** Installs in the background (the launcher: starting the app does not wait); `done` gets the outcome. */
export function aptInstallInBackground(pkgs: string[], done: (ok: boolean, output: string) => void): void {
  const child = spawn("apt-get", [...APT_ARGS, "install", "-y", "--no-install-recommends", ...pkgs], { env: APT_ENV, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.on("error", (error) => done(false, error.message));
  child.on("close", (code) => done(code === 0, output));
  // The launcher may exit first; apt finishes on its own.
  child.unref();
}
