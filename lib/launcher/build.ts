// `npm start` builds the web app when its sources changed since the last build.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const SOURCES = [
  "app",
  "components",
  "lib",
  "public",
  "next.config.ts",
  "proxy.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
  "prisma/schema.prisma",
];
const STAMP = path.resolve(".next/ftf-source-hash");

function walk(root: string, entry: string, hash: crypto.Hash): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return;
  }
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(entry).sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      walk(root, path.join(entry, name), hash);
    }
  } else {
    hash
      .update(`${path.relative(root, entry)}\0${stat.size}\0`)
      .update(fs.readFileSync(entry))
      .update("\0");
  }
}

/**
 * A fingerprint of the sources' paths and contents. Contents, not modification times: `npm
 * install` or a fresh checkout touches files without changing them, and must not cost a rebuild.
 */
export function sourceFingerprint(root = "."): string {
  const hash = crypto.createHash("sha256");
  for (const source of SOURCES) walk(root, path.join(root, source), hash);
  return hash.digest("hex");
}

/** Records that .next holds the build of the current sources (the Dockerfile calls it after its build). */
export function stampBuild(): void {
  fs.writeFileSync(STAMP, sourceFingerprint());
}

export async function buildIfNeeded(log: (message: string) => void, childEnv: NodeJS.ProcessEnv): Promise<void> {
  const fingerprint = sourceFingerprint();
  const built = fs.existsSync(".next/BUILD_ID") && fs.existsSync(STAMP) && fs.readFileSync(STAMP, "utf8") === fingerprint;
  if (built) return;
  log("Building the web app (first start or sources changed) …");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(path.resolve("node_modules/.bin/next"), ["build"], { stdio: "inherit", env: childEnv });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit code ${code}).`))));
  });
  fs.writeFileSync(STAMP, fingerprint);
}
