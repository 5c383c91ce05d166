// npm run backup [-- <file.zip>]   writes one archive of this instance (default: backups/finetuneflow-<time>.zip)
// npm run restore -- <file.zip>     rebuilds an empty instance from one
// The database is DATABASE_URL's, or the embedded one under STORAGE_DIR (started, or reused while
// the app runs); objects go to and come from the configured storage (local folder or bucket).
import fs from "node:fs";
import path from "node:path";
import { ensureDatabase } from "@/lib/db/server";
import { ConfigError } from "@/lib/env";
import { createBackup, restoreBackup } from "./index";

const log = (message: string) => console.log(message);

async function main([command, file]: string[]): Promise<void> {
  if (command === "restore" && !file) throw new Error("Usage: npm run restore -- <backup.zip>");
  if (command !== "backup" && command !== "restore") throw new Error(`Unknown command "${command}". Use backup or restore.`);
  const database = await ensureDatabase(log);
  try {
    if (command === "backup") {
      const out = path.resolve(file ?? path.join("backups", `finetuneflow-${new Date().toISOString().replace(/[:.]/g, "-")}.zip`));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const manifest = await createBackup(out, { databaseUrl: database.url, log });
      const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
      log(`Wrote ${out}: ${rows} rows in ${manifest.tables.length} tables, ${manifest.objects.length} stored objects.`);
      log("Keep SECRET_KEY with it (your environment, or storage/.secrets): without it stored API keys and SSH keys cannot be decrypted.");
    } else {
      const manifest = await restoreBackup(path.resolve(file), { databaseUrl: database.url, log });
      log(
        `Restored the backup of ${manifest.created_at} (FineTuneFlow ${manifest.app_version}). Jobs that were running then are marked failed by the worker; retry them.`,
      );
    }
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `Error: ${(error as Error).message}`);
  process.exit(1);
});
