// Per test file: its own database and storage folder, and fixed secrets.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { resetEnvCache } from "../../lib/env";
import { createTestDatabase } from "../support/postgres";

Object.assign(process.env, { NODE_ENV: "test" });
process.env.DATABASE_URL = await createTestDatabase(inject("pgServerUrl"));
process.env.AUTH_SECRET = "test-auth-secret-test-auth-secret-0123456789";
process.env.SECRET_KEY = Buffer.alloc(32, 7).toString("base64");
process.env.NEXTAUTH_URL = "http://localhost:3000";
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-test-storage-"));
process.env.STORAGE_DIR = storageDir;
// Gone after the file's own clean-up (hooks registered here run last), also when vitest runs alone.
afterAll(() => fs.rmSync(storageDir, { recursive: true, force: true }));
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "error";
// The fake LLM servers, Hub and sshd listen on loopback: allowed as an administrator would list
// them. Tests of the outbound policy itself set their own list.
process.env.OUTBOUND_ALLOW = "127.0.0.1,localhost,::1";
resetEnvCache();
