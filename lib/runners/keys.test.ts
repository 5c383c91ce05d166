// Keys are checked against OpenSSH's own ssh-keygen: what we generate it reads, what it
// generates we read, and our fingerprints are the ones it prints.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunnerError } from "./errors";
import { fingerprintOf, generateKeyPair, keyTypeOf, publicKeyFromPrivate } from "./keys";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-keys-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sshKeygen(...args: string[]): string {
  return execFileSync("ssh-keygen", args, { encoding: "utf8" }).trim();
}

function keyFile(name: string, contents: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, contents, { mode: 0o600 });
  return file;
}

function keygen(name: string, type: string, passphrase = ""): string {
  const file = path.join(dir, name);
  sshKeygen("-q", "-t", type, "-N", passphrase, "-C", `${name}@test`, "-f", file);
  return file;
}

function expectKeyError(run: () => unknown, message: RegExp) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).kind).toBe("key");
    expect((error as RunnerError).message).toMatch(message);
    return;
  }
  throw new Error("expected a RunnerError");
}

describe("generateKeyPair", () => {
  it("makes an ed25519 pair that OpenSSH reads", () => {
    const pair = generateKeyPair("finetuneflow@acme");
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=* finetuneflow@acme$/);
    const derived = sshKeygen("-y", "-f", keyFile("generated", pair.privateKey));
    expect(derived.split(" ").slice(0, 2)).toEqual(pair.publicKey.split(" ").slice(0, 2));
  });

  it("every generated key can be read back (ssh2 writes about 1 in 300 ed25519 keys malformed; those are made again)", () => {
    for (let i = 0; i < 1500; i++) {
      const pair = generateKeyPair("loop");
      expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
    }
  });

  it("makes a new key every time", () => {
    expect(generateKeyPair("a").privateKey).not.toBe(generateKeyPair("a").privateKey);
  });
});

describe("publicKeyFromPrivate", () => {
  it("gives back the public half of a generated key, comment included", () => {
    const pair = generateKeyPair("me@here");
    expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
  });

  it.each(["ed25519", "ecdsa", "rsa"])("reads an %s key made by ssh-keygen", (type) => {
    const file = keygen(`user-${type}`, type);
    const fromOpenSsh = fs.readFileSync(`${file}.pub`, "utf8").trim();
    expect(publicKeyFromPrivate(fs.readFileSync(file, "utf8"))).toBe(fromOpenSsh);
  });

  it("accepts a key pasted with CRLF line ends, indentation and blank lines around it", () => {
    const pair = generateKeyPair("pasted");
    const mangled = `\r\n  ${pair.privateKey.trim().split("\n").join("\r\n  ")}\r\n\r\n`;
    expect(publicKeyFromPrivate(mangled)).toBe(pair.publicKey);
  });

  it("refuses a passphrase-protected key, saying so", () => {
    const file = keygen("locked", "ed25519", "secret passphrase");
    expectKeyError(() => publicKeyFromPrivate(fs.readFileSync(file, "utf8")), /passphrase/);
  });

  it("refuses a truncated or foreign text", () => {
    const { privateKey } = generateKeyPair("x");
    expectKeyError(() => publicKeyFromPrivate(privateKey.slice(0, 120)), /could not be read/);
    expectKeyError(() => publicKeyFromPrivate("hello"), /could not be read/);
  });

  it("refuses a public key pasted in the private key field", () => {
    expectKeyError(() => publicKeyFromPrivate(generateKeyPair("x").publicKey), /public key/);
  });
});

describe("fingerprintOf", () => {
  it("prints what ssh-keygen -lf prints, from the key line or its blob", () => {
    const file = keygen("fp", "ed25519");
    const line = fs.readFileSync(`${file}.pub`, "utf8").trim();
    const expected = sshKeygen("-lf", `${file}.pub`).split(" ")[1];
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintOf(line)).toBe(expected);
    expect(fingerprintOf(Buffer.from(line.split(" ")[1], "base64"))).toBe(expected);
  });

  it("reads the key type from a blob", () => {
    const { publicKey } = generateKeyPair("x");
    expect(keyTypeOf(Buffer.from(publicKey.split(" ")[1], "base64"))).toBe("ssh-ed25519");
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe("unknown");
  });
});
