// Only 127.0.0.1 is ever contacted: other addresses must be refused before any connection, and
// the one test that follows a public-looking address reroutes its socket to the local server.
import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { fetchUrl, refusalReason } from "./url";

let server: http.Server;
let base: string;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    const url = req.url ?? "/";
    if (url === "/page") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><body><h1>Hello</h1></body></html>");
    } else if (url === "/redirect") {
      res.writeHead(302, { location: "/page" });
      res.end();
    } else if (url === "/loop") {
      res.writeHead(301, { location: "/loop" });
      res.end();
    } else if (url === "/to-private") {
      res.writeHead(302, { location: "http://10.0.0.1/admin" });
      res.end();
    } else if (url === "/to-metadata") {
      res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
    } else if (url === "/gzip") {
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      res.end(zlib.gzipSync("compressed text"));
    } else if (url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(10_000));
    } else if (url === "/slow") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("nope");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  vi.restoreAllMocks();
  hits.length = 0;
});

const local = { allowPrivate: true, timeoutMs: 5_000 };

describe("fetchUrl with private addresses allowed", () => {
  it("fetches a page and follows redirects", async () => {
    const page = await fetchUrl(`${base}/redirect`, local);
    expect(page).toEqual({ finalUrl: `${base}/page`, contentType: "text/html; charset=utf-8", body: Buffer.from("<html><body><h1>Hello</h1></body></html>") });
    expect(hits).toEqual(["/redirect", "/page"]);
  });

  it("decompresses gzip", async () => {
    expect((await fetchUrl(`${base}/gzip`, local)).body.toString()).toBe("compressed text");
  });

  it("fails cleanly on errors, loops, oversize bodies and silence", async () => {
    await expect(fetchUrl(`${base}/missing`, local)).rejects.toMatchObject({ code: "url_failed", message: expect.stringContaining("HTTP 404") });
    await expect(fetchUrl(`${base}/loop`, { ...local, maxRedirects: 3 })).rejects.toMatchObject({
      code: "url_failed",
      message: expect.stringContaining("more than 3 times"),
    });
    expect(hits.filter((h) => h === "/loop")).toHaveLength(4);
    await expect(fetchUrl(`${base}/big`, { ...local, maxBytes: 1000 })).rejects.toMatchObject({ code: "too_large" });
    await expect(fetchUrl(`${base}/slow`, { ...local, timeoutMs: 300 })).rejects.toMatchObject({
      code: "url_failed",
      message: "The site did not answer within 0.3 seconds.",
    });
    await expect(fetchUrl("ftp://127.0.0.1/file", local)).rejects.toMatchObject({ code: "url_refused", message: expect.stringContaining("http://") });
  });

  it("still refuses cloud metadata addresses, even when a redirect leads there", async () => {
    const request = vi.spyOn(http, "request");
    await expect(fetchUrl(`${base}/to-metadata`, local)).rejects.toMatchObject({
      code: "url_refused",
      message: expect.stringContaining("cloud metadata service"),
    });
    expect(request).toHaveBeenCalledTimes(1);
  });
});

describe("fetchUrl with private addresses refused", () => {
  const strict = { allowPrivate: false, timeoutMs: 5_000 };
  // No administrator's allow-list here (the test setup lists loopback for the fake servers).
  let listed: string | undefined;
  beforeAll(() => {
    listed = process.env.OUTBOUND_ALLOW;
    process.env.OUTBOUND_ALLOW = "";
    resetEnvCache();
  });
  afterAll(() => {
    process.env.OUTBOUND_ALLOW = listed;
    resetEnvCache();
  });

  it("refuses loopback and private literals without connecting", async () => {
    const request = vi.spyOn(http, "request");
    for (const url of [`${base}/page`, "http://10.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0x7f000001/", "http://169.254.169.254/"]) {
      await expect(fetchUrl(url, strict)).rejects.toMatchObject({ code: "url_refused" });
    }
    await expect(fetchUrl(`${base}/page`, strict)).rejects.toMatchObject({
      message: expect.stringMatching(/loopback.*An administrator can allow private network addresses/),
    });
    expect(request).not.toHaveBeenCalled();
    expect(hits).toEqual([]);
  });

  it("refuses a name that resolves to a private address, even alongside a public one", async () => {
    const lookup = vi.spyOn(dns.promises, "lookup").mockResolvedValue([
      { address: "93.184.216.34", family: 4 },
      { address: "192.168.1.10", family: 4 },
    ] as never);
    const request = vi.spyOn(http, "request");
    await expect(fetchUrl("http://intranet.example/wiki", strict)).rejects.toMatchObject({
      code: "url_refused",
      message: expect.stringContaining("intranet.example resolves to 192.168.1.10"),
    });
    expect(lookup).toHaveBeenCalledWith("intranet.example", expect.objectContaining({ all: true }));
    expect(request).not.toHaveBeenCalled();
  });

  it("connects to the address it checked, and checks redirects again before following them", async () => {
    const original = http.request;
    // The first hop's socket goes to the local server instead of the public address; any other
    // connection attempt fails the test rather than leaving this machine.
    const request = vi.spyOn(http, "request").mockImplementation(((options: http.RequestOptions) => {
      if (options.host !== "93.184.216.34") throw new Error(`unexpected connection to ${options.host}`);
      expect(options.headers).toMatchObject({ host: "93.184.216.34" });
      return original({ ...options, host: "127.0.0.1", port });
    }) as typeof http.request);
    await expect(fetchUrl("http://93.184.216.34/to-private", strict)).rejects.toMatchObject({
      code: "url_refused",
      message: expect.stringContaining("private network address"),
    });
    expect(request).toHaveBeenCalledTimes(1);
    expect(hits).toEqual(["/to-private"]);
  });
});

describe("refusalReason", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.0.1", "private"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["169.254.10.10", "link-local"],
    ["169.254.169.254", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fd12:3456::1", "unique-local"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::7f00:1", "IPv4-compatible"],
    ["64:ff9b::a00:1", "special-purpose"],
    ["fd00:ec2::254", "metadata"],
  ])("refuses %s (%s)", (address, reason) => {
    expect(refusalReason(address)).toContain(reason);
  });

  it("allows public unicast addresses, and private ones when told to", () => {
    expect(refusalReason("93.184.216.34")).toBeUndefined();
    expect(refusalReason("2606:2800:220:1:248:1893:25c8:1946")).toBeUndefined();
    expect(refusalReason("10.0.0.1", true)).toBeUndefined();
    expect(refusalReason("169.254.169.254", true)).toContain("metadata");
  });
});
