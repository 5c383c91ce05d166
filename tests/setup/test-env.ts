// Per test file: its own database and storage folder, and fixed secrets.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { resetEnvCache } from "../../lib/env";
import { createTestDatabase } from "../support/postgres";

Object.assign(process.env, { NODE_ENV: "test" });
process.env.DATABASE_URL = await createTestDatabase(inject("pgServerUrl"));
process.env.AUTH_SECRET = "test-auth-secret-test-auth-secret-0123456789";
process.env.SECRET_KEY = Buffer.alloc(32, 7).toString("base64");
process.env.NEXTAUTH_URL = "http://localhost:3000";
process.env.STORAGE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-test-storage-"));
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "error";
// The fake LLM servers, Hub and sshd listen on loopback: allowed as an administrator would list
// them. Tests of the outbound policy itself set their own list.
process.env.OUTBOUND_ALLOW = "127.0.0.1,localhost,::1";
resetEnvCache();
