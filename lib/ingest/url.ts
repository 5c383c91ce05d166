// Fetching a web page for import without becoming a proxy into the server's own network (SSRF).
// Every hop's host is resolved and checked, and the connection goes to the checked address
// itself, so a second DNS answer (rebinding) cannot redirect it. node:http is used rather than
// fetch() because fetch resolves the name again on its own. Behind the server's proxy the
// request still names the checked address (lib/net/proxy).
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Readable } from "node:stream";
import tls from "node:tls";
import zlib from "node:zlib";
import { uploadMaxBytes } from "@/lib/env";
import { outboundRefusal, refusalReason } from "@/lib/net/outbound";
import { authorityOf, openTunnel, ProxyConfigError, ProxyTunnelError, proxyAuthorization, proxyEndpoint, proxyFor } from "@/lib/net/proxy";
import { IngestError } from "./types";

export type FetchUrlOptions = {
  /** Let imports reach private, loopback and link-local addresses (an admin setting). */
  allowPrivate: boolean;
  /** Largest body accepted; defaults to the upload limit. */
  maxBytes?: number;
  /** For the whole fetch, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
};

export type FetchedUrl = { finalUrl: string; contentType: string; body: Buffer };

const ADMIN_HINT = "An administrator can allow private network addresses for URL imports.";

export { refusalReason } from "@/lib/net/outbound";

function refused(message: string): IngestError {
  return new IngestError("url_refused", message);
}

function failed(message: string): IngestError {
  return new IngestError("url_failed", message);
}

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused("This is not a valid web address. Enter a full link starting with http:// or https://.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused(`Only http:// and https:// links can be imported, not ${url.protocol.replace(/:$/, "")}.`);
  }
  return url;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The address to connect to; every address the name has must pass, or a later lookup could differ. */
async function checkedAddress(url: URL, allowPrivate: boolean, signal: AbortSignal): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      const found = await abortable(dns.promises.lookup(host, { all: true, verbatim: true }), signal);
      addresses = found.map((a) => a.address);
    } catch (error) {
      if (signal.aborted) throw error;
      throw failed(`The address ${host} could not be found. Check the link for typos.`);
    }
  }
  if (!addresses.length) throw failed(`The address ${host} could not be found. Check the link for typos.`);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  for (const address of addresses) {
    const reason = outboundRefusal(host, address, port, { allowPrivate });
    if (!reason) continue;
    const via = address === host ? "" : ` (${host} resolves to ${address})`;
    // No point sending people to an admin for an address that is refused regardless.
    const hint = refusalReason(address, true) ? "" : ` ${ADMIN_HINT}`;
    throw refused(`This link points to ${reason}${via}, which imports may not reach.${hint}`);
  }
  return addresses[0];
}

const REQUEST_HEADERS = {
  "user-agent": "FineTuneFlow document import",
  accept: "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.8",
  "accept-encoding": "gzip, deflate, br",
};

function targetPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** The certificate is checked against the name, though the socket goes to the address. */
function serverName(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return url.protocol === "https:" && !net.isIP(host) ? host : undefined;
}

function request(url: URL, address: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  const proxy = proxyFor(url);
  if (proxy) return proxiedRequest(url, address, proxy, signal);
  const secure = url.protocol === "https:";
  return sent(
    (secure ? https : http).request({
      host: address,
      port: targetPort(url),
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: { host: url.host, ...REQUEST_HEADERS },
      servername: serverName(url),
      agent: false,
      signal,
    }),
  );
}

function sent(req: http.ClientRequest): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
    req.end();
  });
}

/**
 * Through the server's proxy, still to the checked address (a second lookup by the proxy could
 * answer otherwise): http:// as an absolute-form request naming the address, https:// through a
 * CONNECT tunnel to the address with TLS to the name inside it.
 */
async function proxiedRequest(url: URL, address: string, proxy: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
  const authority = authorityOf(address, targetPort(url));
  if (url.protocol === "http:") {
    const { module, host, port } = proxyEndpoint(proxy);
    const auth = proxyAuthorization(proxy);
    return sent(
      module.request({
        host,
        port,
        method: "GET",
        path: `http://${authority}${url.pathname}${url.search}`,
        headers: { host: url.host, ...REQUEST_HEADERS, ...(auth ? { "proxy-authorization": auth } : {}) },
        agent: false,
        signal,
      }),
    ).catch((error: NodeJS.ErrnoException) => Promise.reject(new ProxyTunnelError(error.message, undefined, error.code)));
  }
  const socket = await openTunnel(proxy, authority, signal);
  const name = serverName(url);
  return sent(
    https.request({
      host: address,
      port: targetPort(url),
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: { host: url.host, ...REQUEST_HEADERS },
      agent: false,
      signal,
      createConnection: () => tls.connect({ socket, servername: name, host: name ?? address }),
    }),
  );
}

function decoded(response: http.IncomingMessage): Readable {
  switch ((response.headers["content-encoding"] ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return response.pipe(zlib.createGunzip());
    case "deflate":
      return response.pipe(zlib.createInflate());
    case "br":
      return response.pipe(zlib.createBrotliDecompress());
    default:
      return response;
  }
}

/** The body, decompressed, stopping as soon as it passes `maxBytes` (a small gzip can inflate a lot). */
async function readBody(response: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new IngestError("too_large", `The page is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`);
  if (Number(response.headers["content-length"] ?? 0) > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const stream = decoded(response);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw failed("The site sent a damaged or incomplete response. Try again later.");
  } finally {
    response.destroy();
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

function connectionFailure(error: unknown, url: URL): IngestError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
  const host = url.host;
  if (error instanceof ProxyTunnelError) {
    return error.status
      ? failed(`The server's proxy would not connect to ${host} (HTTP ${error.status}). Ask the administrator whether the proxy allows this site.`)
      : failed(`The server's proxy could not be reached (${error.code ?? error.message}). Ask the administrator to check HTTPS_PROXY/HTTP_PROXY.`);
  }
  if (error instanceof ProxyConfigError) return failed(error.message);
  if (code === "ECONNREFUSED") return failed(`${host} refused the connection. Check the link, or try again later.`);
  if (code === "ECONNRESET" || code === "EPIPE") return failed(`${host} closed the connection. Try again later.`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return failed(`${host} can't be reached from this server.`);
  if (/CERT|SSL|TLS|SELF_SIGNED/.test(code)) return failed(`${host} has an invalid HTTPS certificate, so the page was not fetched.`);
  return failed(`The page at ${host} could not be fetched. Check the link, or try again later.`);
}

/** Downloads `url`, following redirects with the same checks at every hop. */
export async function fetchUrl(rawUrl: string, options: FetchUrlOptions): Promise<FetchedUrl> {
  const maxBytes = options.maxBytes ?? uploadMaxBytes();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("timeout")), timeoutMs);
  let url = parseTarget(rawUrl);
  try {
    for (let redirects = 0; ; redirects++) {
      const address = await checkedAddress(url, options.allowPrivate, controller.signal);
      const response = await request(url, address, controller.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (redirects >= maxRedirects) throw failed(`The link redirected more than ${maxRedirects} times, so it was not followed.`);
        url = parseTarget(new URL(location, url).href);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        const login = status === 401 || status === 403 ? " The page may need a login, which imports can't provide." : "";
        throw failed(`The site answered with HTTP ${status}${response.statusMessage ? ` (${response.statusMessage})` : ""}.${login}`);
      }
      const body = await readBody(response, maxBytes);
      return { finalUrl: url.href, contentType: String(response.headers["content-type"] ?? ""), body };
    }
  } catch (error) {
    if (controller.signal.aborted) throw failed(`The site did not answer within ${+(timeoutMs / 1000).toFixed(1)} seconds.`);
    if (error instanceof IngestError) throw error;
    throw connectionFailure(error, url);
  } finally {
    clearTimeout(timer);
  }
}
