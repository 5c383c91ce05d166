// Secret box: AES-256-GCM under SECRET_KEY. Sealed values are "v1.<iv>.<tag>.<ciphertext>"
// (base64url). Secrets are write-only: nothing decrypts them for the browser.
import crypto from "node:crypto";
import { ConfigError, env } from "@/lib/env";

function key(): Buffer {
  const configured = env().SECRET_KEY;
  if (!configured) {
    throw new ConfigError(
      "SECRET_KEY is not set. `npm start` generates one under storage/; when web and worker run on different machines, give both the same SECRET_KEY (32 random bytes, base64).",
    );
  }
  return Buffer.from(configured, "base64");
}

export function seal(plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
}

export function unseal(sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Not a sealed secret.");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** The last characters of a secret, to recognise it in the UI without revealing it. */
export function secretHint(plaintext: string): string {
  return plaintext.length <= 8 ? "••••" : `••••${plaintext.slice(-4)}`;
}

export function sha256Hex(value: string | Buffer): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/**
 * A fingerprint of a secret that can be stored and compared (two providers with the same key)
 * but not turned back into it or checked against a guess without SECRET_KEY.
 */
export function keyedFingerprint(secret: string): string {
  return crypto.createHmac("sha256", key()).update(secret).digest("hex").slice(0, 24);
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function generateSecretKey(): string {
  return crypto.randomBytes(32).toString("base64");
}
