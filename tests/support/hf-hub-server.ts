// A fake Hugging Face Hub on 127.0.0.1 for tests: the routes @huggingface/hub calls to read
// model metadata and files and to create repos and push commits, answering the way the real
// Hub does (status codes, `x-error-code`, Range requests, redirects of LFS files to storage).
// Models come from the recorded fixtures in tests/fixtures/hub/; a fixture with a `safetensors`
// section gets real safetensors shards (zero-filled) built from its tensor list, plus their index.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { buildModelInfo, type ModelInfo } from "@/lib/base-models/info";

const FIXTURES_DIR = path.join(import.meta.dirname, "../fixtures/hub");

/** A string is a write token of the user `fake-user`. */
export type FakeHubToken = string | { token: string; user?: string; role?: "read" | "write"; orgs?: string[] };

export type FakeHubOptions = {
  /** The tokens the Hub accepts; any other bearer token is answered 401 on every route. */
  tokens?: FakeHubToken[];
  /**
   * Gating per model id: the mode (defaults to the fixture's `gated`) and the tokens granted
   * access. A gated fixture not listed here grants no token.
   */
  gatedModels?: Record<string, { mode?: "auto" | "manual"; granted?: string[] }>;
  /** Dataset repos by id (owner/name). */
  datasets?: Record<string, FakeHubDataset>;
};

/**
 * A dataset repo: its own files on `main`, and optionally the Hub's Parquet conversion
 * (refs/convert/parquet). A private one is visible to `tokens` only; a gated one lists its files
 * to anyone but serves them only to `tokens`.
 */
export type FakeHubDataset = {
  files?: Record<string, Buffer | string>;
  parquet?: Record<string, Buffer>;
  private?: boolean;
  gated?: boolean;
  tokens?: string[];
};

export type FakeHubFile = { path: string; sha256: string; size: number; lfs: boolean };
export type FakeHubCommit = {
  repo: string;
  repoType: "model" | "dataset";
  oid: string;
  message: string;
  description?: string;
  files: FakeHubFile[];
  deleted: string[];
};
export type FakeHubRepo = { name: string; type: "model" | "dataset"; private: boolean; files: Map<string, FakeHubFile> };
export type FakeHubRequest = { method: string; path: string; range?: string; authenticated: boolean };

export type FakeHub = {
  url: string;
  /** Every commit pushed, in order. */
  commits: FakeHubCommit[];
  /** Repos created through the API, keyed by "model:owner/name" or "dataset:owner/name". */
  repos: Map<string, FakeHubRepo>;
  requests: FakeHubRequest[];
  stop(): Promise<void>;
};

type Fixture = {
  api: Record<string, unknown> & { _id: string; id: string; sha: string; gated: false | "auto" | "manual" };
  files?: Record<string, unknown>;
  safetensors?: Record<string, { __metadata__?: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[] }> }>;
};

type ServedFile = { content: Buffer; lfs: boolean; etag: string };
type ServedModel = { fixture: Fixture; files: Map<string, ServedFile> };
type Account = { token: string; user: string; role: "read" | "write"; orgs: string[] };

const DEFAULT_USER = "fake-user";
/** The Hub's rule for a text file kept in git: under 10 MB, not binary, not tracked by LFS in .gitattributes. */
const LFS_THRESHOLD_BYTES = 10 * 1024 * 1024;
const LFS_PATTERNS = /\.(safetensors|bin|pt|pth|ckpt|gguf|onnx|h5|msgpack|parquet|arrow|zip|tar|gz|zst|npy|npz|pkl)$/i;
const DTYPE_BYTES: Record<string, number> = { F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1 };
const REPO_NAME = /^[A-Za-z0-9][\w.-]{0,95}$/;

const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");
const gitBlobSha1 = (data: Buffer) => crypto.createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");

/** A valid safetensors file: little-endian header length, JSON header padded to 8 bytes, zeroed tensor data. */
function buildSafetensors(spec: NonNullable<Fixture["safetensors"]>[string]): Buffer {
  const header: Record<string, unknown> = spec.__metadata__ ? { __metadata__: spec.__metadata__ } : {};
  let offset = 0;
  for (const [name, { dtype, shape }] of Object.entries(spec.tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[dtype] ?? 1);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), Buffer.alloc(offset)]);
}

function servedFile(content: Buffer, lfs: boolean): ServedFile {
  return { content, lfs, etag: `"${lfs ? sha256(content) : gitBlobSha1(content)}"` };
}

function loadFixtures(): Fixture[] {
  return fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((name) => JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name), "utf8")) as Fixture);
}

/** The recorded models: id, config.json and the parameter count the Hub API reports (null when it reports none). */
export function recordedModels(): Array<{ id: string; config: Record<string, unknown>; hubTotal: number | null }> {
  return loadFixtures().map(({ api, files }) => ({
    id: api.id,
    config: files?.["config.json"] as Record<string, unknown>,
    hubTotal: (api.safetensors as { total?: number } | undefined)?.total ?? null,
  }));
}

/** A recorded model's model_info as resolveModelInfo builds it, without a server: for unit tests of estimates. */
export function recordedModelInfo(id: string): ModelInfo {
  const fixture = loadFixtures().find((f) => f.api.id === id);
  if (!fixture) throw new Error(`No recorded model ${id} in ${FIXTURES_DIR}.`);
  const safetensors = fixture.api.safetensors as { total: number; parameters: Record<string, number> } | undefined;
  return buildModelInfo({
    modelId: id,
    revision: fixture.api.sha,
    gated: fixture.api.gated,
    license: null,
    config: fixture.files?.["config.json"] as Record<string, unknown>,
    counted: safetensors ? { total: safetensors.total, byDtype: safetensors.parameters, source: "safetensors_api" } : null,
    fetchedAt: new Date(0),
  });
}

function loadModels(): Map<string, ServedModel> {
  const models = new Map<string, ServedModel>();
  for (const fixture of loadFixtures()) {
    const files = new Map<string, ServedFile>();
    for (const [file, content] of Object.entries(fixture.files ?? {})) {
      files.set(file, servedFile(Buffer.from(`${JSON.stringify(content, null, 2)}\n`), false));
    }
    const shards = Object.entries(fixture.safetensors ?? {});
    let totalSize = 0;
    const weightMap: Record<string, string> = {};
    for (const [file, spec] of shards) {
      const built = buildSafetensors(spec);
      files.set(file, servedFile(built, true));
      totalSize += built.length;
      for (const tensor of Object.keys(spec.tensors)) weightMap[tensor] = file;
    }
    if (shards.length > 1) {
      const index = { metadata: { total_size: totalSize }, weight_map: weightMap };
      files.set("model.safetensors.index.json", servedFile(Buffer.from(`${JSON.stringify(index, null, 2)}\n`), false));
    }
    models.set(fixture.api.id, { fixture, files });
  }
  return models;
}

function normalizeTokens(tokens: FakeHubToken[]): Map<string, Account> {
  return new Map(
    tokens.map((t) => {
      const a = typeof t === "string" ? { token: t } : t;
      return [a.token, { token: a.token, user: a.user ?? DEFAULT_USER, role: a.role ?? "write", orgs: a.orgs ?? [] }];
    }),
  );
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const error = (status: number, message: string, code?: string): Reply => ({
  status,
  body: { error: message },
  headers: code ? { "x-error-code": code, "x-error-message": message } : { "x-error-message": message },
});

function send(res: http.ServerResponse, reply: Reply, head = false): void {
  const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(reply.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    "content-length": Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(head ? undefined : text);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range, or null when unsatisfiable. */
function parseRange(header: string, size: number): [number, number] | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  let start: number;
  let end: number;
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start <= end && start < size ? [start, end] : null;
}

function sendContent(req: http.IncomingMessage, res: http.ServerResponse, file: ServedFile, headers: Record<string, string>): void {
  const size = file.content.length;
  const base = { ...headers, etag: file.etag, "accept-ranges": "bytes", "content-type": file.lfs ? "application/octet-stream" : "text/plain; charset=utf-8" };
  const rangeHeader = req.headers.range;
  if (!rangeHeader) {
    res.writeHead(200, { ...base, "content-length": size });
    res.end(req.method === "HEAD" ? undefined : file.content);
    return;
  }
  const range = parseRange(rangeHeader, size);
  if (!range) {
    res.writeHead(416, { ...base, "content-range": `bytes */${size}`, "content-length": 0 });
    res.end();
    return;
  }
  const [start, end] = range;
  res.writeHead(206, { ...base, "content-range": `bytes ${start}-${end}/${size}`, "content-length": end - start + 1 });
  res.end(req.method === "HEAD" ? undefined : file.content.subarray(start, end + 1));
}

export async function startFakeHub(options: FakeHubOptions = {}): Promise<FakeHub> {
  const models = loadModels();
  const accounts = normalizeTokens(options.tokens ?? []);
  const commits: FakeHubCommit[] = [];
  const repos = new Map<string, FakeHubRepo>();
  const requests: FakeHubRequest[] = [];
  /** LFS objects received by oid (sha256), with their size. */
  const lfsObjects = new Map<string, number>();
  let url = "";

  const gating = (id: string): { mode: false | "auto" | "manual"; granted: string[] } => {
    const model = models.get(id);
    const override = options.gatedModels?.[id];
    return { mode: override?.mode ?? model?.fixture.api.gated ?? false, granted: override?.granted ?? [] };
  };

  function canWrite(account: Account, namespace: string): boolean {
    return account.role === "write" && (account.user === namespace || account.orgs.includes(namespace));
  }

  /** The repo a push route names, or the Hub's refusal. */
  function writableRepo(account: Account, type: "model" | "dataset", name: string): FakeHubRepo | Reply {
    const repo = repos.get(`${type}:${name}`);
    if (!repo) return error(404, "Repository not found", "RepoNotFound");
    if (!canWrite(account, name.split("/")[0])) {
      return error(403, `You don't have the rights to write to ${type}s/${name}: your token has no write access to this namespace.`);
    }
    return repo;
  }

  /** Like the Hub, an unknown repo is 401 to an anonymous caller (it may be private) and 404 to a signed-in one. */
  const repoNotFound = (account: Account | undefined) => error(account ? 404 : 401, "Repository not found", "RepoNotFound");

  function modelApi(id: string, revision: string | undefined, search: URLSearchParams, account: Account | undefined): Reply {
    const model = models.get(id);
    if (!model) return repoNotFound(account);
    if (revision && revision !== "main" && revision !== "HEAD" && revision !== model.fixture.api.sha) {
      return error(404, `Invalid rev id: ${revision}`, "RevisionNotFound");
    }
    const api = { ...model.fixture.api, gated: gating(id).mode };
    const expand = search.getAll("expand");
    // With `expand`, the Hub answers only the ids and the fields asked for.
    if (expand.length === 0) return { status: 200, body: api };
    const picked: Record<string, unknown> = { _id: api._id, id: api.id };
    for (const key of expand) if (key in api) picked[key] = (api as Record<string, unknown>)[key];
    return { status: 200, body: picked };
  }

  function serveModelFile(req: http.IncomingMessage, res: http.ServerResponse, account: Account | undefined, m: RegExpExecArray): void {
    const [, id, kind, rawRevision, rawPath] = m;
    const model = models.get(id);
    const head = req.method === "HEAD";
    if (!model) return send(res, repoNotFound(account), head);
    const gate = gating(id);
    if (gate.mode) {
      if (!account) {
        return send(
          res,
          error(401, `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`, "GatedRepo"),
          head,
        );
      }
      if (!gate.granted.includes(account.token)) {
        return send(
          res,
          error(403, `Access to model ${id} is restricted and you are not in the authorized list. Visit ${url}/${id} to ask for access.`, "GatedRepo"),
          head,
        );
      }
    }
    const revision = decodeURIComponent(rawRevision);
    if (revision !== "main" && revision !== model.fixture.api.sha) return send(res, error(404, `Invalid rev id: ${revision}`, "RevisionNotFound"), head);
    const filePath = decodeURIComponent(rawPath);
    const file = model.files.get(filePath);
    if (!file) return send(res, error(404, "Entry not found", "EntryNotFound"), head);
    const commitHeaders = { "x-repo-commit": model.fixture.api.sha };
    if (file.lfs && kind === "resolve") {
      // Like the Hub: LFS files are redirected to storage, which serves ranges without a token.
      const location = `${url}/__storage/${encodeURIComponent(id)}/${encodeURIComponent(filePath)}`;
      res.writeHead(302, { location, "x-linked-etag": file.etag, "x-linked-size": String(file.content.length), ...commitHeaders, "content-length": 0 });
      res.end();
      return;
    }
    sendContent(req, res, file, commitHeaders);
  }

  async function createRepo(req: http.IncomingMessage, account: Account): Promise<Reply> {
    const body = JSON.parse((await readBody(req)).toString("utf8")) as {
      name?: string;
      organization?: string;
      type?: string;
      visibility?: string;
      private?: boolean;
    };
    const type = body.type === "dataset" ? "dataset" : body.type === undefined || body.type === "model" ? "model" : null;
    if (!type) return error(400, `Repo type "${body.type}" is not supported here.`);
    const namespace = body.organization ?? account.user;
    if (!body.name || !REPO_NAME.test(body.name) || /--|\.\./.test(body.name) || /[.-]$/.test(body.name)) {
      return error(400, "Invalid repo name: use letters, digits, '-', '_' and '.', at most 96 characters.");
    }
    if (!canWrite(account, namespace)) return error(403, `You don't have the rights to create a ${type} under the namespace "${namespace}"`);
    const name = `${namespace}/${body.name}`;
    const repoUrl = `${url}/${type === "dataset" ? "datasets/" : ""}${name}`;
    if (repos.has(`${type}:${name}`)) return { status: 409, body: { error: `You already created this ${type} repo`, url: repoUrl } };
    repos.set(`${type}:${name}`, { name, type, private: body.visibility === "private" || body.private === true, files: new Map() });
    return { status: 200, body: { url: repoUrl, name, id: crypto.randomBytes(12).toString("hex") } };
  }

  async function preupload(req: http.IncomingMessage): Promise<Reply> {
    const body = JSON.parse((await readBody(req)).toString("utf8")) as { files: Array<{ path: string; size: number; sample: string }> };
    const files = body.files.map((file) => {
      const binary = Buffer.from(file.sample, "base64").includes(0);
      const lfs = file.size >= LFS_THRESHOLD_BYTES || LFS_PATTERNS.test(file.path) || binary;
      return { path: file.path, uploadMode: lfs ? "lfs" : "regular", shouldIgnore: false };
    });
    return { status: 200, body: { files, commitOid: crypto.randomBytes(20).toString("hex") } };
  }

  async function lfsBatch(req: http.IncomingMessage): Promise<Reply> {
    const body = JSON.parse((await readBody(req)).toString("utf8")) as { operation: string; objects: Array<{ oid: string; size: number }> };
    if (body.operation !== "upload") return error(422, "Only uploads are supported by this fake Hub.");
    // Declining Xet: answering "basic" makes the client PUT each object to the href below.
    const objects = body.objects.map(({ oid, size }) =>
      lfsObjects.get(oid) === size
        ? { oid, size }
        : { oid, size, authenticated: true, actions: { upload: { href: `${url}/__lfs/${oid}?size=${size}`, expires_in: 3600 } } },
    );
    return { status: 200, body: { transfer: "basic", objects }, headers: { "content-type": "application/vnd.git-lfs+json" } };
  }

  /** The storage PUT an LFS batch points at: the body must hash to the oid it was announced with. */
  function receiveLfsObject(req: http.IncomingMessage, oid: string, expectedSize: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const hash = crypto.createHash("sha256");
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      req.on("error", reject);
      req.on("end", () => {
        const digest = hash.digest("hex");
        if (digest !== oid || size !== expectedSize) {
          return resolve(error(400, `Uploaded object does not match its oid/size (got ${digest}, ${size} bytes).`));
        }
        lfsObjects.set(oid, size);
        resolve({ status: 200, headers: { etag: `"${oid}"` } });
      });
    });
  }

  async function commit(req: http.IncomingMessage, repo: FakeHubRepo): Promise<Reply> {
    const lines = (await readBody(req))
      .toString("utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { key: string; value: Record<string, unknown> });
    const header = lines.find((line) => line.key === "header")?.value as { summary?: string; description?: string } | undefined;
    if (!header?.summary) return error(400, "A commit needs a header line with a summary.");
    const files: FakeHubFile[] = [];
    const deleted: string[] = [];
    for (const { key, value } of lines) {
      if (key === "file") {
        const content = Buffer.from(String(value.content), value.encoding === "base64" ? "base64" : "utf8");
        files.push({ path: String(value.path), sha256: sha256(content), size: content.length, lfs: false });
      } else if (key === "lfsFile") {
        const oid = String(value.oid);
        if (lfsObjects.get(oid) !== value.size) return error(422, `LFS object ${oid} for ${String(value.path)} was never uploaded.`);
        files.push({ path: String(value.path), sha256: oid, size: Number(value.size), lfs: true });
      } else if (key === "deletedFile") {
        deleted.push(String(value.path));
      } else if (key !== "header") {
        return error(400, `Unknown commit operation "${key}".`);
      }
    }
    const oid = crypto.randomBytes(20).toString("hex");
    for (const file of files) repo.files.set(file.path, file);
    for (const gone of deleted) repo.files.delete(gone);
    commits.push({ repo: repo.name, repoType: repo.type, oid, message: header.summary, description: header.description || undefined, files, deleted });
    const repoUrl = `${url}/${repo.type === "dataset" ? "datasets/" : ""}${repo.name}`;
    return { status: 200, body: { success: true, commitOid: oid, commitUrl: `${repoUrl}/commit/${oid}`, hookOutput: "" } };
  }

  /** The files of a dataset at a revision, or the Hub's refusal. */
  function datasetFiles(id: string, revision: string, account: Account | undefined): Map<string, ServedFile> | Reply {
    const dataset = options.datasets?.[id];
    const visible = dataset && (!dataset.private || (account && dataset.tokens?.includes(account.token)));
    if (!visible) return account ? error(404, "Repository not found", "RepoNotFound") : error(401, "Repository not found", "RepoNotFound");
    const raw = revision === "main" ? dataset.files : revision === "refs/convert/parquet" ? dataset.parquet : undefined;
    if (!raw) return error(404, `Invalid rev id: ${revision}`, "RevisionNotFound");
    return new Map(Object.entries(raw).map(([name, content]) => [name, servedFile(Buffer.from(content), LFS_PATTERNS.test(name))]));
  }

  function datasetListing(id: string, revision: string, account: Account | undefined): Reply {
    const files = datasetFiles(id, revision, account);
    if (!(files instanceof Map)) return files;
    const directories = new Set<string>();
    for (const name of files.keys()) for (let at = name.indexOf("/"); at > 0; at = name.indexOf("/", at + 1)) directories.add(name.slice(0, at));
    const entries = [
      ...[...directories].map((dir) => ({ type: "directory", oid: gitBlobSha1(Buffer.from(dir)), size: 0, path: dir })),
      ...[...files].map(([name, file]) => ({
        type: "file",
        oid: gitBlobSha1(file.content),
        size: file.content.length,
        path: name,
        ...(file.lfs ? { lfs: { oid: sha256(file.content), size: file.content.length, pointerSize: 134 } } : {}),
      })),
    ];
    return { status: 200, body: entries };
  }

  function datasetContent(id: string, revision: string, filePath: string, account: Account | undefined): ServedFile | Reply {
    const files = datasetFiles(id, revision, account);
    if (!(files instanceof Map)) return files;
    const dataset = options.datasets![id];
    if (dataset.gated && !(account && dataset.tokens?.includes(account.token))) {
      return account
        ? error(
            403,
            `Access to dataset ${id} is restricted and you are not in the authorized list. Visit ${url}/datasets/${id} to ask for access.`,
            "GatedRepo",
          )
        : error(401, `Access to dataset ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`, "GatedRepo");
    }
    return files.get(filePath) ?? error(404, "Entry not found", "EntryNotFound");
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? "/", "http://fake-hub");
    const route = parsed.pathname;
    const method = req.method ?? "GET";
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
    requests.push({ method, path: route, range: req.headers.range, authenticated: Boolean(bearer) });

    const storage = /^\/__storage\/([^/]+)\/(.+)$/.exec(route);
    if (storage && (method === "GET" || method === "HEAD")) {
      const file = models.get(decodeURIComponent(storage[1]))?.files.get(decodeURIComponent(storage[2]));
      return file ? sendContent(req, res, file, {}) : send(res, error(404, "Not found"));
    }
    const lfsPut = /^\/__lfs\/([0-9a-f]{64})$/.exec(route);
    if (lfsPut && method === "PUT") return send(res, await receiveLfsObject(req, lfsPut[1], Number(parsed.searchParams.get("size"))));

    // The Hub checks the token before anything else: a wrong one fails even on public routes.
    const account = bearer ? accounts.get(bearer) : undefined;
    if (bearer && !account) return send(res, error(401, "Invalid credentials in Authorization header"), method === "HEAD");

    if (route === "/api/whoami-v2" && method === "GET") {
      if (!account) return send(res, error(401, "Invalid credentials in Authorization header"));
      return send(res, {
        status: 200,
        body: {
          type: "user",
          id: sha256(account.user).slice(0, 24),
          name: account.user,
          fullname: account.user,
          orgs: account.orgs.map((org) => ({ type: "org", name: org, fullname: org, id: sha256(org).slice(0, 24) })),
          auth: { type: "access_token", accessToken: { displayName: "test token", role: account.role, createdAt: new Date(0).toISOString() } },
        },
      });
    }

    const datasetTree = /^\/api\/datasets\/([\w.-]+\/[\w.-]+)\/tree\/([^/]+)$/.exec(route);
    if (datasetTree && method === "GET") return send(res, datasetListing(datasetTree[1], decodeURIComponent(datasetTree[2]), account));
    const datasetFile = /^\/datasets\/([\w.-]+\/[\w.-]+)\/resolve\/([^/]+)\/(.+)$/.exec(route);
    if (datasetFile && (method === "GET" || method === "HEAD")) {
      const found = datasetContent(datasetFile[1], decodeURIComponent(datasetFile[2]), decodeURIComponent(datasetFile[3]), account);
      return "content" in found ? sendContent(req, res, found, {}) : send(res, found, method === "HEAD");
    }

    const api = /^\/api\/models\/([\w.-]+\/[\w.-]+)(?:\/revision\/([^/]+))?$/.exec(route);
    if (api && method === "GET") return send(res, modelApi(api[1], api[2] && decodeURIComponent(api[2]), parsed.searchParams, account));

    const file = /^\/([\w.-]+\/[\w.-]+)\/(resolve|raw)\/([^/]+)\/(.+)$/.exec(route);
    if (file && (method === "GET" || method === "HEAD")) return serveModelFile(req, res, account, file);

    if (route === "/api/repos/create" && method === "POST") {
      if (!account) return send(res, error(401, "You must be authenticated to create a repo."));
      return send(res, await createRepo(req, account));
    }

    const push = /^\/api\/(models|datasets)\/([\w.-]+\/[\w.-]+)\/(preupload|commit)\/([^/]+)$/.exec(route);
    const batch = /^\/(datasets\/)?([\w.-]+\/[\w.-]+)\.git\/info\/lfs\/objects\/batch$/.exec(route);
    if ((push || batch) && method === "POST") {
      if (!account) return send(res, error(401, "You must be authenticated to push."));
      const type = push ? (push[1] === "datasets" ? "dataset" : "model") : batch![1] ? "dataset" : "model";
      const repo = writableRepo(account, type, push ? push[2] : batch![2]);
      if (!("files" in repo)) return send(res, repo);
      if (batch) return send(res, await lfsBatch(req));
      if (decodeURIComponent(push![4]) !== "main") return send(res, error(404, `Invalid rev id: ${push![4]}`, "RevisionNotFound"));
      return send(res, push![3] === "preupload" ? await preupload(req) : await commit(req, repo));
    }

    send(res, error(404, `No route for ${method} ${route} on the fake Hub.`));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, error(500, String(err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    commits,
    repos,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
