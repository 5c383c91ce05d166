import { describe, expect, it } from "vitest";
import { runnerInputSchema } from "./index";
import { pipIndexArgs } from "./package-index";

const base = { name: "box", kind: "ssh", host: "gpu.lan", username: "ubuntu" } as const;

describe("a runner's package index settings", () => {
  it("takes one URL or folder a line (as the form sends them) and turns them into pip's options", () => {
    const fields = runnerInputSchema.parse({
      ...base,
      packageIndexUrl: " file:///opt/pypi/simple ",
      extraIndexUrls: "https://download.pytorch.org/whl/cu128\n\n  file:///opt/pypi-more/simple",
      findLinks: "/opt/wheels ~/wheels",
    });
    expect(pipIndexArgs(fields)).toEqual([
      "--index-url",
      "file:///opt/pypi/simple",
      "--extra-index-url",
      "https://download.pytorch.org/whl/cu128",
      "--extra-index-url",
      "file:///opt/pypi-more/simple",
      "--find-links",
      "/opt/wheels",
      "--find-links",
      "~/wheels",
    ]);
    expect(pipIndexArgs(runnerInputSchema.parse(base))).toEqual([]);
  });

  it("refuses what pip would not read as an index or a wheel folder, naming the entry", () => {
    const problems = (input: Record<string, unknown>) =>
      runnerInputSchema.safeParse({ ...base, ...input }).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(problems({ packageIndexUrl: "mirror.lan/simple" })).toEqual([expect.stringMatching(/^packageIndexUrl: An http\(s\):\/\/ or file:\/\/ URL/)]);
    expect(problems({ extraIndexUrls: "https://ok.lan/simple ftp://old.lan/simple" })).toEqual([
      expect.stringMatching(/^extraIndexUrls: .* Not: ftp:\/\/old\.lan\/simple$/),
    ]);
    expect(problems({ findLinks: "wheels/" })).toEqual([expect.stringMatching(/^findLinks: .* Not: wheels\/$/)]);
    expect(problems({ findLinks: Array.from({ length: 9 }, (_, i) => `/w${i}`) })).toEqual(["findLinks: At most 8."]);
  });
});
