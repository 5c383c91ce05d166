// The REST API's description (OpenAPI 3.1), served at /api/openapi.json. Every route under
// app/api is listed here (lib/api/openapi.test.ts checks both ways), with what it needs: a
// session cookie or `Authorization: Bearer ftf_…` (a personal API token from workspace
// settings), and the role in the workspace (lib/access/permissions).
import { createRequire } from "node:module";
import { PERMISSIONS, type Permission } from "@/lib/access/permissions";

type Schema = Record<string, unknown>;
type Param = { name: string; in: "path" | "query"; required?: boolean; description?: string; schema: Schema };
type Operation = {
  summary: string;
  description?: string;
  permission?: Permission;
  public?: true;
  params?: Param[];
  requestBody?: Schema;
  responses?: Record<string, Schema>;
  tag: string;
};

const uuid = { type: "string", format: "uuid" };
const path = (name: string, description?: string): Param => ({ name, in: "path", required: true, schema: uuid, ...(description ? { description } : {}) });
const query = (name: string, description: string, schema: Schema = { type: "string" }): Param => ({ name, in: "query", description, schema });
const json = (description: string, properties?: Schema): Schema => ({
  description,
  content: { "application/json": { schema: { type: "object", ...(properties ? { properties } : {}) } } },
});

const PROJECT = path("projectId");
const OPERATIONS: Record<string, Record<string, Operation>> = {
  "/api/health": { get: { tag: "operations", public: true, summary: "Readiness: database, migrations and a live worker (503 until all are up)" } },
  "/api/live": { get: { tag: "operations", public: true, summary: "Liveness of the web process" } },
  "/api/openapi.json": { get: { tag: "operations", public: true, summary: "This document" } },
  "/api/me": {
    get: {
      tag: "account",
      summary: "Who calls, and the workspaces the call reaches",
      description: "With an API token: the token's workspace only, at the lesser of the token's and the member's role.",
      responses: { 200: json("The caller", { user: { type: "object" }, token: { type: ["object", "null"] }, workspaces: { type: "array" } }) },
    },
  },
  "/api/workspaces/{workspaceId}/projects": {
    get: { tag: "projects", permission: "project.view", summary: "The workspace's projects", params: [path("workspaceId")] },
  },
  "/api/projects/{projectId}": { get: { tag: "projects", permission: "project.view", summary: "One project and its settings", params: [PROJECT] } },
  "/api/projects/{projectId}/sources": {
    get: { tag: "sources", permission: "project.view", summary: "The project's sources, their extraction status and chunk counts", params: [PROJECT] },
  },
  "/api/projects/{projectId}/files": {
    post: {
      tag: "sources",
      permission: "sources.manage",
      summary: "Upload a source document or a dataset file",
      description:
        "The raw file is the request body (streamed, never buffered whole); the file type is detected from its content. Identical content already in the project answers 200 with `duplicateOf`.",
      params: [PROJECT, { ...query("name", "The file's name, for display (e.g. handbook.pdf)"), required: true }],
      requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
      responses: { 201: json("Stored; extraction and chunking follow as a job"), 200: json("The same content was uploaded before") },
    },
  },
  "/api/projects/{projectId}/uploads": {
    post: {
      tag: "sources",
      permission: "sources.manage",
      summary: "Start an upload straight to the bucket (S3 storage)",
      description:
        "Answers presigned URLs: `mode: single` with one `url`, or `mode: multipart` with `parts` (16 MB each, the last smaller). PUT each part's bytes to its URL (the signed Content-Length must match), keep each answer's ETag, then call `uploads/complete`. With local storage this answers 400: upload to `files` instead.",
      params: [PROJECT],
      requestBody: json("The file", { filename: { type: "string" }, size: { type: "integer", description: "Bytes" } }),
      responses: {
        201: json("Where to PUT the bytes", { fileId: uuid, mode: { enum: ["single", "multipart"] }, url: { type: "string" }, parts: { type: "array" } }),
      },
    },
  },
  "/api/projects/{projectId}/uploads/complete": {
    post: {
      tag: "sources",
      permission: "sources.manage",
      summary: "Finish an upload to the bucket",
      description: "The object must have the announced size; a job then detects its type, hashes and deduplicates it, and chunks a document.",
      params: [PROJECT],
      requestBody: json("The upload", {
        fileId: uuid,
        parts: { type: "array", items: { type: "object", properties: { partNumber: { type: "integer" }, etag: { type: "string" } } } },
      }),
    },
  },
  "/api/projects/{projectId}/uploads/abort": {
    post: {
      tag: "sources",
      permission: "sources.manage",
      summary: "Give up an unfinished upload to the bucket",
      params: [PROJECT],
      requestBody: json("The upload", { fileId: uuid }),
    },
  },
  "/api/projects/{projectId}/examples": {
    get: {
      tag: "dataset",
      permission: "project.view",
      summary: "One page of dataset examples, filtered",
      params: [
        PROJECT,
        query("split", "train, eval or excluded"),
        query("valid", "true or false"),
        query("review", "pending, approved or rejected"),
        query("q", "Text search"),
        query("tag", "A tag"),
        query("source", "Only examples from this source file (id)"),
        query("after", "The page cursor the previous page returned"),
      ],
    },
  },
  "/api/projects/{projectId}/examples/{exampleId}": {
    get: { tag: "dataset", permission: "project.view", summary: "One example with its provenance", params: [PROJECT, path("exampleId")] },
  },
  "/api/projects/{projectId}/jobs": {
    get: { tag: "jobs", permission: "project.view", summary: "The project's jobs with progress and ETA", params: [PROJECT] },
  },
  "/api/projects/{projectId}/jobs/{jobId}": { get: { tag: "jobs", permission: "project.view", summary: "One job", params: [PROJECT, path("jobId")] } },
  "/api/projects/{projectId}/jobs/{jobId}/cancel": {
    post: { tag: "jobs", permission: "jobs.cancel", summary: "Cancel a queued or running job (409 once it has finished)", params: [PROJECT, path("jobId")] },
  },
  "/api/projects/{projectId}/jobs/stream": {
    get: {
      tag: "jobs",
      permission: "project.view",
      summary: "The project's jobs as a live stream (Server-Sent Events)",
      params: [PROJECT],
      responses: { 200: { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } } },
    },
  },
  "/api/projects/{projectId}/runs": { get: { tag: "training", permission: "project.view", summary: "The project's training runs", params: [PROJECT] } },
  "/api/projects/{projectId}/runs/{runId}/metrics": {
    get: {
      tag: "training",
      permission: "project.view",
      summary: "A run's metric points (loss, learning rate, …) after a step",
      params: [PROJECT, path("runId"), query("after", "Only points after this step", { type: "integer" })],
    },
  },
  "/api/projects/{projectId}/runs/{runId}/files/{fileId}": {
    get: {
      tag: "training",
      permission: "project.view",
      summary: "Download a run's artifact or log",
      params: [PROJECT, path("runId"), path("fileId")],
      responses: { 200: { description: "The file", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } } },
    },
  },
  "/api/projects/{projectId}/exports/{exportId}/download": {
    get: {
      tag: "exports",
      permission: "exports.download",
      summary: "Download an export (dataset file or bundle ZIP)",
      params: [PROJECT, path("exportId")],
      responses: { 200: { description: "The file", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } } },
    },
  },
};

const ERRORS: Record<string, Schema> = {
  401: { $ref: "#/components/responses/Unauthorized" },
  403: { $ref: "#/components/responses/Forbidden" },
  404: { $ref: "#/components/responses/NotFound" },
};

const APP_VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/** Every path and method the document lists, as "GET /api/…": for the test that holds it to the routes. */
export function documentedOperations(): string[] {
  return Object.entries(OPERATIONS).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
}

export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, methods] of Object.entries(OPERATIONS)) {
    paths[p] = {};
    for (const [method, op] of Object.entries(methods)) {
      const roles = op.permission ? (PERMISSIONS[op.permission] as readonly string[]) : null;
      paths[p][method] = {
        operationId: `${method}${p.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
        tags: [op.tag],
        summary: op.summary,
        ...(op.description || roles ? { description: [op.description, roles ? `Roles: ${roles.join(", ")}.` : ""].filter(Boolean).join("\n\n") } : {}),
        ...(op.public ? { security: [] } : {}),
        ...(op.params ? { parameters: op.params } : {}),
        ...(op.requestBody ? { requestBody: op.requestBody } : {}),
        ...(roles ? { "x-permission": op.permission, "x-roles": roles } : {}),
        responses: { ...(op.responses ?? { 200: json("OK") }), ...(op.public ? {} : ERRORS) },
      };
    }
  }
  const error = { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } };
  return {
    openapi: "3.1.0",
    info: {
      title: "FineTuneFlow API",
      version: APP_VERSION,
      description:
        "Projects, sources, datasets, jobs and runs of a workspace. Authenticate with a personal API token (workspace settings → API tokens) as `Authorization: Bearer ftf_…`: it reaches one workspace, with at most the role it was given. Ids of other workspaces answer 404.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ apiToken: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        apiToken: { type: "http", scheme: "bearer", description: "A personal API token (ftf_…)" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The browser's session" },
      },
      responses: {
        Unauthorized: { description: "No valid session or token", content: { "application/json": { schema: error } } },
        Forbidden: { description: "The role does not allow this", content: { "application/json": { schema: error } } },
        NotFound: { description: "Not found in the caller's workspaces", content: { "application/json": { schema: error } } },
      },
    },
  };
}
