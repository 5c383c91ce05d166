// SSH keys for runners: a key pair generated here (the user adds the public half to the GPU
// box's authorized_keys), or a pasted private key; and host key fingerprints in OpenSSH's format.
import crypto from "node:crypto";
import ssh2, { type ParsedKey } from "ssh2";
import { RunnerError } from "./errors";

// ssh2 is CommonJS: Node's ESM loader (tsx in the worker) sees only a few of its named exports.
const { utils } = ssh2;

export type KeyPair = { privateKey: string; publicKey: string };

export function generateKeyPair(comment: string): KeyPair {
  // ssh2 writes a malformed private key (its key length one byte short) when the ed25519 public
  // key starts with a zero byte: about 1 key in 300, which neither ssh2 nor OpenSSH can read. Such
  // a key is made again; ten misses in a row would be a one in 10^25 event.
  for (let attempt = 0; attempt < 10; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519", { comment });
    if (!(utils.parseKey(pair.private) instanceof Error)) return { privateKey: pair.private, publicKey: pair.public.trim() };
  }
  throw new Error("Could not generate a readable ed25519 key pair.");
}

/** Pasted keys often come with CRLF line ends or stray indentation from a text field. */
export function normalizePrivateKey(privateKey: string): string {
  const lines = privateKey
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.trim());
  return `${lines.join("\n").trim()}\n`;
}

/** The parsed private key, or a RunnerError telling the user what is wrong with the pasted text. */
export function parsePrivateKey(privateKey: string): ParsedKey {
  const text = normalizePrivateKey(privateKey);
  const parsed = utils.parseKey(text) as ParsedKey | ParsedKey[] | Error;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key) {
    if (/passphrase|encrypted/i.test(String(key?.message))) {
      throw new RunnerError(
        "This private key is protected by a passphrase, which is not supported. Generate a key pair here instead, " +
          "or paste a copy of the key without its passphrase (`ssh-keygen -p -N '' -f <copy of the key>`).",
        { kind: "key", cause: key },
      );
    }
    throw new RunnerError("The private key could not be read. Paste the whole file, from the -----BEGIN … PRIVATE KEY----- line to the -----END … line.", {
      kind: "key",
      cause: key,
    });
  }
  if (!key.isPrivateKey()) {
    throw new RunnerError("This is a public key. Paste the private key (the file without .pub), or generate a key pair here.", { kind: "key" });
  }
  return key;
}

/** The OpenSSH one-line public key ("ssh-ed25519 AAAA… comment") of a private key. */
export function publicKeyFromPrivate(privateKey: string): string {
  const key = parsePrivateKey(privateKey);
  const line = `${key.type} ${key.getPublicSSH().toString("base64")}`;
  return key.comment ? `${line} ${key.comment}` : line;
}

function publicKeyBlob(publicKey: Buffer | string): Buffer {
  if (Buffer.isBuffer(publicKey)) return publicKey;
  const base64 = publicKey.trim().split(/\s+/)[1];
  if (!base64) throw new RunnerError('Not an OpenSSH public key line (expected "<type> <base64> [comment]").', { kind: "key" });
  return Buffer.from(base64, "base64");
}

/** OpenSSH's fingerprint ("SHA256:" + unpadded base64 of the SHA-256 of the key blob), as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicKey: Buffer | string): string {
  const digest = crypto.createHash("sha256").update(publicKeyBlob(publicKey)).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** The key type named at the start of a public key blob ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const length = blob.readUInt32BE(0);
  return length > 0 && length <= 64 && blob.length >= 4 + length ? blob.toString("latin1", 4, 4 + length) : "unknown";
}
