import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname);

// Every server the tests talk to listens on loopback: a proxy set in the shell or by CI would
// carry those requests away. Tests of the proxy support set their own (outbound-proxy.test.ts).
for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy"]) delete process.env[name];

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    // Vitest's default is one fewer than the cores: a single file at a time on a 2-core CI
    // machine, where most integration files wait on PostgreSQL, sshd, Python or a fake server
    // rather than compute. Two at a time took unit + integration from about 830 s to 680 s there.
    // (Browser and memory tests run one file at a time regardless.)
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // expect.poll waits 1 s unless told otherwise: a server action hashing a password took longer
    // on a machine running two suites at once. Polls end as soon as they pass.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        // Pure tests beside the code: no database, no queue, no browser; seconds to run.
        extends: true,
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["lib/**/*.test.ts", "worker/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/node_modules/**"],
          setupFiles: ["./tests/setup/unit-env.ts"],
          testTimeout: 30_000,
          pool: "forks",
        },
      },
      {
        // Tests on the real parts: the embedded PostgreSQL (a database per file), pg-boss, sshd.
        // Beside the code, such tests are named *.db.test.ts.
        extends: true,
        test: {
          name: "integration",
          sequence: { groupOrder: 0 },
          include: ["lib/**/*.db.test.ts", "worker/**/*.db.test.ts", "tests/integration/**/*.test.ts"],
          exclude: ["**/*-memory.db.test.ts", "**/node_modules/**"],
          globalSetup: ["./tests/setup/global-db.ts"],
          setupFiles: ["./tests/setup/test-env.ts", "./tests/setup/request-context.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
      {
        // Memory bounds on the real database (peak RSS while a large export streams), measured
        // after everything else, one file at a time: on a machine busy with other test files V8's
        // concurrent marking falls behind and the same export peaks 40 % higher.
        extends: true,
        test: {
          name: "memory",
          sequence: { groupOrder: 2 },
          include: ["lib/**/*-memory.db.test.ts"],
          globalSetup: ["./tests/setup/global-db.ts"],
          setupFiles: ["./tests/setup/test-env.ts", "./tests/setup/request-context.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          pool: "forks",
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          sequence: { groupOrder: 1 },
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["./tests/setup/global-db.ts", "./tests/setup/global-app.ts"],
          setupFiles: ["./tests/setup/e2e-env.ts"],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
          pool: "forks",
        },
      },
    ],
  },
});
