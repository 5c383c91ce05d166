import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "./node-version";

describe("the Node version check at start", () => {
  it("accepts 20.19 and newer, and names the need for older ones", () => {
    for (const v of ["v20.19.0", "v20.20.2", "v22.12.0", "v24.1.0"]) expect(nodeVersionProblem(v), v).toBeUndefined();
    expect(nodeVersionProblem("v20.18.3")).toBe("FineTuneFlow needs Node.js 20.19 or newer (22 LTS recommended); this is v20.18.3.");
    expect(nodeVersionProblem("v18.20.0")).toMatch(/needs Node\.js 20\.19/);
  });
});
