import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { summarizePipFailure } from "./pip-failure";

// Recorded on our machines with pip 23.2.1 and 26.2.1 (Python 3.11; one with pip 23.0.1 on
// Python 3.9) against the local package index (file:///opt/pypi/simple and /opt/pypi-more), a
// closed port (http://127.0.0.1:9), a 40 MB tmpfs, and an sdist whose setup.py fails.
const log = (name: string) => fs.readFileSync(path.resolve("tests/fixtures/pip", `${name}.log`), "utf8");

describe("summarizePipFailure", () => {
  it.each(["pip23", "pip26"])("names the missing version and what the index has (%s)", (pip) => {
    expect(summarizePipFailure(log(`version-missing-${pip}`))).toBe("torch 2.15.0 is not in this box's package index; available: 2.13.0+cpu, 2.14.1.");
  });

  it("says a package the index does not carry at all is missing", () => {
    expect(summarizePipFailure(log("package-missing-pip26"))).toBe(
      "bitsandbytes 0.50.2 is not in this box's package index (it has no version of it for this Python and platform).",
    );
  });

  it.each(["pip23", "pip26"])("blames the unreachable index, not the package (%s)", (pip) => {
    expect(summarizePipFailure(log(`unreachable-retry-${pip}`))).toBe("pip could not reach the package index http://127.0.0.1:9/simple (connection refused).");
  });

  it.each(["pip23", "pip26"])("quotes the conflict pip found (%s)", (pip) => {
    expect(summarizePipFailure(log(`resolution-${pip}`))).toBe(
      "the runner's packages need versions that conflict in this box's package index: The user requested huggingface-hub==2.0.0; transformers 4.57.6 depends on huggingface-hub<1.0 and >=0.34.0.",
    );
  });

  it.each(["pip23", "pip26"])("reports a full disk (%s)", (pip) => {
    expect(summarizePipFailure(log(`disk-full-${pip}`))).toMatch(/^the box ran out of disk space while pip installed the runner's packages/);
  });

  it("names the package that needs a newer Python", () => {
    expect(summarizePipFailure(log("requires-python-pip23-py39"))).toBe("transformers needs Python >=3.10.0, and the box's Python is 3.9.18.");
    expect(summarizePipFailure(log("requires-python-pip26"))).toBe("transformers needs Python >=3.10.0, and the box's Python is 3.9.0.");
  });

  it.each([
    ["pip23", "ftf_broken-1.0.tar.gz"],
    ["pip26", "ftf-broken"],
  ])("explains a source build that failed on the box (%s)", (pip, pkg) => {
    expect(summarizePipFailure(log(`build-failed-${pip}`))).toBe(
      `${pkg} has no prebuilt wheel for this box, and building it there failed (error: command 'nvcc' failed: No such file or directory).`,
    );
  });

  it("describes version ranges, keeps the newest of a long list, and falls back to pip's last error", () => {
    const versions = Array.from({ length: 12 }, (_, i) => `2.${i}.0`).join(", ");
    expect(summarizePipFailure(`ERROR: Could not find a version that satisfies the requirement torch<3,>=2.20 (from versions: ${versions})\n`)).toBe(
      "torch <3,>=2.20 is not in this box's package index; available: …, 2.4.0, 2.5.0, 2.6.0, 2.7.0, 2.8.0, 2.9.0, 2.10.0, 2.11.0.",
    );
    expect(summarizePipFailure("ERROR: Invalid requirement: 'torch>>2'\n")).toBe("pip failed: Invalid requirement: 'torch>>2'");
    expect(summarizePipFailure("", 137)).toBe("pip stopped with exit code 137 and no error message.");
  });
});
