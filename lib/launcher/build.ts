// `npm start` builds the web app when its sources changed since the last build.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "public", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "prisma/schema.prisma"];
const STAMP = path.resolve(".next/ftf-source-hash");

function walk(entry: string, out: string[]): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return;
  }
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(entry).sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      walk(path.join(entry, name), out);
    }
  } else {
    out.push(`${entry}:${stat.size}:${stat.mtimeMs}`);
  }
}

/** A fingerprint of the sources (paths, sizes, modification times). */
export function sourceFingerprint(): string {
  const entries: string[] = [];
  for (const source of SOURCES) walk(source, entries);
  return crypto.createHash("sha256").update(entries.join("\n")).digest("hex");
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
