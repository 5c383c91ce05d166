// Prints the plain closing line "N passed, N failed, N skipped" that CI reads, and leaves the
// counts in tests/.artifacts/vitest-summary.json for tests/run.ts to add up.
import fs from "node:fs";
import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // A file that failed outside its tests (a beforeAll that threw, an import error) is a
      // failure even when every test in it counts as skipped.
      if (module.state() === "failed" && ![...module.children.allTests()].some((test) => test.result().state === "failed")) failed++;
    }
    console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
    const file = path.resolve("tests/.artifacts/vitest-summary.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
  }
}
