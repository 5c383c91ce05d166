// The deployment files a reader follows (README, Deploy): compose.yaml, the Dockerfile, its
// .dockerignore and the worker's systemd unit. These machines cannot pull images or run
// containers, so what can be checked here is: each file parses, names only settings the app
// knows, runs only npm scripts that exist, copies only paths that exist, runs as a non-root user,
// and starts in the order the README gives (bucket and migrations before web and workers).
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SETTING_NAMES } from "@/lib/env";

const scripts = Object.keys((JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts);

type Service = {
  build?: string | { context: string; target?: string };
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
};
const compose = parse(fs.readFileSync("compose.yaml", "utf8"), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };

const dockerfile = fs.readFileSync("Dockerfile", "utf8");
/** Instructions with their stage, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, " ")
  .split("\n")
  .filter((line) => line.trim() && !line.trim().startsWith("#"))
  .reduce<Array<{ stage: string; op: string; args: string }>>((out, line) => {
    const [op, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(" ");
    const stage = op === "FROM" ? (/ AS (\w+)$/i.exec(args)?.[1] ?? "") : (out.at(-1)?.stage ?? "");
    out.push({ stage, op: op.toUpperCase(), args });
    return out;
  }, []);
const stages = instructions.filter((i) => i.op === "FROM").map((i) => i.stage);
const npmRuns = (text: string) => [...text.matchAll(/npm(?:",\s*"|\s+)run(?:",\s*"|\s+)([\w:-]+)/g)].map((m) => m[1]);

describe("compose.yaml", () => {
  it("runs web and worker from this repository's image, after the bucket and the migrations", () => {
    const { web, worker, migrate, bucket, postgres, minio } = compose.services;
    expect([web, worker, migrate, bucket, postgres, minio].every(Boolean)).toBe(true);
    expect(web.build).toBe(".");
    expect(worker.build).toEqual({ context: ".", target: "worker" });
    expect(stages).toContain("worker");
    for (const service of [web, worker]) {
      expect(service.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" }, bucket: { condition: "service_completed_successfully" } });
      expect(service.environment?.MIGRATE_ON_START).toBe("false");
    }
    expect(migrate.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(bucket.depends_on).toEqual({ minio: { condition: "service_healthy" } });
  });

  it("sets only settings the app reads, and runs only npm scripts that exist", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      for (const key of Object.keys(service.environment ?? {})) expect(SETTING_NAMES, `${name}: ${key}`).toContain(key);
      for (const script of npmRuns(JSON.stringify(service.command ?? ""))) expect(scripts, `${name}: npm run ${script}`).toContain(script);
    }
    const env = compose.services.web.environment ?? {};
    expect(env).toMatchObject({ STORAGE_DRIVER: "s3", S3_ENDPOINT: "http://minio:9000", S3_FORCE_PATH_STYLE: "true" });
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/finetuneflow:.*@postgres:5432\/finetuneflow$/);
  });

  it("keeps data in named volumes", () => {
    const used = Object.values(compose.services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(":")[0]));
    expect(used.sort()).toEqual(["minio", "postgres"]);
    expect(Object.keys(compose.volumes).sort()).toEqual(["minio", "postgres"]);
  });
});

describe("Dockerfile", () => {
  it("builds in one stage and runs from a slim one as the unprivileged node user", () => {
    expect(stages).toEqual(["build", "runtime", "worker"]);
    for (const stage of ["runtime", "worker"]) {
      const users = instructions.filter((i) => i.stage === stage && i.op === "USER").map((i) => i.args);
      expect(users.at(-1), stage).toBe("node");
    }
    expect(instructions.find((i) => i.stage === "runtime" && i.op === "COPY")?.args).toMatch(/^--from=build --chown=node:node \/app \/app$/);
  });

  it("copies only files that exist and runs only npm scripts that exist", () => {
    for (const copy of instructions.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(fs.existsSync(source), source).toBe(true);
    }
    for (const script of npmRuns(dockerfile)) expect(scripts, `npm run ${script}`).toContain(script);
    expect(dockerfile).toContain('CMD ["npm", "run", "web"]');
    expect(dockerfile).toContain('CMD ["npm", "run", "worker"]');
  });

  it("leaves dependencies, builds, data and secrets out of the build context", () => {
    const ignored = fs.readFileSync(".dockerignore", "utf8").split("\n");
    for (const entry of [".git", "node_modules", ".next", "storage", ".env"]) expect(ignored).toContain(entry);
  });
});

describe("the worker's systemd unit", () => {
  it("runs npm run worker as its own user with the shared settings from an environment file", () => {
    const unit = fs.readFileSync("deploy/finetuneflow-worker.service", "utf8");
    const service = Object.fromEntries(
      (unit.split("[Service]")[1] ?? "")
        .split("[")[0]
        .split("\n")
        .filter((line) => /^\w+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(service).toMatchObject({
      User: "finetuneflow",
      EnvironmentFile: "/etc/finetuneflow.env",
      ExecStart: "/usr/bin/npm run worker",
      KillSignal: "SIGTERM",
    });
    expect(scripts).toContain("worker");
    expect(unit).toMatch(/WantedBy=multi-user.target/);
  });
});
