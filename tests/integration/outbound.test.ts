// Issue 13, findings 1–3, tried as a tenant would: a "This server" runner pointed at any path or
// program, provider URLs and runner hosts aimed into the server's own network, a redirect to
// another host, a failed test echoing a body, and a base-URL change that would carry a stored
// key to a listener. Each must fail to get through.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireWorkspace, type WorkspaceContext } from "@/lib/access/guard";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { db } from "@/lib/db/client";
import { resetEnvCache, storageDir } from "@/lib/env";
import { createProvider, loadProviderRecord, testConnection, updateProvider } from "@/lib/llm";
import { scrub } from "@/lib/llm/errors";
import { checkOutbound, OutboundRefusedError, policyFetch, takeProbeSlot } from "@/lib/net/outbound";
import { SECRETS_FILE, secretsFile, startCommand } from "@/lib/runner-program/commands";
import { createRunner, ensureLocalRunner, getRunner, updateRunner } from "@/lib/runners";
import { probeHostKey } from "@/lib/runners/ssh-connection";
import { createUser, createWorkspaceFor } from "../support/fixtures";

type Listener = { server: http.Server; port: number; requests: Array<{ url: string; authorization?: string }> };

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Listener> {
  const requests: Listener["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as net.AddressInfo).port, requests };
}

const listeners: Listener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => new Promise((resolve) => l.server.close(resolve))));
});

function withEnv(values: Record<string, string | undefined>) {
  const before: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [key, value] of Object.entries(values)) {
      before[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetEnvCache();
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetEnvCache();
  });
}

async function workspaceOf(label: string): Promise<WorkspaceContext> {
  const user = await createUser(label);
  const workspace = await createWorkspaceFor(user, `${label} space`);
  return requireWorkspace(user, { id: workspace.id }, "settings.manage");
}

describe("the outbound policy with no administrator's list", () => {
  withEnv({ OUTBOUND_ALLOW: "" });

  it("refuses loopback, private and metadata targets before connecting, and passes public ones", async () => {
    for (const [host, port] of [
      ["127.0.0.1", 11434],
      ["localhost", 22],
      ["10.1.2.3", 8000],
      ["::1", 22],
      ["169.254.169.254", 80],
    ] as const) {
      await expect(checkOutbound(host, port, "LLM provider")).rejects.toBeInstanceOf(OutboundRefusedError);
    }
    await expect(checkOutbound("93.184.216.34", 443, "LLM provider")).resolves.toBe("93.184.216.34");
  });

  it("a provider's Test against a loopback URL is refused, and the listener is never called", async () => {
    const listener = await listen((_req, res) => res.end("{}"));
    listeners.push(listener);
    const ctx = await workspaceOf("ssrf");
    const provider = await createProvider(ctx, { name: "Loop", kind: "openai", baseUrl: `http://127.0.0.1:${listener.port}/v1`, apiKey: "sk-never-sent-123" });
    const result = await testConnection(await loadProviderRecord(ctx.workspace.id, provider.id));
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("OUTBOUND_ALLOW") });
    expect(listener.requests).toEqual([]);
  });

  it("an SSH probe gives the same answer for an open and a closed loopback port, without connecting", async () => {
    let connections = 0;
    const open = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => open.listen(0, "127.0.0.1", resolve));
    const openPort = (open.address() as net.AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const answer = async (port: number) => {
      const error = await probeHostKey({ host: "127.0.0.1", port }).then(
        () => null,
        (e: Error) => e,
      );
      return error?.message.replace(String(port), "PORT");
    };
    const [a, b] = [await answer(openPort), await answer(closedPort)];
    expect(a).toContain("OUTBOUND_ALLOW");
    expect(a).toBe(b);
    expect(connections).toBe(0);
    await new Promise((resolve) => open.close(resolve));
  });
});

describe("the outbound policy with an administrator's list", () => {
  it("allows exactly the listed host and port, never a metadata address", async () => {
    process.env.OUTBOUND_ALLOW = "127.0.0.1:11434,10.0.0.0/8,169.254.169.254";
    resetEnvCache();
    try {
      await expect(checkOutbound("127.0.0.1", 11434, "LLM provider")).resolves.toBe("127.0.0.1");
      await expect(checkOutbound("127.0.0.1", 11435, "LLM provider")).rejects.toBeInstanceOf(OutboundRefusedError);
      await expect(checkOutbound("10.9.8.7", 22, "runner")).resolves.toBe("10.9.8.7");
      await expect(checkOutbound("169.254.169.254", 80, "LLM provider")).rejects.toThrow(/metadata/);
    } finally {
      process.env.OUTBOUND_ALLOW = "127.0.0.1,localhost,::1";
      resetEnvCache();
    }
  });

  it("follows a redirect within the same origin and refuses one to another host", async () => {
    const target = await listen((_req, res) => res.end("should never be read"));
    const source = await listen((req, res) => {
      if (req.url === "/same") return res.writeHead(302, { location: "/final" }).end();
      if (req.url === "/final") return res.end("final");
      res.writeHead(302, { location: `http://localhost:${target.port}/elsewhere` }).end();
    });
    listeners.push(target, source);
    const guarded = policyFetch("LLM provider");
    expect(await (await guarded(`http://127.0.0.1:${source.port}/same`)).text()).toBe("final");
    await expect(guarded(`http://127.0.0.1:${source.port}/away`)).rejects.toThrow(/redirected to another host/);
    expect(target.requests).toEqual([]);
  });

  it("a failed provider Test shows the status, never the body", async () => {
    const listener = await listen((_req, res) => res.writeHead(500).end("internal page: db password hunter2"));
    listeners.push(listener);
    const ctx = await workspaceOf("body");
    const provider = await createProvider(ctx, { name: "Echo", kind: "openai", baseUrl: `http://127.0.0.1:${listener.port}/v1` });
    const result = await testConnection(await loadProviderRecord(ctx.workspace.id, provider.id));
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain("500");
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });

  it("connection tests and probes are limited to 10 a minute per person", () => {
    const user = `probe-${Math.random()}`;
    for (let i = 0; i < 10; i++) takeProbeSlot(user, 1_000_000 + i);
    expect(() => takeProbeSlot(user, 1_000_020)).toThrow(/At most 10/);
    expect(() => takeProbeSlot(user, 1_000_000 + 61_000)).not.toThrow();
  });
});

describe("secrets stay where they were entered", () => {
  it("changing a provider's base URL needs the key again; the new address never receives the stored key", async () => {
    const listener = await listen((_req, res) => res.end(JSON.stringify({ data: [] })));
    listeners.push(listener);
    const ctx = await workspaceOf("rekey");
    const provider = await createProvider(ctx, { name: "Real", kind: "openai", baseUrl: "https://api.example.invalid/v1", apiKey: "sk-stored-secret-42" });
    await expect(updateProvider(ctx, provider.id, { name: "Real", kind: "openai", baseUrl: `http://127.0.0.1:${listener.port}/v1` })).rejects.toMatchObject({
      code: "invalid_input",
      fieldErrors: { apiKey: expect.stringContaining("again") },
    });
    const stored = await loadProviderRecord(ctx.workspace.id, provider.id);
    expect(stored.baseUrl).toBe("https://api.example.invalid/v1");
    // With a new key the move is fine, and only that key travels.
    await updateProvider(ctx, provider.id, {
      name: "Real",
      kind: "openai",
      baseUrl: `http://127.0.0.1:${listener.port}/v1`,
      apiKey: "sk-new-key-for-listener",
    });
    await testConnection(await loadProviderRecord(ctx.workspace.id, provider.id));
    expect(listener.requests.map((r) => r.authorization)).toEqual(["Bearer sk-new-key-for-listener"]);
  });

  it("moving an SSH runner to another host without a pasted key gives it a new key pair", async () => {
    const ctx = await workspaceOf("runner-move");
    const runner = await createRunner(ctx, { name: "Box", kind: "ssh", host: "gpu.example.com", username: "ml" });
    const moved = await updateRunner(ctx, runner.id, { name: "Box", kind: "ssh", host: "listener.example.net", username: "ml" });
    expect(moved.publicKey).not.toBe(runner.publicKey);
    const renamed = await updateRunner(ctx, runner.id, { name: "Box 2", kind: "ssh", host: "listener.example.net", username: "ml" });
    expect(renamed.publicKey).toBe(moved.publicKey);
  });

  it("redaction covers the key in base64 (Basic auth too), hex and URL-encoded forms", () => {
    const key = "sk-live/abc+def=ghi:123";
    const echoed = [
      `token=${key}`,
      `b64=${Buffer.from(key).toString("base64")}`,
      `basic=${Buffer.from(`user:${key}`).toString("base64")}`,
      `hex=${Buffer.from(key).toString("hex")}`,
      `url=${encodeURIComponent(key)}`,
    ].join(" ");
    const out = scrub(echoed, key);
    expect(out).not.toContain(key);
    expect(out).not.toContain(Buffer.from(key).toString("base64").slice(0, 16));
    expect(out).not.toContain(Buffer.from(key).toString("hex").slice(0, 16));
    expect(out).not.toContain(encodeURIComponent(key));
    expect(out).not.toContain(Buffer.from(`user:${key}`).toString("base64").slice(8, 24));
  });
});

describe('"This server" runners belong to the instance administrator', () => {
  withEnv({ ALLOW_LOCAL_RUNNERS: "true", ADMIN_EMAILS: undefined, LOCAL_RUNNER_PYTHONS: undefined });

  it("the first account is the administrator unless ADMIN_EMAILS names others", async () => {
    const first = await db.user.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const later = await createUser("later");
    expect(await isInstanceAdmin(first!)).toBe(true);
    expect(await isInstanceAdmin(later)).toBe(false);
    process.env.ADMIN_EMAILS = `someone@example.com, ${later.email.toUpperCase()}`;
    resetEnvCache();
    try {
      expect(await isInstanceAdmin(later)).toBe(true);
      expect(await isInstanceAdmin(first!)).toBe(false);
    } finally {
      delete process.env.ADMIN_EMAILS;
      resetEnvCache();
    }
  });

  it("a tenant who signed up cannot add one, whatever path or program they name", async () => {
    await createUser("first-account"); // someone else signed up first
    const ctx = await workspaceOf("tenant");
    const marker = path.join(os.tmpdir(), `ftf-attack-${process.pid}`);
    for (const attempt of [
      { name: "This server", kind: "local" as const },
      { name: "Pwn", kind: "local" as const, workDir: marker, pythonPath: "/bin/sh" },
    ]) {
      await expect(createRunner(ctx, attempt)).rejects.toMatchObject({ code: "forbidden" });
    }
    await ensureLocalRunner(ctx);
    expect(await db.runner.count({ where: { workspaceId: ctx.workspace.id } })).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it("the administrator's runner works in the app's storage, with the app's Python or an allowed one", async () => {
    const admin = await db.user.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const workspace = await createWorkspaceFor({ id: admin!.id, email: admin!.email, name: admin!.name ?? "" }, "Admin space");
    const ctx = await requireWorkspace({ id: admin!.id, email: admin!.email, name: admin!.name }, { id: workspace.id }, "settings.manage");
    await expect(createRunner(ctx, { name: "Shell", kind: "local", pythonPath: "/bin/sh" })).rejects.toMatchObject({
      fieldErrors: { pythonPath: expect.any(String) },
    });
    const runner = await createRunner(ctx, { name: "This server", kind: "local", workDir: "/etc" });
    expect(runner.workDir).toBe(path.join(storageDir(), "runners", workspace.id));
    process.env.LOCAL_RUNNER_PYTHONS = "/usr/bin/python3";
    resetEnvCache();
    try {
      const updated = await updateRunner(ctx, runner.id, { name: "This server", kind: "local", pythonPath: "/usr/bin/python3", workDir: "/root" });
      expect(updated).toMatchObject({ pythonPath: "/usr/bin/python3", workDir: runner.workDir });
    } finally {
      delete process.env.LOCAL_RUNNER_PYTHONS;
      resetEnvCache();
    }
    expect((await getRunner(ctx, runner.id)).workDir).toBe(runner.workDir);
  });
});

describe("secrets.env", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("is read by the runner's start and deleted at once; the runner still has the token", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-secrets-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "runner", "ftf_runner"), { recursive: true });
    // A stand-in runner program that records the token it was started with.
    fs.writeFileSync(path.join(dir, "runner", "ftf_runner", "__init__.py"), "");
    fs.writeFileSync(
      path.join(dir, "runner", "ftf_runner", "__main__.py"),
      "import os, pathlib\npathlib.Path('seen-token').write_text(os.environ.get('HF_TOKEN', ''))\n",
    );
    fs.writeFileSync(path.join(dir, "config.json"), "{}");
    fs.writeFileSync(path.join(dir, SECRETS_FILE), secretsFile({ HF_TOKEN: "hf_secret_value" }), { mode: 0o600 });
    const started = spawnSync("bash", ["-c", startCommand(dir, "python3", "train", "config.json")], { encoding: "utf8" });
    expect(started.status).toBe(0);
    expect(fs.existsSync(path.join(dir, SECRETS_FILE))).toBe(false);
    const seen = path.join(dir, "seen-token");
    for (let i = 0; i < 200 && !(fs.existsSync(seen) && fs.readFileSync(seen, "utf8")); i++) spawnSync("sleep", ["0.05"]);
    expect(fs.readFileSync(seen, "utf8")).toBe("hf_secret_value");
  });
});
