// Workspace secrets (Hugging Face token and friends): sealed with AES-256-GCM on the way in,
// write-only. Views carry the name, a hint of the last characters and when it changed; only
// server code that needs the value (model info, Hub push, training env) reads it.
import { z } from "zod";
import { isUuid, type WorkspaceContext } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { seal, secretHint, unseal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";

/** Secrets the product knows how to use; users may add others for their own runners. */
export const KNOWN_SECRETS = {
  HF_TOKEN: "Hugging Face token: gated base models, pushing adapters to the Hub.",
} as const;

export const HF_TOKEN = "HF_TOKEN";

export const secretInputSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9_]{1,63}$/, "Use capitals, digits and underscores, e.g. HF_TOKEN.")
    .max(64),
  value: z.string().trim().min(1, "Paste the secret's value.").max(8192, "That value is too long."),
});
export type SecretInput = z.input<typeof secretInputSchema>;

export type SecretView = { id: string; name: string; hint: string | null; description: string | null; updatedAt: Date };

export async function listSecrets(ctx: WorkspaceContext): Promise<SecretView[]> {
  const rows = await db.workspaceSecret.findMany({ where: { workspaceId: ctx.workspace.id }, orderBy: { name: "asc" } });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    hint: row.hint,
    description: KNOWN_SECRETS[row.name as keyof typeof KNOWN_SECRETS] ?? null,
    updatedAt: row.updatedAt,
  }));
}

/** Creates or replaces a secret by name. */
export async function setSecret(ctx: WorkspaceContext, input: SecretInput): Promise<SecretView> {
  const { name, value } = secretInputSchema.parse(input);
  const data = { valueEncrypted: seal(value), hint: secretHint(value) };
  const row = await db.workspaceSecret.upsert({
    where: { workspaceId_name: { workspaceId: ctx.workspace.id, name } },
    create: { workspaceId: ctx.workspace.id, name, ...data },
    update: data,
  });
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "secret.update",
    targetType: "secret",
    targetId: row.id,
    metadata: { name },
  });
  return { id: row.id, name: row.name, hint: row.hint, description: null, updatedAt: row.updatedAt };
}

export async function deleteSecret(ctx: WorkspaceContext, id: string): Promise<void> {
  const { count } = isUuid(id) ? await db.workspaceSecret.deleteMany({ where: { id, workspaceId: ctx.workspace.id } }) : { count: 0 };
  if (count === 0) throw notFound("Secret");
  await recordAudit({
    workspaceId: ctx.workspace.id,
    actorId: ctx.actor.id,
    action: "secret.update",
    targetType: "secret",
    targetId: id,
    metadata: { deleted: true },
  });
}

/** The plain value, for server code only (never returned by an action). */
export async function readSecret(workspaceId: string, name: string): Promise<string | undefined> {
  const row = await db.workspaceSecret.findUnique({ where: { workspaceId_name: { workspaceId, name } } });
  return row ? unseal(row.valueEncrypted) : undefined;
}
