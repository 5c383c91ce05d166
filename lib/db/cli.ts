// npm run db:migrate | db:rollback [-- steps] | db:status | db:diff -- <name>
import path from "node:path";
import { ConfigError, env } from "@/lib/env";
import { authorMigration, scratchDir } from "./diff";
import { startEmbeddedPostgres } from "./embedded";
import { migrate, migrationStatus, rollback } from "./migrator";
import { ensureDatabase } from "./server";

const log = (message: string) => console.log(message);

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  if (command === "diff") {
    if (!arg) throw new Error("Usage: npm run db:diff -- <migration_name>");
    // The wasm schema engine needs some reachable database, even for datamodel diffs.
    const configured = env().DATABASE_URL;
    const scratch = configured
      ? undefined
      : await startEmbeddedPostgres({ dataDir: path.join(scratchDir("ftf-diff-"), "pg"), preferredPort: 0, ephemeral: true });
    try {
      const result = await authorMigration(configured ?? scratch!.url, arg);
      log("empty" in result ? "The schema matches the migrations: nothing to do." : `Wrote ${path.relative(process.cwd(), result.folder)}`);
    } finally {
      await scratch?.stop();
    }
    return;
  }
  const database = await ensureDatabase(log);
  // Behind a transaction pooler, schema changes go over the direct connection.
  const url = env().DATABASE_DIRECT_URL ?? database.url;
  try {
    if (command === "migrate") {
      const applied = await migrate(url, { log });
      if (applied.length === 0) log("The database is up to date.");
    } else if (command === "rollback") {
      const steps = arg ? Number(arg) : 1;
      if (!Number.isInteger(steps) || steps < 1) throw new Error("Steps must be a positive integer.");
      await rollback(url, { steps, log });
    } else if (command === "status") {
      const status = await migrationStatus(url);
      log(`Applied (${status.applied.length}):\n${status.applied.map((n) => `  ${n}`).join("\n")}`);
      log(`Pending (${status.pending.length}):\n${status.pending.map((n) => `  ${n}`).join("\n")}`);
    } else {
      throw new Error(`Unknown command "${command}". Use migrate, rollback, status or diff.`);
    }
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `Error: ${(error as Error).message}`);
  process.exit(1);
});
