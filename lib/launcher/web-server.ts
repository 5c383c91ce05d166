// The web process for `npm start`: Next's request handler behind a Node HTTP server of our own,
// so that the forwarded headers Next and the app read are ones we believe (see
// lib/http/client-address.ts). `next start` would pass a client's X-Forwarded-For through,
// and sign-in throttling keyed on it could then be dodged by sending a new one each time.
import http from "node:http";
import next from "next";
import { env } from "@/lib/env";
import { normaliseForwardedHeaders } from "@/lib/http/client-address";

async function main(): Promise<void> {
  const e = env();
  const app = next({ dev: e.NODE_ENV === "development", hostname: e.HOSTNAME, port: e.PORT, dir: process.cwd() });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = http.createServer((req, res) => {
    normaliseForwardedHeaders(req.headers, req.socket.remoteAddress, e.TRUST_PROXY);
    void handle(req, res);
  });
  const upgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head) => {
    normaliseForwardedHeaders(req.headers, req.socket.remoteAddress, e.TRUST_PROXY);
    void upgrade(req, socket, head);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(e.PORT, e.HOSTNAME, () => console.log(`Ready on ${e.HOSTNAME}:${e.PORT}`));
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
