import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname);

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    reporters: ["default", "./tests/support/summary-reporter.ts"],
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
