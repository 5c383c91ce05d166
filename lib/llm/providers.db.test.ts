// Providers on the real database: sealed keys, write-only key updates, defaults, and tenancy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { requireWorkspace, type WorkspaceContext } from "@/lib/access/guard";
import { unseal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { type FakeLlm, fakeBaseUrl, startFakeLlm } from "@/tests/support/fake-llm";
import { createTeam, createUser, createWorkspaceFor } from "@/tests/support/fixtures";
import { completeChat } from "./call";
import {
  createProvider,
  deleteProvider,
  ensureDefaultProvider,
  getProvider,
  listProviders,
  loadProviderRecord,
  type ProviderInput,
  setDefaultProvider,
  updateProvider,
} from "./providers";

const KEY = "sk-live-abcdefghijklmnop-1234";

let server: FakeLlm;
let a: WorkspaceContext;
let b: WorkspaceContext;

beforeAll(async () => {
  server = await startFakeLlm();
  const teamA = await createTeam("Team A");
  const teamB = await createTeam("Team B");
  a = await requireWorkspace(teamA.members.owner, { id: teamA.workspace.id }, "settings.manage");
  b = await requireWorkspace(teamB.members.admin, { id: teamB.workspace.id }, "settings.manage");
});
afterAll(async () => {
  await server.stop();
});

const openai = (name: string, extra: Partial<ProviderInput> = {}): ProviderInput => ({
  name,
  kind: "openai",
  baseUrl: `${fakeBaseUrl(server, "openai")}/`,
  defaultModel: "fake-model",
  ...extra,
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return (error as { code?: string } | undefined)?.code;
}

describe("providers", () => {
  it("seals the key and never returns it; views show only a hint", async () => {
    const view = await createProvider(a, openai("Sealed", { apiKey: KEY }));
    expect(view).toMatchObject({ hasApiKey: true, apiKeyHint: "••••1234", baseUrl: fakeBaseUrl(server, "openai") });
    expect(Object.keys(view)).not.toContain("apiKeyEncrypted");
    for (const shown of [view, await getProvider(a, view.id), await listProviders(a)]) expect(JSON.stringify(shown)).not.toContain(KEY);

    const row = await db.llmProvider.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.apiKeyEncrypted).not.toBe(KEY);
    expect(row.apiKeyEncrypted).not.toContain(KEY);
    expect(unseal(row.apiKeyEncrypted!)).toBe(KEY);

    const events = await db.auditEvent.findMany({ where: { workspaceId: a.workspace.id, action: "settings.update", targetId: view.id } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it("an update without a key keeps the stored one; a new key replaces it", async () => {
    const view = await createProvider(a, openai("Rotating", { apiKey: KEY }));
    const sealedBefore = (await db.llmProvider.findUniqueOrThrow({ where: { id: view.id } })).apiKeyEncrypted;

    const renamed = await updateProvider(a, view.id, openai("Rotating 2", { defaultModel: "fake-model-large" }));
    expect(renamed).toMatchObject({ name: "Rotating 2", defaultModel: "fake-model-large", hasApiKey: true, apiKeyHint: "••••1234" });
    expect((await db.llmProvider.findUniqueOrThrow({ where: { id: view.id } })).apiKeyEncrypted).toBe(sealedBefore);

    await updateProvider(a, view.id, openai("Rotating 2", { apiKey: "" }));
    expect((await db.llmProvider.findUniqueOrThrow({ where: { id: view.id } })).apiKeyEncrypted).toBe(sealedBefore);

    const rotated = await updateProvider(a, view.id, openai("Rotating 2", { apiKey: "sk-new-key-99998888" }));
    expect(rotated.apiKeyHint).toBe("••••8888");
    expect(unseal((await db.llmProvider.findUniqueOrThrow({ where: { id: view.id } })).apiKeyEncrypted!)).toBe("sk-new-key-99998888");
  });

  it("a provider of workspace A is not found from workspace B, for every operation", async () => {
    const view = await createProvider(a, openai("Private", { apiKey: KEY }));
    expect(await codeOf(getProvider(b, view.id))).toBe("not_found");
    expect(await codeOf(updateProvider(b, view.id, openai("Stolen", { apiKey: "sk-attacker-key-0000" })))).toBe("not_found");
    expect(await codeOf(setDefaultProvider(b, view.id))).toBe("not_found");
    expect(await codeOf(deleteProvider(b, view.id))).toBe("not_found");
    expect(await codeOf(loadProviderRecord(b.workspace.id, view.id))).toBe("not_found");
    expect(await codeOf(getProvider(b, "not-a-uuid"))).toBe("not_found");
    expect((await listProviders(b)).map((p) => p.id)).not.toContain(view.id);
    expect(await getProvider(a, view.id)).toMatchObject({ name: "Private", apiKeyHint: "••••1234" });
  });

  it("validates with a message per field", async () => {
    const error = await createProvider(a, {
      name: " ",
      kind: "openai",
      baseUrl: "ftp://example.com",
      options: { concurrency: 0, requestsPerMinute: 0, timeoutMs: 120_000, prices: null },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(z.ZodError);
    const fields = Object.fromEntries((error as z.ZodError).issues.map((i) => [i.path.join("."), i.message]));
    expect(fields).toMatchObject({ name: "Give the provider a name.", baseUrl: "Use an http:// or https:// URL.", "options.concurrency": "At least 1." });

    const missingUrl = (await createProvider(a, { name: "No URL", kind: "ollama" }).catch((e: unknown) => e)) as z.ZodError;
    expect(missingUrl.issues[0]).toMatchObject({ path: ["baseUrl"], message: "Enter the server's URL, e.g. http://127.0.0.1:11434." });

    expect(
      await createProvider(a, {
        name: "HF router",
        kind: "huggingface",
        defaultModel: "meta-llama/Llama-3.1-8B-Instruct",
        options: { hfProvider: "together" },
      }),
    ).toMatchObject({
      baseUrl: null,
      options: { hfProvider: "together", concurrency: 4 },
    });
    await createProvider(a, openai("Twice"));
    expect(await codeOf(createProvider(a, openai("Twice")))).toBe("conflict");
  });

  it("the first provider is the default; switching and deleting keep exactly one", async () => {
    const owner = await createUser("solo");
    const workspace = await createWorkspaceFor(owner, "Solo");
    const ctx = await requireWorkspace(owner, { id: workspace.id }, "settings.manage");
    const first = await createProvider(ctx, openai("First"));
    const second = await createProvider(ctx, openai("Second"));
    expect([first.isDefault, second.isDefault]).toEqual([true, false]);

    await setDefaultProvider(ctx, second.id);
    expect((await listProviders(ctx)).map((p) => [p.name, p.isDefault])).toEqual([
      ["Second", true],
      ["First", false],
    ]);
    await deleteProvider(ctx, second.id);
    expect((await listProviders(ctx)).map((p) => [p.name, p.isDefault])).toEqual([["First", true]]);
    expect(await codeOf(getProvider(ctx, second.id))).toBe("not_found");
  });

  it("ensureDefaultProvider creates Local Ollama once, at OLLAMA_URL", async () => {
    const owner = await createUser("fresh");
    const workspace = await createWorkspaceFor(owner, "Fresh");
    const ctx = await requireWorkspace(owner, { id: workspace.id }, "settings.manage");
    const [one, two] = await Promise.all([ensureDefaultProvider(ctx), ensureDefaultProvider(ctx)]);
    expect(one).toMatchObject({ name: "Local Ollama", kind: "ollama", baseUrl: env().OLLAMA_URL, isDefault: true, hasApiKey: false });
    expect(two.id).toBe(one.id);
    expect(await db.llmProvider.count({ where: { workspaceId: workspace.id } })).toBe(1);
    expect((await ensureDefaultProvider(a)).name).not.toBe("Local Ollama");
  });

  it("viewers cannot manage providers", async () => {
    const team = await createTeam("Team V");
    await expect(requireWorkspace(team.members.viewer, { id: team.workspace.id }, "settings.manage")).rejects.toMatchObject({ code: "forbidden" });
  });

  it("the stored key reaches the provider as a bearer token through loadProviderRecord", async () => {
    const view = await createProvider(a, openai("Calling", { apiKey: KEY }));
    server.setMode("auth", { apiKey: KEY });
    const record = await loadProviderRecord(a.workspace.id, view.id);
    const result = await completeChat(record, [{ role: "user", content: "Write 2 examples." }], { json: true });
    expect(JSON.parse(result.text).examples).toHaveLength(2);
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect((await loadProviderRecord(a.workspace.id)).id).toBe((await listProviders(a)).find((p) => p.isDefault)!.id);
  });
});
