// A forward HTTP proxy on 127.0.0.1 that records what passes through it: absolute-form requests
// (http:// targets) are forwarded, CONNECT opens a tunnel (https:// targets). It can demand
// Basic credentials and refuse targets, as corporate proxies do.
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";

export type ProxiedRequest = { method: string; target: string; host?: string; authorization?: string };

export type RecordingProxy = {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
};

export type RecordingProxyOptions = {
  /** `user:password` the proxy demands (407 without it). */
  credentials?: string;
  /** Targets ("host:port") it answers 403 for. */
  refuse?: (target: string) => boolean;
};

function splitAuthority(authority: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
  if (!match) throw new Error(`bad authority ${authority}`);
  return { host: match[1], port: Number(match[2]) };
}

export async function startRecordingProxy(options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const expected = options.credentials ? `Basic ${Buffer.from(options.credentials).toString("base64")}` : undefined;
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const authorization = req.headers["proxy-authorization"];
    requests.push({ method: req.method ?? "", target: req.url ?? "", host: req.headers.host, authorization });
    if (expected && authorization !== expected) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end("absolute-form request expected");
      return;
    }
    if (options.refuse?.(target.host)) {
      res.writeHead(403).end("refused by the proxy");
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = http.request(
      { host: target.hostname.replace(/^\[|\]$/g, ""), port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end("upstream failed"));
    req.pipe(upstream);
  });

  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authorization = req.headers["proxy-authorization"];
    requests.push({ method: "CONNECT", target: req.url ?? "", host: req.headers.host, authorization });
    if (expected && authorization !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    if (options.refuse?.(req.url ?? "")) {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const { host, port } = splitAuthority(req.url ?? "");
    const upstream = net.connect(port, host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
    client.on("error", () => upstream.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
