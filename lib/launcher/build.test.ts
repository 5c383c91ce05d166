import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sourceFingerprint } from "./build";

describe("sourceFingerprint", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-fingerprint-"));
  fs.mkdirSync(path.join(root, "app"));
  fs.writeFileSync(path.join(root, "app", "page.tsx"), "export default function Page() {}\n");
  fs.writeFileSync(path.join(root, "package-lock.json"), "{}\n");
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("ignores files that were touched but not changed (npm install, a fresh checkout)", () => {
    const before = sourceFingerprint(root);
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(path.join(root, "package-lock.json"), later, later);
    fs.utimesSync(path.join(root, "app", "page.tsx"), later, later);
    expect(sourceFingerprint(root)).toBe(before);
  });

  it("changes when a source's content changes, or a file is added", () => {
    const before = sourceFingerprint(root);
    fs.writeFileSync(path.join(root, "app", "page.tsx"), "export default function Page() { return null; }\n");
    const edited = sourceFingerprint(root);
    expect(edited).not.toBe(before);
    fs.writeFileSync(path.join(root, "app", "layout.tsx"), "");
    expect(sourceFingerprint(root)).not.toBe(edited);
  });
});
