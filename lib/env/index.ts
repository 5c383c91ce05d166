// The one place that reads process.env. Every setting is validated with zod the first time
// it is needed; a bad value stops the process with a message naming the variable.
// `.env.example` documents each variable below.
import path from "node:path";
import { z } from "zod";

const flag = z.enum(["true", "false", "1", "0", "yes", "no", ""]).transform((v) => v === "true" || v === "1" || v === "yes");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), "must start with postgres:// or postgresql://");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_URL: postgresUrl.optional().or(z.literal("").transform(() => undefined)),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOSTNAME: z.string().default("0.0.0.0"),
  APP_URL: z.url().optional(),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
  STORAGE_DIR: z.string().default("storage"),
  STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
  S3_BUCKET: optionalString,
  S3_REGION: z.string().default("us-east-1"),
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: flag.default(false),
  /// The bucket's address as browsers reach it, for presigned upload and download links, when it
  /// differs from S3_ENDPOINT (e.g. http://minio:9000 inside compose, https://s3.example.com outside).
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  UPLOAD_MAX_MB: z.coerce.number().positive().default(200),
  /// URL sources may not reach private or loopback addresses unless the server's admin allows it.
  ALLOW_PRIVATE_URL_SOURCES: flag.default(false),
  /// A direct (session) connection for migrations when DATABASE_URL goes through a transaction
  /// pooler (PgBouncer, Supabase's or Neon's pooled URL): advisory locks and DDL need one.
  DATABASE_DIRECT_URL: postgresUrl.optional().or(z.literal("").transform(() => undefined)),
  /// Whether `npm start` / `npm run web` / `npm run worker` apply pending migrations before starting
  /// (under an advisory lock). Off when a deploy step runs `npm run db:migrate` first.
  MIGRATE_ON_START: flag.default(true),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5488),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /// Log lines older than this many days are deleted by the workers' hourly sweep (0: kept forever).
  LOG_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /// At most this many log lines are kept, the oldest deleted first (0: no cap).
  LOG_RETENTION_ROWS: z.coerce.number().int().min(0).default(1_000_000),
  ALLOW_SIGNUP: flag.default(true),
  /// Proxies in front of the web process whose X-Forwarded-For/-Host/-Proto we believe: 0 (none,
  /// the default: the socket's address is the client's), a number of hops, or true for one.
  TRUST_PROXY: z
    .string()
    .default("0")
    .transform((v) => (/^(true|yes)$/i.test(v.trim()) ? 1 : /^(false|no|)$/i.test(v.trim()) ? 0 : Number(v)))
    .pipe(z.number().int().min(0).max(10)),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: z.string().default("Single sign-on"),
  SMTP_URL: optionalString,
  SMTP_FROM: z.string().default("FineTuneFlow <no-reply@localhost>"),
  /// Per job type worker concurrency, e.g. "chunking=2,dataset_generate=1".
  WORKER_CONCURRENCY: z.string().default(""),
  /// Fair use of a shared server: generation and preview jobs one workspace may run at once
  /// (each type, across all workers), and LLM calls its running jobs may have in flight at once
  /// on one endpoint. Jobs past the first limit wait while other workspaces' jobs go ahead.
  WORKSPACE_JOBS_AT_ONCE: z.coerce.number().int().min(1).max(1000).default(2),
  WORKSPACE_LLM_CALLS_AT_ONCE: z.coerce.number().int().min(1).max(100_000).default(32),
  /// Whether `npm start` / `npm run worker`, running as root, may install missing Debian packages
  /// the worker needs (Tesseract for OCR) with apt-get, in the background.
  INSTALL_SYSTEM_PACKAGES: flag.default(true),
  /// Seconds the worker waits for in-flight jobs on SIGTERM before releasing them.
  WORKER_SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(20),
  /// The proxy for outbound http:// and https:// requests (LLM providers, the Hub, URL sources),
  /// and the hosts that bypass it (`host`, `.domain`, `host:port`, an IP or CIDR, `*`). The
  /// lower-case spellings win over the upper-case ones, as in curl. SSH to runners never uses them.
  HTTP_PROXY: optionalString,
  http_proxy: optionalString,
  HTTPS_PROXY: optionalString,
  https_proxy: optionalString,
  NO_PROXY: optionalString,
  no_proxy: optionalString,
  HF_ENDPOINT: z.url().default("https://huggingface.co"),
  OLLAMA_URL: z.url().default("http://127.0.0.1:11434"),
  /// Lets workspace admins add a `local` runner, which runs programs on the worker's own machine.
  /// Unset: on for the one-machine install (`npm start` with the embedded database), off otherwise,
  /// since on a server shared by several teams it would reach past workspace boundaries.
  ALLOW_LOCAL_RUNNERS: flag.optional(),
  /// Private, loopback or link-local targets the server may connect to for tenants' settings (LLM
  /// base URLs, runner hosts, URL sources): `host`, `host:port`, `ip[:port]`, `[v6]:port` or a CIDR,
  /// comma-separated. Public addresses need no entry; cloud metadata addresses are never allowed.
  /// Unset: the one-machine install allows its local Ollama (127.0.0.1:11434); otherwise nothing.
  OUTBOUND_ALLOW: optionalString,
  /// The instance's administrators (comma-separated emails). Unset: the first account created.
  /// Only they may add and use "This server" runners.
  ADMIN_EMAILS: optionalString,
  /// Pythons a "This server" runner may use besides the one the app sets up in its own venv.
  LOCAL_RUNNER_PYTHONS: optionalString,
  /// The folder holding the runner program (ftf_runner/ and requirements.txt) uploaded to GPU boxes.
  RUNNER_PROGRAM_DIR: z.string().default("worker/runner"),
  /// How often a training job reads new events from the box, in milliseconds.
  TRAIN_POLL_MS: z.coerce.number().int().min(100).default(2000),
  /// Seconds without new events before the job asks the box whether the run is still alive.
  TRAIN_STALL_CHECK_S: z.coerce.number().min(1).default(30),
});

export type Env = z.infer<typeof schema>;

/** Every setting's name (deployment files are checked against it). */
export const SETTING_NAMES: ReadonlyArray<string> = Object.keys(schema.shape);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.join(".");
      const raw = process.env[name];
      const shown = raw === undefined ? "" : ` (got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw)})`;
      return `  ${name}: ${issue.message}${shown}`;
    })
    .join("\n");
}

let cached: Env | undefined;

/** Parses the environment once; throws ConfigError naming each bad variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${describeIssues(parsed.error)}\nSee .env.example for every setting.`);
  }
  cached = parsed.data;
  return cached;
}

/** For tests and the launcher, which change the environment before starting children. */
export function resetEnvCache(): void {
  cached = undefined;
}

/** Whether `local` runners may be added and used (see ALLOW_LOCAL_RUNNERS). */
export function localRunnersAllowed(): boolean {
  return env().ALLOW_LOCAL_RUNNERS ?? false;
}

export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) {
    throw new ConfigError(
      "DATABASE_URL is not set. Start the app with `npm start` (it runs an embedded PostgreSQL), or set DATABASE_URL to a PostgreSQL server.",
    );
  }
  return url;
}

export function storageDir(): string {
  return path.resolve(env().STORAGE_DIR);
}

export function appUrl(): string {
  return env().APP_URL ?? `http://localhost:${env().PORT}`;
}

export function uploadMaxBytes(): number {
  return Math.floor(env().UPLOAD_MAX_MB * 1024 * 1024);
}

/** Reads `WORKER_CONCURRENCY` ("type=n,…") into a map. */
export function workerConcurrency(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of env().WORKER_CONCURRENCY.split(",")) {
    const [name, value] = part.split("=").map((s) => s.trim());
    if (!name) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new ConfigError(`Invalid configuration:\n  WORKER_CONCURRENCY: "${part}" must be type=positive integer`);
    }
    out[name] = n;
  }
  return out;
}

/**
 * The environment for a child process the launcher starts: the current one plus overrides.
 * Kept here so that reading process.env stays in this module.
 */
export function childProcessEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Sets a variable for this process (the launcher fills in generated secrets and the database URL). */
export function setProcessEnv(key: string, value: string): void {
  process.env[key] = value;
  cached = undefined;
}

export function isProduction(): boolean {
  return env().NODE_ENV === "production";
}
