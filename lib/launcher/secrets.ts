// On one machine, the auth secret and the encryption key are generated on first start and
// kept under storage/.secrets (mode 600). Set AUTH_SECRET / SECRET_KEY to override.
import fs from "node:fs";
import path from "node:path";
import { generateSecretKey, randomToken } from "@/lib/crypto";
import { env, setProcessEnv, storageDir } from "@/lib/env";

function readOrCreate(file: string, create: () => string): string {
  try {
    const value = fs.readFileSync(file, "utf8").trim();
    if (value) return value;
  } catch {
    // first start
  }
  const value = create();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

export function ensureLocalSecrets(log: (message: string) => void): { authSecret: string; secretKey: string } {
  const dir = path.join(storageDir(), ".secrets");
  const e = env();
  const authSecret = e.AUTH_SECRET ?? readOrCreate(path.join(dir, "auth-secret"), () => randomToken(32));
  const secretKey =
    e.SECRET_KEY ??
    readOrCreate(path.join(dir, "secret-key"), () => {
      log(`Generated an encryption key for stored secrets in ${dir}. Back it up with the database.`);
      return generateSecretKey();
    });
  setProcessEnv("AUTH_SECRET", authSecret);
  setProcessEnv("SECRET_KEY", secretKey);
  return { authSecret, secretKey };
}
