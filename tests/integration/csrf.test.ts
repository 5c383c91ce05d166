// Issue 13, finding 6: a page on another origin (another port of the same host included) must not
// change anything with the signed-in user's cookie through a route handler.
import { beforeAll, describe, expect, it } from "vitest";
import { POST as uploadFile } from "@/app/api/projects/[projectId]/files/route";
import { db } from "@/lib/db/client";
import { createTeam, type Team } from "../support/fixtures";
import { actAs, requestWithSession } from "../support/request";

let team: Team;

beforeAll(async () => {
  team = await createTeam();
});

function upload(headers: Record<string, string>) {
  // A cross-site form can send a text/plain body just like this one.
  const request = requestWithSession(`/api/projects/${team.project.id}/files?name=notes.txt`, {
    method: "POST",
    body: `Plain text about warranties ${Math.random()}.\n`,
    headers: { "content-type": "text/plain", ...headers },
  });
  return uploadFile(request, { params: Promise.resolve({ projectId: team.project.id }) });
}

describe("state-changing route handlers refuse other origins", () => {
  it.each([
    ["a form on another port of the same host", { origin: "http://localhost:4000" }],
    ["a no-cors fetch from another site", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ["a same-site but cross-origin page without Origin", { "sec-fetch-site": "same-site" }],
    ["a sandboxed frame (Origin: null)", { origin: "null" }],
  ])("%s gets 403 and stores nothing", async (_case, headers) => {
    await actAs(team.members.editor);
    const before = await db.file.count({ where: { projectId: team.project.id } });
    const response = await upload(headers);
    expect(response.status).toBe(403);
    expect(await db.file.count({ where: { projectId: team.project.id } })).toBe(before);
  });

  it("the app's own pages (same origin) upload as before", async () => {
    await actAs(team.members.editor);
    const response = await upload({ origin: "http://localhost:3000", "sec-fetch-site": "same-origin" });
    expect(response.status).toBeLessThan(300);
    expect(await db.file.count({ where: { projectId: team.project.id } })).toBeGreaterThan(0);
  });
});

describe("ids that are not UUIDs", () => {
  it("get 404, not 500, from a route handler", async () => {
    const { GET: getExample } = await import("@/app/api/projects/[projectId]/examples/[exampleId]/route");
    await actAs(team.members.viewer);
    for (const bad of ["not-a-uuid", "1 OR 1=1", "00000000-0000-0000-0000-00000000000z"]) {
      const response = await getExample(requestWithSession(`/api/projects/${team.project.id}/examples/${encodeURIComponent(bad)}`), {
        params: Promise.resolve({ projectId: team.project.id, exampleId: bad }),
      });
      expect(response.status, bad).toBe(404);
    }
  });
});
