// A workspace's LLM providers. Keys are sealed on the way in and never come back out: views
// carry only whether a key is set and its last characters. Every query carries the workspace.
import type { LlmProvider, Prisma } from "@prisma/client";
import { z } from "zod";
import { isUuid, type WorkspaceContext } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { seal, secretHint, unseal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { conflict, invalidInput, notFound, prismaErrorCode } from "@/lib/errors";
import type { LlmProviderRecord } from "./chat";
import { type ProviderOptions, providerOptions, providerOptionsSchema } from "./options";

export const PROVIDER_KINDS = ["ollama", "openai", "huggingface"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

const isHttpUrl = (value: string) => {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

export const providerInputSchema = z
  .object({
    name: z.string().trim().min(1, "Give the provider a name.").max(120, "At most 120 characters."),
    kind: z.enum(PROVIDER_KINDS, { error: "Choose Ollama, OpenAI-compatible or Hugging Face." }),
    baseUrl: z
      .string()
      .trim()
      .max(1024, "At most 1024 characters.")
      .refine((v) => v === "" || isHttpUrl(v), "Use an http:// or https:// URL.")
      .transform((v) => v.replace(/\/+$/, ""))
      .optional()
      .default(""),
    defaultModel: z.string().trim().max(255, "At most 255 characters.").optional().default(""),
    /** Write-only; empty keeps the stored key. */
    apiKey: z.string().trim().max(4096, "That key is too long.").optional().default(""),
    options: providerOptionsSchema.optional().default(() => providerOptionsSchema.parse({})),
  })
  .superRefine((input, ctx) => {
    if (input.kind !== "huggingface" && input.baseUrl === "") {
      const example = input.kind === "ollama" ? "http://127.0.0.1:11434" : "https://api.openai.com/v1";
      ctx.addIssue({ code: "custom", path: ["baseUrl"], message: `Enter the server's URL, e.g. ${example}.` });
    }
  });
export type ProviderInput = z.input<typeof providerInputSchema>;

export type ProviderView = {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string | null;
  defaultModel: string | null;
  options: ProviderOptions;
  isDefault: boolean;
  hasApiKey: boolean;
  /** e.g. "••••a1b2"; null when no key is set or the stored one cannot be read. */
  apiKeyHint: string | null;
  createdAt: Date;
  updatedAt: Date;
};

function hintOf(sealed: string | null): string | null {
  if (!sealed) return null;
  try {
    return secretHint(unseal(sealed));
  } catch {
    return null;
  }
}

function toView(row: LlmProvider): ProviderView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    defaultModel: row.defaultModel,
    options: providerOptions(row),
    isDefault: row.isDefault,
    hasApiKey: row.apiKeyEncrypted !== null,
    apiKeyHint: hintOf(row.apiKeyEncrypted),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const nameTaken = () => conflict("A provider with this name already exists.", { name: "Choose another name." });

async function findRow(ctx: WorkspaceContext, id: string): Promise<LlmProvider> {
  const row = isUuid(id) ? await db.llmProvider.findFirst({ where: { id, workspaceId: ctx.workspace.id } }) : null;
  if (!row) throw notFound("Provider");
  return row;
}

function audit(ctx: WorkspaceContext, providerId: string, metadata: Prisma.InputJsonObject) {
  return recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "settings.update",
    targetType: "llm_provider",
    targetId: providerId,
    metadata,
  });
}

export async function listProviders(ctx: WorkspaceContext): Promise<ProviderView[]> {
  const rows = await db.llmProvider.findMany({ where: { workspaceId: ctx.workspace.id }, orderBy: [{ isDefault: "desc" }, { name: "asc" }] });
  return rows.map(toView);
}

export async function getProvider(ctx: WorkspaceContext, id: string): Promise<ProviderView> {
  return toView(await findRow(ctx, id));
}

export async function createProvider(ctx: WorkspaceContext, input: ProviderInput): Promise<ProviderView> {
  const fields = providerInputSchema.parse(input);
  const hasDefault = (await db.llmProvider.count({ where: { workspaceId: ctx.workspace.id, isDefault: true } })) > 0;
  let row: LlmProvider;
  try {
    row = await db.llmProvider.create({
      data: {
        workspaceId: ctx.workspace.id,
        name: fields.name,
        kind: fields.kind,
        baseUrl: fields.baseUrl || null,
        defaultModel: fields.defaultModel || null,
        apiKeyEncrypted: fields.apiKey ? seal(fields.apiKey) : null,
        options: fields.options as Prisma.InputJsonObject,
        isDefault: !hasDefault,
      },
    });
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw nameTaken();
    throw error;
  }
  await audit(ctx, row.id, { change: "create", provider: row.name, kind: row.kind, apiKeySet: fields.apiKey !== "" });
  return toView(row);
}

/** Changing where the key is sent (the URL, or the kind, which decides the URL) needs the key again. */
export const KEY_AGAIN = "Enter the API key again: the stored key is never sent to a new address.";

export async function updateProvider(ctx: WorkspaceContext, id: string, input: ProviderInput): Promise<ProviderView> {
  const fields = providerInputSchema.parse(input);
  const row = await findRow(ctx, id);
  const moved = (fields.baseUrl || null) !== row.baseUrl || fields.kind !== row.kind;
  if (moved && row.apiKeyEncrypted && !fields.apiKey) throw invalidInput(KEY_AGAIN, { apiKey: KEY_AGAIN });
  try {
    await db.llmProvider.updateMany({
      where: { id, workspaceId: ctx.workspace.id },
      data: {
        name: fields.name,
        kind: fields.kind,
        baseUrl: fields.baseUrl || null,
        defaultModel: fields.defaultModel || null,
        options: fields.options as Prisma.InputJsonObject,
        ...(fields.apiKey ? { apiKeyEncrypted: seal(fields.apiKey) } : {}),
      },
    });
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw nameTaken();
    throw error;
  }
  await audit(ctx, id, { change: "update", provider: fields.name, kind: fields.kind, apiKeyReplaced: fields.apiKey !== "" });
  return getProvider(ctx, id);
}

export async function deleteProvider(ctx: WorkspaceContext, id: string): Promise<void> {
  const row = await findRow(ctx, id);
  await db.$transaction(async (tx) => {
    await tx.llmProvider.deleteMany({ where: { id, workspaceId: ctx.workspace.id } });
    if (!row.isDefault) return;
    // The oldest remaining provider takes over, so generation keeps a provider to use.
    const next = await tx.llmProvider.findFirst({ where: { workspaceId: ctx.workspace.id }, orderBy: { createdAt: "asc" } });
    if (next) await tx.llmProvider.updateMany({ where: { id: next.id, workspaceId: ctx.workspace.id }, data: { isDefault: true } });
  });
  await audit(ctx, id, { change: "delete", provider: row.name, kind: row.kind });
}

export async function setDefaultProvider(ctx: WorkspaceContext, id: string): Promise<ProviderView> {
  const row = await findRow(ctx, id);
  await db.$transaction([
    db.llmProvider.updateMany({ where: { workspaceId: ctx.workspace.id, isDefault: true, NOT: { id } }, data: { isDefault: false } }),
    db.llmProvider.updateMany({ where: { id, workspaceId: ctx.workspace.id }, data: { isDefault: true } }),
  ]);
  await audit(ctx, id, { change: "set_default", provider: row.name });
  return getProvider(ctx, id);
}

export const LOCAL_OLLAMA_NAME = "Local Ollama";

/** The workspace's default provider; a workspace without any gets "Local Ollama" at OLLAMA_URL. */
export async function ensureDefaultProvider(ctx: WorkspaceContext): Promise<ProviderView> {
  const where = { workspaceId: ctx.workspace.id };
  const current = await db.llmProvider.findFirst({ where, orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }] });
  if (current?.isDefault) return toView(current);
  if (current) {
    await db.llmProvider.updateMany({ where: { id: current.id, ...where }, data: { isDefault: true } });
    return getProvider(ctx, current.id);
  }
  try {
    const row = await db.llmProvider.create({
      data: { ...where, name: LOCAL_OLLAMA_NAME, kind: "ollama", baseUrl: env().OLLAMA_URL, options: providerOptionsSchema.parse({}), isDefault: true },
    });
    await audit(ctx, row.id, { change: "create", provider: row.name, kind: row.kind, automatic: true });
    return toView(row);
  } catch (error) {
    // Another request created it first.
    if (prismaErrorCode(error) !== "P2002") throw error;
    return toView(await db.llmProvider.findFirstOrThrow({ where: { ...where, name: LOCAL_OLLAMA_NAME } }));
  }
}

/** The row a call needs (sealed key included), for server code such as the generation worker: the given provider, or the workspace default. */
export async function loadProviderRecord(workspaceId: string, providerId?: string | null): Promise<LlmProviderRecord> {
  if (providerId && !isUuid(providerId)) throw notFound("Provider");
  const row = await db.llmProvider.findFirst({
    where: providerId ? { id: providerId, workspaceId } : { workspaceId, isDefault: true },
    select: { id: true, kind: true, baseUrl: true, defaultModel: true, apiKeyEncrypted: true, options: true },
  });
  if (!row) throw notFound(providerId ? "Provider" : "A default LLM provider");
  return row;
}
