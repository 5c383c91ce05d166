// Who is on the other end of a request. Browsers can send any X-Forwarded-For they like, so the
// web process believes it only as far as the administrator says proxies stand in front of it
// (TRUST_PROXY): with none, the socket's address is the client; with n, the n-th address from
// the right of the chain the proxies built. Next keeps a client's X-Forwarded-For as it came,
// so our web server (lib/launcher/web-server.ts) rewrites these headers before Next sees them,
// and the rest of the app reads one trusted X-Forwarded-For.
import type { IncomingHttpHeaders } from "node:http";

const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/** The client's address from the forwarded chain and the socket, believing `hops` proxies. */
export function clientAddress(forwardedFor: string | string[] | undefined, socketAddress: string | undefined, hops: number): string | undefined {
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const addresses = [...chain, ...(socketAddress ? [socketAddress] : [])];
  if (addresses.length === 0) return undefined;
  // The socket is the nearest proxy; each proxy appended the address it was reached from.
  const client = addresses[Math.max(0, addresses.length - 1 - hops)];
  return client.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1").slice(0, 64);
}

/** Rewrites a request's forwarded headers in place so that only believed values remain. */
export function normaliseForwardedHeaders(headers: IncomingHttpHeaders, socketAddress: string | undefined, hops: number): void {
  const client = clientAddress(headers["x-forwarded-for"], socketAddress, hops);
  if (hops === 0) for (const name of FORWARDED) delete headers[name];
  else delete headers["x-real-ip"];
  if (client) headers["x-forwarded-for"] = client;
  else delete headers["x-forwarded-for"];
}

/** The one trusted address in a request's headers (after normaliseForwardedHeaders), if any. */
export function addressFromHeaders(get: (name: string) => string | null | undefined): string | null {
  const forwarded = get("x-forwarded-for");
  return forwarded ? forwarded.split(",")[0].trim().slice(0, 64) || null : null;
}
