// Behind a corporate proxy: with HTTP_PROXY/HTTPS_PROXY set, URL imports, LLM provider calls,
// Hub lookups and Hub pushes go through it (recorded by a real proxy on loopback), NO_PROXY
// hosts go direct, and the outbound policy still refuses forbidden targets before the proxy
// hears of them.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveModelInfo } from "@/lib/base-models/info";
import { resetEnvCache } from "@/lib/env";
import { pushToHub } from "@/lib/hub/push";
import { fetchUrl } from "@/lib/ingest/url";
import { completeChat } from "@/lib/llm/call";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "../support/fake-llm";
import { type FakeHub, startFakeHub } from "../support/hf-hub-server";
import { type RecordingProxy, startRecordingProxy } from "../support/proxy-server";

const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
const HUB_TOKEN = "hf_proxy_test_token";

function setProxyEnv(values: Record<string, string>): void {
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  resetEnvCache();
}

let site: http.Server;
let siteUrl: string;
let llm: FakeLlm;
let hub: FakeHub;
let proxy: RecordingProxy;

beforeAll(async () => {
  site = http.createServer((req, res) => {
    if (req.url === "/moved") return void res.writeHead(302, { location: "/page" }).end();
    res.writeHead(200, { "content-type": "text/html" }).end(`<html><body><h1>Boilers</h1><p>Served for ${req.headers.host}</p></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  llm = await startFakeLlm();
  hub = await startFakeHub({ tokens: [HUB_TOKEN] });
});

afterAll(async () => {
  setProxyEnv({});
  await Promise.all([new Promise((resolve) => site.close(resolve)), llm.stop(), hub.stop()]);
});

afterEach(async () => {
  setProxyEnv({});
  await proxy?.close();
});

describe("URL imports behind the proxy", () => {
  it("go through HTTP_PROXY to the checked address, redirects included, with the proxy's credentials", async () => {
    proxy = await startRecordingProxy({ credentials: "corp:s3cret" });
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = "corp";
    proxyUrl.password = "s3cret";
    setProxyEnv({ HTTP_PROXY: proxyUrl.href });
    const port = new URL(siteUrl).port;
    const fetched = await fetchUrl(`http://localhost:${port}/moved`, { allowPrivate: true });
    expect(fetched.body.toString()).toContain(`Served for localhost:${port}`);
    expect(fetched.finalUrl).toBe(`http://localhost:${port}/page`);
    // Absolute-form requests naming the address the policy checked, not the name again.
    expect(proxy.requests.map((r) => [r.method, r.target])).toEqual([
      ["GET", `http://127.0.0.1:${port}/moved`],
      ["GET", `http://127.0.0.1:${port}/page`],
    ]);
    expect(proxy.requests[0].authorization).toBe(`Basic ${Buffer.from("corp:s3cret").toString("base64")}`);
  });

  it("tunnel https:// with CONNECT to the checked address, TLS to the name inside the tunnel", async () => {
    proxy = await startRecordingProxy();
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    // The plain-HTTP site cannot speak TLS: the tunnel is proven by where the CONNECT went.
    const port = new URL(siteUrl).port;
    await expect(fetchUrl(`https://localhost:${port}/page`, { allowPrivate: true, timeoutMs: 5_000 })).rejects.toThrow(/localhost/);
    expect(proxy.requests).toEqual([expect.objectContaining({ method: "CONNECT", target: `127.0.0.1:${port}` })]);
  });

  it("NO_PROXY hosts connect directly", async () => {
    proxy = await startRecordingProxy();
    setProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "example.org, localhost" });
    const port = new URL(siteUrl).port;
    const fetched = await fetchUrl(`http://localhost:${port}/page`, { allowPrivate: true });
    expect(fetched.body.toString()).toContain("Boilers");
    expect(proxy.requests).toEqual([]);
  });

  it("the policy refuses metadata and private targets before the proxy hears of them", async () => {
    proxy = await startRecordingProxy();
    setProxyEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    await expect(fetchUrl("http://169.254.169.254/latest/meta-data/", { allowPrivate: true })).rejects.toThrow(/cloud metadata/);
    await expect(fetchUrl("http://10.255.255.1/page", { allowPrivate: false })).rejects.toThrow(/private network address/);
    expect(proxy.requests).toEqual([]);
  });

  it("says when the proxy refuses a site or cannot be reached", async () => {
    proxy = await startRecordingProxy({ refuse: () => true });
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    const port = new URL(siteUrl).port;
    await expect(fetchUrl(`https://127.0.0.1:${port}/page`, { allowPrivate: true })).rejects.toThrow(
      /server's proxy would not connect to 127\.0\.0\.1:\d+ \(HTTP 403\)/,
    );
    await proxy.close();
    setProxyEnv({ HTTP_PROXY: proxy.url });
    await expect(fetchUrl(`${siteUrl}/page`, { allowPrivate: true })).rejects.toThrow(/server's proxy could not be reached \(ECONNREFUSED\)/);
  });
});

describe("LLM providers and the Hub behind the proxy", () => {
  it("an OpenAI-compatible provider's calls go through the proxy; the policy still applies", async () => {
    proxy = await startRecordingProxy();
    setProxyEnv({ HTTP_PROXY: proxy.url });
    const provider = {
      id: crypto.randomUUID(),
      kind: "openai" as const,
      baseUrl: fakeBaseUrl(llm, "openai"),
      defaultModel: "fake-model",
      apiKeyEncrypted: null,
      options: { concurrency: 1 },
    };
    const result = await completeChat(provider, [{ role: "user", content: "Say something about boilers." }]);
    expect(result.text.length).toBeGreaterThan(0);
    expect(proxy.requests).toEqual([expect.objectContaining({ method: "POST", target: `${fakeBaseUrl(llm, "openai")}/chat/completions` })]);

    const before = proxy.requests.length;
    const refused = { ...provider, id: crypto.randomUUID(), baseUrl: "http://169.254.169.254/v1" };
    await expect(completeChat(refused, [{ role: "user", content: "hi" }])).rejects.toThrow(/metadata/);
    expect(proxy.requests).toHaveLength(before);
  });

  it("Hub lookups and pushes go through the proxy", async () => {
    proxy = await startRecordingProxy();
    setProxyEnv({ HTTP_PROXY: proxy.url });
    const info = await resolveModelInfo("TinyLlama/TinyLlama-1.1B-Chat-v1.0", { endpoint: hub.url });
    expect(info.model_type).toBe("llama");
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.every((r) => r.target.startsWith(`${hub.url}/`))).toBe(true);

    const seen = proxy.requests.length;
    const pushed = await pushToHub({
      repo: "fake-user/proxied-adapter",
      repoType: "model",
      private: true,
      token: HUB_TOKEN,
      endpoint: hub.url,
      files: [
        { path: "README.md", content: new Blob(["# Pushed through the proxy\n"]) },
        { path: "adapter_model.safetensors", content: new Blob([Buffer.alloc(64 * 1024, 1)]) },
      ],
      commitMessage: "Upload through the proxy",
    });
    expect(pushed.created).toBe(true);
    expect(
      hub.commits
        .at(-1)
        ?.files.map((f) => f.path)
        .sort(),
    ).toEqual(["README.md", "adapter_model.safetensors"]);
    const pushRequests = proxy.requests.slice(seen);
    expect(pushRequests.some((r) => r.method === "POST" && r.target.includes("/api/repos/create"))).toBe(true);
    expect(pushRequests.some((r) => r.method === "POST" && r.target.includes("/commit/"))).toBe(true);
  });
});

describe("sign-in providers behind the proxy", () => {
  it("GitHub's and an https OIDC issuer's calls tunnel through HTTPS_PROXY; NO_PROXY hosts go direct", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-proxy-tls-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1"].concat([
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ]),
      { stdio: "ignore" },
    );
    const ca = fs.readFileSync(`${dir}/cert.pem`);
    const idp = https.createServer({ key: fs.readFileSync(`${dir}/key.pem`), cert: ca }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: "https://localhost" }));
    });
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    const port = (idp.address() as AddressInfo).port;
    proxy = await startRecordingProxy();
    const { authOptions } = await import("@/lib/auth/options");
    const get = (agent: https.Agent) =>
      new Promise<string>((resolve, reject) => {
        https
          .get({ host: "localhost", port, path: "/.well-known/openid-configuration", agent, ca }, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve(body));
          })
          .on("error", reject);
      });
    try {
      setProxyEnv({
        HTTPS_PROXY: proxy.url,
        GITHUB_CLIENT_ID: "gh",
        GITHUB_CLIENT_SECRET: "gh-secret",
        OIDC_ISSUER: "https://sso.example/realms/acme",
        OIDC_CLIENT_ID: "ftf",
        OIDC_CLIENT_SECRET: "s",
      });
      // next-auth merges a built-in provider's `options` over it, as it does at sign-in.
      type Provider = { id: string; httpOptions?: { agent?: https.Agent }; options?: { httpOptions?: { agent?: https.Agent } } };
      const agentOf = (id: string) => {
        const provider = (authOptions().providers as Provider[]).find((p) => p.id === id);
        return (provider?.options?.httpOptions ?? provider?.httpOptions)?.agent;
      };
      const agent = agentOf("github");
      expect(agent).toBeInstanceOf(https.Agent);
      expect(agentOf("oidc")).toBe(agent);
      expect(JSON.parse(await get(agent as https.Agent))).toEqual({ issuer: "https://localhost" });
      expect(proxy.requests).toEqual([expect.objectContaining({ method: "CONNECT", target: `localhost:${port}` })]);

      setProxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "localhost", GITHUB_CLIENT_ID: "gh", GITHUB_CLIENT_SECRET: "gh-secret" });
      await get(new (await import("@/lib/net/proxy")).ProxyTunnelAgent());
      expect(proxy.requests).toHaveLength(1);
    } finally {
      for (const name of ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]) delete process.env[name];
      await new Promise((resolve) => idp.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
