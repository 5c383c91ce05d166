import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { documentedOperations, openApiDocument } from "./openapi";

/** "GET /api/…" for every handler exported by a route file under app/api (next-auth's own excepted). */
function routeOperations(): string[] {
  const root = path.resolve("app/api");
  const found: string[] = [];
  for (const file of fs.readdirSync(root, { recursive: true }) as string[]) {
    if (path.basename(file) !== "route.ts" || file.startsWith("auth/")) continue;
    const url = `/api/${path.dirname(file).split(path.sep).join("/")}`.replace(/\[(\w+)\]/g, "{$1}").replace(/\/\.$/, "");
    const source = fs.readFileSync(path.join(root, file), "utf8");
    for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) found.push(`${method} ${url}`);
  }
  return found.sort();
}

describe("the OpenAPI document", () => {
  it("lists exactly the routes the app serves", () => {
    expect(documentedOperations().sort()).toEqual(routeOperations());
  });

  it("is OpenAPI 3.1 with bearer tokens, each operation names its path parameters and the roles it needs", () => {
    const doc = openApiDocument("https://ftf.example.com") as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string; in: string }>; security?: unknown[]; "x-roles"?: string[]; operationId: string }>
      >;
      components: { securitySchemes: Record<string, { scheme?: string }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.apiToken.scheme).toBe("bearer");
    const ids = new Set<string>();
    for (const [p, methods] of Object.entries(doc.paths)) {
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(methods)) {
        const declared = (op.parameters ?? [])
          .filter((x) => x.in === "path")
          .map((x) => x.name)
          .sort();
        expect(declared, `${method} ${p}`).toEqual(inPath);
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
        if (!op.security) expect(op["x-roles"]?.length ?? p === "/api/me", `${method} ${p} names its roles`).toBeTruthy();
      }
    }
    expect(doc.paths["/api/projects/{projectId}/jobs/{jobId}/cancel"].post["x-roles"]).toEqual(["owner", "admin", "editor"]);
  });
});
