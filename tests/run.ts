// `npm test`: installs the system parts the tests drive (Chromium, OpenSSH server) when they
// are missing and we are root, builds (or finds) the runner's Python venv with torch,
// transformers and peft (tests/support/runner-venv.ts, cached outside the clone), type-checks,
// runs every vitest project (integration on the embedded PostgreSQL, then browser tests against
// the built app) and the Python runner's tests in that venv, then prints one closing line for
// the whole run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { aptInstallSync, aptUnavailable, missingPackages, OCR_PACKAGES } from "@/lib/launcher/system-packages";
import { ensureRunnerVenv } from "./support/runner-venv";

type Counts = { passed: number; failed: number; skipped: number };
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function step(title: string): void {
  console.log(`\n── ${title} ${"─".repeat(Math.max(0, 70 - title.length))}`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

function ensureSystemPackages(): void {
  const pkgs = missingPackages([
    { bin: "/usr/bin/chromium", pkg: ["chromium"] },
    { bin: "/usr/sbin/sshd", pkg: ["openssh-server"] },
    OCR_PACKAGES,
    // Debian's own server, for the split-deployment test (tests/e2e/split-deployment.test.ts).
    { bin: "/usr/lib/postgresql", pkg: ["postgresql"] },
  ]);
  if (pkgs.length === 0) return;
  const cannot = aptUnavailable();
  if (cannot) {
    console.error(`Missing system packages: ${pkgs.join(", ")} (${cannot}). Install them with: sudo apt-get install -y ${pkgs.join(" ")}`);
    broken = true;
    return;
  }
  step(`Installing ${pkgs.join(", ")} with apt`);
  if (!aptInstallSync(pkgs)) {
    console.error(`Could not install ${pkgs.join(", ")} with apt-get.`);
    broken = true;
  }
}

function readVitestCounts(): Counts | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.resolve("tests/.artifacts/vitest-summary.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** The runner's tests with its real libraries: a test that needs torch fails rather than skips. */
function pythonTests(python: string | undefined): void {
  const dir = path.resolve("worker/runner");
  if (!fs.existsSync(path.join(dir, "tests"))) return;
  step("Python runner tests");
  if (!python) {
    console.error("Skipped: the runner's venv could not be built (see above).");
    broken = true;
    return;
  }
  const result = spawnSync(python, ["-m", "unittest", "discover", "-s", "tests", "-t", "."], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, FTF_REQUIRE_TORCH: "1" },
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  const ran = Number(/Ran (\d+) tests?/.exec(result.stderr)?.[1] ?? 0);
  const failures = /FAILED \((.*)\)/.exec(result.stderr)?.[1] ?? "";
  const failed = [...failures.matchAll(/(?:failures|errors)=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  const skipped = Number(/skipped=(\d+)/.exec(result.stderr)?.[1] ?? 0);
  total.passed += ran - failed - skipped;
  total.failed += failed;
  total.skipped += skipped;
  if (result.status !== 0 && failed === 0) broken = true;
}

/**
 * In CI (`.ci/run` runs `npm install` first), the install must not have changed the committed
 * manifest or lockfile: a fresh clone's `npm install` leaves a clean tree.
 */
function checkInstallLeftTreeClean(): void {
  if (!process.env.CI || !fs.existsSync(".git")) return;
  step("Install left package.json and package-lock.json as committed");
  const status = spawnSync("git", ["status", "--porcelain", "--", "package.json", "package-lock.json", ".npmrc"], { encoding: "utf8" });
  if (status.status !== 0) return void console.log("git is not available here; not checked.");
  if (status.stdout.trim() === "") return void console.log("clean");
  console.error(`npm install changed committed files:\n${status.stdout}Commit the lockfile npm writes (npm install, then git add package-lock.json).`);
  broken = true;
}

checkInstallLeftTreeClean();
ensureSystemPackages();

// Every temporary folder of the run (databases, run dirs, downloads) goes under one, removed at
// the end, so a run leaves nothing behind. Readable by others: the embedded PostgreSQL runs as
// the postgres user when we are root.
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-test-run-"));
fs.chmodSync(runTmp, 0o755);
process.env.TMPDIR = runTmp;
process.on("exit", () => fs.rmSync(runTmp, { recursive: true, force: true }));

step("Runner venv (torch, transformers, peft)");
const started = Date.now();
const runnerPython = await ensureRunnerVenv().then(
  (python) => {
    console.log(`${python} (${Math.round((Date.now() - started) / 1000)} s)`);
    return python;
  },
  (error: Error) => {
    console.error(error.message);
    broken = true;
    return undefined;
  },
);

// `npm test -- <file or filter>` runs just those vitest files: a pure unit test in seconds.
const filtered = process.argv.length > 2;

if (!filtered) {
  step("Type check");
  if (run(path.resolve("node_modules/.bin/tsc"), ["--noEmit"]) !== 0) broken = true;
  step("Format, lint and dependency rules");
  if (run(path.resolve("node_modules/.bin/biome"), ["ci", "--error-on-warnings", "--reporter=summary"]) !== 0) broken = true;
  if (
    run(path.resolve("node_modules/.bin/depcruise"), [
      "app",
      "components",
      "lib",
      "worker",
      "bench",
      "tests",
      "--config",
      ".dependency-cruiser.cjs",
      "--output-type",
      "err",
    ]) !== 0
  )
    broken = true;
}

step("Vitest: unit, integration (embedded PostgreSQL, pg-boss, sshd) and browser tests");
fs.rmSync(path.resolve("tests/.artifacts/vitest-summary.json"), { force: true });
const vitestStatus = run(path.resolve("node_modules/.bin/vitest"), ["run", ...process.argv.slice(2)]);
const counts = readVitestCounts();
if (counts) {
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
if (vitestStatus !== 0 && (!counts || counts.failed === 0)) broken = true;

if (!filtered) pythonTests(runnerPython);

console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(broken || total.failed > 0 ? 1 : 0);
