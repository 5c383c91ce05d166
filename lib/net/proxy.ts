// The corporate proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) for every outbound HTTP request: LLM
// providers, the Hub, Hub pushes and URL sources. The outbound policy (./outbound) still judges
// the target the tenant typed before anything is sent; the proxy only changes the road there.
// fetch-based callers use `outboundFetch`; the URL importer, which pins the checked address,
// tunnels to that address through the proxy itself (lib/ingest/url.ts).
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import ipaddr from "ipaddr.js";
import { ProxyAgent, fetch as undiciFetch } from "undici";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { parseHostEntry } from "./host-entry";

export type ProxySettings = { http?: string; https?: string; noProxy: string };

/** The proxy variables, lower-case spelling first (as curl reads them). */
export function proxySettings(): ProxySettings {
  const e = env();
  return { http: e.http_proxy ?? e.HTTP_PROXY, https: e.https_proxy ?? e.HTTPS_PROXY, noProxy: e.no_proxy ?? e.NO_PROXY ?? "" };
}

type Bypass = { any: true } | { suffix: string; port?: number } | { cidr: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number };

/** NO_PROXY entries, comma- or space-separated: `*`, `host`, `.domain`, `*.domain`, `host:port`, `ip`, `[v6]:port`, `cidr`. */
export function parseNoProxy(raw: string): Bypass[] {
  return raw
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .flatMap((item): Bypass[] => {
      if (item === "*") return [{ any: true }];
      // The same entries as OUTBOUND_ALLOW; a name also covers its subdomains.
      const entry = parseHostEntry(item);
      if (!entry) return [];
      if (entry.cidr) return [{ cidr: entry.cidr, port: entry.port }];
      return [{ suffix: entry.host!.replace(/^\*?\./, ""), port: entry.port }];
    });
}

function bypassed(entries: Bypass[], host: string, port: number): boolean {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  const ip = ipaddr.isValid(name) ? ipaddr.process(name) : undefined;
  return entries.some((entry) => {
    if ("any" in entry) return true;
    if (entry.port !== undefined && entry.port !== port) return false;
    if ("cidr" in entry) {
      const [range, bits] = entry.cidr;
      return ip !== undefined && range.kind() === ip.kind() && ip.match(range as never, bits);
    }
    // `example.com` covers example.com and its subdomains, as curl and Python read it.
    return name === entry.suffix || name.endsWith(`.${entry.suffix}`);
  });
}

export class ProxyConfigError extends AppError {
  constructor(message: string) {
    super("invalid_input", message);
    this.name = "ProxyConfigError";
  }
}

function parseProxy(raw: string, variable: string): URL {
  let url: URL;
  try {
    // curl accepts `host:port` without a scheme and reads it as http://.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ProxyConfigError(`The server's ${variable} (${raw}) is not a valid proxy address; its administrator must correct it.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ProxyConfigError(`The server's ${variable} uses ${url.protocol}//, but only http:// and https:// proxies are supported.`);
  return url;
}

/** The proxy a request to `target` goes through, or undefined to connect directly. */
export function proxyFor(target: URL, settings: ProxySettings = proxySettings()): URL | undefined {
  const secure = target.protocol === "https:";
  const raw = secure ? settings.https : settings.http;
  if (!raw) return undefined;
  const port = target.port ? Number(target.port) : secure ? 443 : 80;
  if (settings.noProxy && bypassed(parseNoProxy(settings.noProxy), target.hostname, port)) return undefined;
  return parseProxy(raw, secure ? "HTTPS_PROXY" : "HTTP_PROXY");
}

/** `Proxy-Authorization` for a proxy URL with credentials in it. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString("base64")}`;
}

/** The proxy refused the tunnel (`status`) or could not be reached (`code`). */
export class ProxyTunnelError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ProxyTunnelError";
  }
}

/** `host:port` for a request line, IPv6 bracketed. */
export function authorityOf(host: string, port: number | string): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return `${net.isIPv6(bare) ? `[${bare}]` : bare}:${port}`;
}

/** Where to reach the proxy itself, and with which module. */
export function proxyEndpoint(proxy: URL): { module: typeof http | typeof https; host: string; port: number } {
  const secure = proxy.protocol === "https:";
  return { module: secure ? https : http, host: proxy.hostname.replace(/^\[|\]$/g, ""), port: proxy.port ? Number(proxy.port) : secure ? 443 : 80 };
}

/** A raw socket to `authority` ("host:port") through the proxy's CONNECT tunnel. */
export function openTunnel(proxy: URL, authority: string, signal?: AbortSignal): Promise<net.Socket> {
  const { module, host, port } = proxyEndpoint(proxy);
  const auth = proxyAuthorization(proxy);
  return new Promise((resolve, reject) => {
    const connect = module.request({
      host,
      port,
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...(auth ? { "proxy-authorization": auth } : {}) },
      agent: false,
      signal,
    });
    connect.on("error", (error: NodeJS.ErrnoException) => reject(new ProxyTunnelError(error.message, undefined, error.code)));
    connect.on("connect", (answer, socket) => {
      if (answer.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new ProxyTunnelError(`The proxy answered HTTP ${answer.statusCode} to CONNECT ${authority}`, answer.statusCode));
    });
    connect.end();
  });
}

/**
 * An https.Agent for libraries built on node:https (next-auth's OpenID client): each connection
 * goes through HTTPS_PROXY's tunnel unless NO_PROXY names the host.
 */
export class ProxyTunnelAgent extends https.Agent {
  createConnection(options: http.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const port = options.port ?? 443;
    const host = options.host ?? "localhost";
    const tlsOptions = options as tls.ConnectionOptions;
    const proxy = proxyFor(new URL(`https://${authorityOf(host, port)}/`));
    if (!proxy) return tls.connect(tlsOptions);
    openTunnel(proxy, authorityOf(host, port)).then(
      (socket) => callback?.(null, tls.connect({ ...tlsOptions, socket })),
      (error: Error) => callback?.(error, undefined as never),
    );
    return undefined;
  }
}

const agents = new Map<string, ProxyAgent>();

function agentFor(proxy: URL): ProxyAgent {
  let agent = agents.get(proxy.href);
  if (!agent) {
    // http:// targets as absolute-form requests, https:// through CONNECT: most proxies only
    // tunnel to port 443.
    agent = new ProxyAgent({ uri: proxy.href, proxyTunnel: false });
    agents.set(proxy.href, agent);
  }
  return agent;
}

function requestUrl(input: Parameters<typeof fetch>[0]): URL {
  return new URL(input instanceof Request ? input.url : String(input));
}

/**
 * `fetch` that honours the proxy variables: requests to hosts outside NO_PROXY go through the
 * proxy (a CONNECT tunnel for https://), the rest directly with the platform's fetch.
 */
export const outboundFetch: typeof fetch = async (input, init) => {
  const proxy = proxyFor(requestUrl(input));
  if (!proxy) return fetch(input, init);
  // undici's own fetch takes the proxy agent; the platform's Request is not its class, so a
  // Request is passed as its parts.
  const parts =
    input instanceof Request
      ? { method: input.method, headers: input.headers, body: input.body, duplex: "half", signal: input.signal, redirect: input.redirect }
      : {};
  const url = input instanceof Request ? input.url : String(input);
  const response = await undiciFetch(url, { ...parts, ...(init as object), dispatcher: agentFor(proxy) } as never);
  return response as unknown as Response;
};
