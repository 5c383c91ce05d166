// The one-machine database keeps its port across restarts while that port is free.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { findFreePort, startEmbeddedPostgres } from "./embedded";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-embedded-port-"));
const holders: net.Server[] = [];

/** Keeps `port` busy until released. */
async function hold(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen({ port, host: "127.0.0.1" }, resolve));
  holders.push(server);
  return server;
}

const release = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

afterAll(async () => {
  for (const server of holders) await release(server).catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
});

it("comes back on the port it had last time, also when that was not the preferred one, and moves only when it is taken", async () => {
  const preferred = await findFreePort(0);
  const start = () => startEmbeddedPostgres({ dataDir: path.join(dir, "data"), preferredPort: preferred });

  // First start: the preferred port is taken, so another one is used …
  const busy = await hold(preferred);
  const first = await start();
  expect(first.port).not.toBe(preferred);
  await first.stop();
  await release(busy);

  // … and kept after a restart, though the preferred port is free again.
  const second = await start();
  expect(second.port).toBe(first.port);
  await second.stop();

  // Taken by something else: the preferred port again.
  const taken = await hold(first.port);
  const third = await start();
  expect(third.port).toBe(preferred);
  await third.stop();
  await release(taken);
}, 120_000);
