// Per unit-test file: fixed secrets and a storage folder, and a database address nothing listens
// on, so a test that reaches for the database fails at once (it belongs in *.db.test.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { resetEnvCache } from "../../lib/env";

Object.assign(process.env, { NODE_ENV: "test" });
process.env.DATABASE_URL = "postgresql://nobody@127.0.0.1:9/no-database-in-unit-tests";
process.env.AUTH_SECRET = "test-auth-secret-test-auth-secret-0123456789";
process.env.SECRET_KEY = Buffer.alloc(32, 7).toString("base64");
process.env.NEXTAUTH_URL = "http://localhost:3000";
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-unit-storage-"));
process.env.STORAGE_DIR = storageDir;
// Gone after the file's own clean-up (hooks registered here run last), also when vitest runs alone.
afterAll(() => fs.rmSync(storageDir, { recursive: true, force: true }));
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "error";
process.env.OUTBOUND_ALLOW = "127.0.0.1,localhost,::1";
resetEnvCache();
