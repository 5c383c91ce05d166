// Browser tests look into the running app's own database and storage.
import { inject } from "vitest";
import { resetEnvCache } from "../../lib/env";

Object.assign(process.env, { NODE_ENV: "test" });
process.env.DATABASE_URL = inject("appDatabaseUrl");
process.env.STORAGE_DIR = inject("appStorageDir");
process.env.LOG_LEVEL = "error";
resetEnvCache();
