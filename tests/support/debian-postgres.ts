// A PostgreSQL server from Debian's packages (not the embedded one), as a managed database would
// be: its own cluster in a temporary folder, owned by the `postgres` user, on a loopback port,
// with password authentication. Needs root (to act as `postgres`) and the postgresql package,
// which `npm test` installs where missing.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "@/lib/db/embedded";

export type DebianPostgres = { url: string; stop(): void };

/** The newest installed server's binaries, or undefined. */
export function debianPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "pg_ctl"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? path.join(root, newest, "bin") : undefined;
}

/** Why the server cannot run here, or undefined. */
export function debianPostgresUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root (needed to run the server as the postgres user)";
  if (!debianPostgresBin()) return "Debian's postgresql package is not installed";
  if (spawnSync("id", ["postgres"]).status !== 0) return "there is no postgres user";
  return undefined;
}

export async function startDebianPostgres(): Promise<DebianPostgres> {
  const bin = debianPostgresBin()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-debian-pg-"));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, "data");
  const passwordFile = path.join(dir, "password");
  const password = "split-deploy-secret";
  fs.writeFileSync(passwordFile, password);
  execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const asPostgres = (command: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { stdio: "pipe", cwd: dir });
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${passwordFile}`, "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await findFreePort(0);
  asPostgres("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
  const admin = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  execFileSync(
    path.join(bin, "psql"),
    [admin, "-v", "ON_ERROR_STOP=1", "-c", `CREATE ROLE ftf LOGIN PASSWORD '${password}'`, "-c", "CREATE DATABASE finetuneflow OWNER ftf"],
    {
      stdio: "pipe",
    },
  );
  return {
    url: `postgresql://ftf:${password}@127.0.0.1:${port}/finetuneflow`,
    stop() {
      try {
        asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
