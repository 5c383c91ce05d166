// The one outbound policy (ARCHITECTURE.md, Cross-cutting): every connection the server makes to an address a
// tenant typed — an LLM provider's base URL, a runner's SSH host, a URL source — goes through
// here. Public unicast addresses pass. Private, loopback and link-local ones pass only when the
// administrator lists them in OUTBOUND_ALLOW (the one-machine install lists its local Ollama);
// cloud metadata services never pass. A refusal is decided before any packet is sent, so it says
// nothing about whether something listens there, and redirects never leave the first host.
import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { type AllowEntry, parseHostEntry } from "./host-entry";
import { outboundFetch } from "./proxy";

/** Cloud instance-metadata services hand out credentials: refused even when listed. */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "fd00:ec2::254"]);

const RANGE_REASONS: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "this server itself (a loopback address)",
  carrierGradeNat: "a carrier-grade NAT address",
  private: "a private network address",
  uniqueLocal: "a private network address (IPv6 unique-local)",
  reserved: "a reserved address",
};

export class OutboundRefusedError extends AppError {
  constructor(message: string) {
    super("invalid_input", message);
    this.name = "OutboundRefusedError";
  }
}

/**
 * Why the server may not connect to `address` on its own account, or undefined when it may.
 * `allowPrivate` lifts the private/loopback rule (never the metadata one). IPv4-mapped IPv6 is
 * judged as the IPv4 it carries.
 */
export function refusalReason(address: string, allowPrivate = false): string | undefined {
  if (!ipaddr.isValid(address)) return "an invalid address";
  const ip = ipaddr.process(address);
  if (METADATA_ADDRESSES.has(ip.toString())) return "a cloud metadata service, which is never allowed";
  if (allowPrivate) return undefined;
  const range = ip.range();
  if (range !== "unicast") return RANGE_REASONS[range] ?? `a special-purpose address (${range})`;
  // IPv4-compatible IPv6 (::a.b.c.d) is deprecated but still carries an IPv4 address.
  if (ip instanceof ipaddr.IPv6 && ip.match(ipaddr.IPv6.parseCIDR("::/96"))) return "an IPv4-compatible IPv6 address";
  return undefined;
}

/** Parses OUTBOUND_ALLOW: `host`, `host:port`, `ip`, `ip:port`, `[v6]:port` or `cidr`, comma-separated. */
export function parseAllowList(raw: string | undefined): AllowEntry[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((item) => parseHostEntry(item) ?? []);
}

function listed(entries: AllowEntry[], host: string, address: string, port: number): boolean {
  const ip = ipaddr.process(address);
  return entries.some((entry) => {
    if (entry.port !== undefined && entry.port !== port) return false;
    if (entry.host) return entry.host === host.toLowerCase();
    const [range, bits] = entry.cidr!;
    return range.kind() === ip.kind() && ip.match(range as never, bits);
  });
}

/**
 * Why the server may not connect to host:port at `address` under the policy, or undefined when it
 * may: metadata services never; private and loopback ones only when listed (or `allowPrivate`).
 */
export function outboundRefusal(host: string, address: string, port: number, options: { allowPrivate?: boolean } = {}): string | undefined {
  const hard = refusalReason(address, true);
  if (hard) return hard;
  const soft = refusalReason(address);
  if (!soft || options.allowPrivate || listed(parseAllowList(env().OUTBOUND_ALLOW), host, address, port)) return undefined;
  return soft;
}

export type OutboundPurpose = "LLM provider" | "runner" | "URL import";

/**
 * The address to connect to for host:port, after every address the name resolves to passed the
 * policy (a later lookup could otherwise give another). Throws OutboundRefusedError.
 */
export async function checkOutbound(host: string, port: number, purpose: OutboundPurpose, options: { allowPrivate?: boolean } = {}): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (net.isIP(bare)) {
    addresses = [bare];
  } else {
    try {
      addresses = (await dns.promises.lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new OutboundRefusedError(`The address ${bare} could not be found. Check it for typos.`);
    }
  }
  if (addresses.length === 0) throw new OutboundRefusedError(`The address ${bare} could not be found. Check it for typos.`);
  for (const address of addresses) {
    const reason = cachedRefusal(bare, address, port, options);
    if (!reason) continue;
    const via = address === bare ? "" : ` (${bare} resolves to ${address})`;
    const hint = refusalReason(address, true) ? "" : " unless the server's administrator lists it in OUTBOUND_ALLOW";
    throw new OutboundRefusedError(`${bare}:${port}${via} is ${reason}, which a ${purpose} may not reach${hint}.`);
  }
  return addresses[0];
}

// The verdict on an address depends only on it, the port and the allow-list, so calls to the
// same LLM server (hundreds a second) reuse it instead of parsing addresses and the list again.
const verdicts = new Map<string, string | undefined>();
const VERDICTS_KEPT = 1024;

function cachedRefusal(host: string, address: string, port: number, options: { allowPrivate?: boolean }): string | undefined {
  const key = `${env().OUTBOUND_ALLOW ?? ""}|${options.allowPrivate ? 1 : 0}|${host}|${address}|${port}`;
  if (verdicts.has(key)) return verdicts.get(key);
  const reason = outboundRefusal(host, address, port, options);
  if (verdicts.size >= VERDICTS_KEPT) verdicts.clear();
  verdicts.set(key, reason);
  return reason;
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Checks a URL's scheme and target; returns the parsed URL. */
export async function checkOutboundUrl(raw: string | URL, purpose: OutboundPurpose): Promise<URL> {
  const url = new URL(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutboundRefusedError(`Only http:// and https:// addresses are allowed, not ${url.protocol}`);
  await checkOutbound(url.hostname, defaultPort(url), purpose);
  return url;
}

const MAX_REDIRECTS = 5;

/**
 * `fetch` under the policy: the target is checked before each request and redirects are followed
 * only within the same origin (checked again); a redirect elsewhere is an error, not a request.
 * Requests go through the server's proxy where HTTPS_PROXY/HTTP_PROXY say so (./proxy).
 */
export function policyFetch(purpose: OutboundPurpose, inner: typeof fetch = outboundFetch): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    let url = new URL(request ? request.url : String(input));
    const origin = url.origin;
    for (let hops = 0; ; hops++) {
      await checkOutboundUrl(url, purpose);
      const response = await inner(hops === 0 ? input : url, { ...init, redirect: "manual" });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
      if (!location) return response;
      await response.body?.cancel().catch(() => {});
      const next = new URL(location, url);
      if (next.origin !== origin) throw new OutboundRefusedError(`${origin} redirected to another host (${next.host}), which is not followed.`);
      if (hops >= MAX_REDIRECTS) throw new OutboundRefusedError(`${origin} redirected more than ${MAX_REDIRECTS} times.`);
      url = next;
    }
  };
}

const PROBES_PER_MINUTE = 10;
const probeLog = new Map<string, number[]>();

/**
 * Connection tests and host-key probes reach out on a person's request: at most 10 a minute per
 * person, so a settings form cannot be used to sweep a network. Kept in memory per web process.
 */
export function takeProbeSlot(userId: string, now = Date.now()): void {
  const recent = (probeLog.get(userId) ?? []).filter((at) => now - at < 60_000);
  if (recent.length >= PROBES_PER_MINUTE) {
    probeLog.set(userId, recent);
    throw new AppError("rate_limited", `At most ${PROBES_PER_MINUTE} connection tests a minute. Wait a moment and try again.`);
  }
  recent.push(now);
  probeLog.set(userId, recent);
}
