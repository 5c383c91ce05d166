// A workspace's GPU runners: SSH boxes and the worker's own machine. Private keys are sealed on
// the way in (pasted or generated here) and never come back out; the public key is shown to paste
// into the box's authorized_keys. A box's host key is pinned only after a person confirmed its
// fingerprint; every later connection refuses a different key.

import os from "node:os";
import path from "node:path";
import { Prisma, type Runner } from "@prisma/client";
import { z } from "zod";
import { isUuid, type WorkspaceContext } from "@/lib/access/guard";
import { recordAudit } from "@/lib/audit";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { seal, unseal } from "@/lib/crypto";
import { db } from "@/lib/db/client";
import { env, localRunnersAllowed, storageDir } from "@/lib/env";
import { conflict, forbidden, invalidInput, notFound, prismaErrorCode } from "@/lib/errors";
import { checkRunner, type RunnerCheck } from "./check";
import type { RunnerConnection } from "./connection";
import { RunnerError } from "./errors";
import { generateKeyPair, publicKeyFromPrivate } from "./keys";
import { createLocalConnection } from "./local-connection";
import { packageIndexFields } from "./package-index";
import { connectSsh, probeHostKey } from "./ssh-connection";

export type { RunnerCheck } from "./check";
export type { RunnerConnection } from "./connection";
export { RunnerError } from "./errors";

const HOST = /^[A-Za-z0-9._:-]+$/;

export const runnerInputSchema = z
  .object({
    name: z.string().trim().min(1, "Give the runner a name.").max(120, "At most 120 characters."),
    kind: z.enum(["ssh", "local"], { error: "Choose SSH or this machine." }),
    host: z.string().trim().max(255).optional().default(""),
    port: z.coerce.number().int("A whole number.").min(1, "1 to 65535.").max(65535, "1 to 65535.").optional().default(22),
    username: z.string().trim().max(64, "At most 64 characters.").optional().default(""),
    workDir: z.string().trim().min(1, "Where runs live on the box, e.g. ~/finetuneflow.").max(1024).optional().default("~/finetuneflow"),
    /** Empty: bootstrap a venv in workDir on first run. */
    pythonPath: z.string().trim().max(1024).optional().default(""),
    /** Where pip finds the packages when the app sets up the venv (empty: the box's pip configuration). */
    ...packageIndexFields,
    /** Write-only. Empty on create: generate a key pair here; empty on update: keep the stored key. */
    privateKey: z.string().trim().max(16_384, "That key is too long.").optional().default(""),
  })
  .superRefine((input, ctx) => {
    if (input.kind !== "ssh") return;
    if (!input.host) ctx.addIssue({ code: "custom", path: ["host"], message: "Enter the box's host name or IP address." });
    else if (!HOST.test(input.host)) ctx.addIssue({ code: "custom", path: ["host"], message: "A host name or IP address, without user@ or a path." });
    if (!input.username) ctx.addIssue({ code: "custom", path: ["username"], message: "Enter the user to sign in as on the box." });
    if (input.workDir.includes("'")) ctx.addIssue({ code: "custom", path: ["workDir"], message: "Quotes are not allowed in the path." });
  });
export type RunnerInput = z.input<typeof runnerInputSchema>;

export type RunnerView = {
  id: string;
  name: string;
  kind: "ssh" | "local";
  host: string | null;
  port: number;
  username: string | null;
  workDir: string;
  pythonPath: string | null;
  packageIndexUrl: string | null;
  extraIndexUrls: string[];
  findLinks: string[];
  publicKey: string | null;
  hasPrivateKey: boolean;
  hostKeyFingerprint: string | null;
  lastCheck: RunnerCheck | null;
  lastCheckedAt: Date | null;
  createdAt: Date;
};

function toView(row: Runner): RunnerView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    host: row.host,
    port: row.port,
    username: row.username,
    workDir: row.workDir,
    pythonPath: row.pythonPath,
    packageIndexUrl: row.packageIndexUrl,
    extraIndexUrls: row.extraIndexUrls,
    findLinks: row.findLinks,
    publicKey: row.publicKey,
    hasPrivateKey: row.privateKeyEncrypted !== null,
    hostKeyFingerprint: row.hostKeyFingerprint,
    lastCheck: (row.lastCheck as RunnerCheck | null) ?? null,
    lastCheckedAt: row.lastCheckedAt,
    createdAt: row.createdAt,
  };
}

async function findRow(workspaceId: string, id: string): Promise<Runner> {
  const row = isUuid(id) ? await db.runner.findFirst({ where: { id, workspaceId } }) : null;
  if (!row) throw notFound("Runner");
  return row;
}

function audit(ctx: WorkspaceContext, runnerId: string, metadata: Prisma.InputJsonObject) {
  return recordAudit({ workspaceId: ctx.workspace.id, actorId: ctx.actor.id, action: "settings.update", targetType: "runner", targetId: runnerId, metadata });
}

/** The sealed private key and its public half; a pasted key is checked before it is stored. */
function keyFields(privateKey: string, comment: string): { privateKeyEncrypted: string; publicKey: string } {
  if (privateKey) {
    let publicKey: string;
    try {
      publicKey = publicKeyFromPrivate(privateKey);
    } catch (error) {
      throw invalidInput("That private key cannot be used.", { privateKey: error instanceof Error ? error.message : "Not an OpenSSH or PEM private key." });
    }
    return { privateKeyEncrypted: seal(privateKey), publicKey };
  }
  const pair = generateKeyPair(comment);
  return { privateKeyEncrypted: seal(pair.privateKey), publicKey: pair.publicKey };
}

const nameTaken = () => conflict("A runner with this name already exists.", { name: "Choose another name." });

export async function listRunners(ctx: WorkspaceContext): Promise<RunnerView[]> {
  const rows = await db.runner.findMany({ where: { workspaceId: ctx.workspace.id }, orderBy: { name: "asc" } });
  return rows.map(toView);
}

export async function getRunner(ctx: WorkspaceContext, id: string): Promise<RunnerView> {
  return toView(await findRow(ctx.workspace.id, id));
}

export const LOCAL_RUNNERS_OFF =
  "Runners on this server are turned off: they would run programs on the app's own machine. The server's administrator can allow them with ALLOW_LOCAL_RUNNERS=true.";
export const LOCAL_RUNNERS_ADMIN_ONLY = "Only the server's administrator may use \"This server\" runners: they run programs on the app's own machine.";

/** Where a "This server" runner keeps its runs: under the app's storage, one folder per workspace. */
export function localRunnerWorkDir(workspaceId: string): string {
  return path.join(storageDir(), "runners", workspaceId);
}

/** Pythons a "This server" runner may name (LOCAL_RUNNER_PYTHONS); none: the app's own venv only. */
function allowedLocalPythons(): string[] {
  return (env().LOCAL_RUNNER_PYTHONS ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * A "This server" runner runs our runner program with the server's own rights, so only the
 * instance administrator may add, change, check or launch on one, and only in its confined work
 * directory with the app's Python or one the administrator allowed.
 */
export async function assertMayUseLocalRunner(ctx: WorkspaceContext, pythonPath: string | null): Promise<void> {
  if (!localRunnersAllowed()) throw invalidInput(LOCAL_RUNNERS_OFF, { kind: "Not allowed on this server." });
  if (!(await isInstanceAdmin(ctx.actor))) throw forbidden(LOCAL_RUNNERS_ADMIN_ONLY);
  if (pythonPath && !allowedLocalPythons().includes(pythonPath)) {
    throw invalidInput("This server runs only the Python the app sets up, or one the administrator lists in LOCAL_RUNNER_PYTHONS.", {
      pythonPath: "Leave empty: the app sets up its own Python environment.",
    });
  }
}

export async function createRunner(ctx: WorkspaceContext, input: RunnerInput): Promise<RunnerView> {
  const fields = runnerInputSchema.parse(input);
  if (fields.kind === "local") {
    await assertMayUseLocalRunner(ctx, fields.pythonPath || null);
    fields.workDir = localRunnerWorkDir(ctx.workspace.id);
  }
  const keys = fields.kind === "ssh" ? keyFields(fields.privateKey, `finetuneflow@${ctx.workspace.slug}`) : null;
  try {
    const row = await db.runner.create({
      data: {
        workspaceId: ctx.workspace.id,
        name: fields.name,
        kind: fields.kind,
        host: fields.kind === "ssh" ? fields.host : null,
        port: fields.port,
        username: fields.kind === "ssh" ? fields.username : null,
        workDir: fields.workDir,
        pythonPath: fields.pythonPath || null,
        packageIndexUrl: fields.packageIndexUrl || null,
        extraIndexUrls: fields.extraIndexUrls,
        findLinks: fields.findLinks,
        ...keys,
      },
    });
    await audit(ctx, row.id, { change: "create", runner: row.name, kind: row.kind, keyGenerated: fields.kind === "ssh" && !fields.privateKey });
    return toView(row);
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw nameTaken();
    throw error;
  }
}

/**
 * A changed host, port or key unpins the host key: the user confirms the (new) box again. The
 * stored key is never offered to a new address: moving the runner (host, port or user) without
 * pasting a key generates a new pair, whose public half the user installs on the new box.
 */
export async function updateRunner(ctx: WorkspaceContext, id: string, input: RunnerInput): Promise<RunnerView> {
  const row = await findRow(ctx.workspace.id, id);
  const fields = runnerInputSchema.parse(input);
  if (fields.kind !== row.kind) throw invalidInput("A runner's kind cannot change; add a new runner instead.", { kind: "Add a new runner instead." });
  if (row.kind === "local") {
    await assertMayUseLocalRunner(ctx, fields.pythonPath || null);
    fields.workDir = localRunnerWorkDir(ctx.workspace.id);
  }
  const moved = fields.host !== (row.host ?? "") || fields.port !== row.port;
  const rekey = row.kind === "ssh" && !fields.privateKey && (moved || fields.username !== (row.username ?? ""));
  try {
    const updated = await db.runner.update({
      where: { id: row.id },
      data: {
        name: fields.name,
        host: row.kind === "ssh" ? fields.host : null,
        port: fields.port,
        username: row.kind === "ssh" ? fields.username : null,
        workDir: fields.workDir,
        pythonPath: fields.pythonPath || null,
        packageIndexUrl: fields.packageIndexUrl || null,
        extraIndexUrls: fields.extraIndexUrls,
        findLinks: fields.findLinks,
        ...(fields.privateKey || rekey ? keyFields(fields.privateKey, `finetuneflow@${ctx.workspace.slug}`) : {}),
        ...(moved ? { hostKeyFingerprint: null, lastCheck: Prisma.DbNull, lastCheckedAt: null } : {}),
      },
    });
    await audit(ctx, row.id, { change: "update", runner: updated.name, keyReplaced: Boolean(fields.privateKey), keyGenerated: rekey, hostKeyUnpinned: moved });
    return toView(updated);
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw nameTaken();
    throw error;
  }
}

export async function deleteRunner(ctx: WorkspaceContext, id: string): Promise<void> {
  const row = await findRow(ctx.workspace.id, id);
  const active = await db.run.count({ where: { runnerId: row.id, status: { in: ["queued", "running", "retrying"] } } });
  if (active > 0) throw conflict("A run is still using this runner. Cancel it or let it finish, then delete the runner.");
  await db.runner.delete({ where: { id: row.id } });
  await audit(ctx, row.id, { change: "delete", runner: row.name });
}

export type HostKeyProbe = { fingerprint: string; keyType: string; pinned: string | null; matches: boolean };

/** The box's current host key, for the user to compare with `ssh-keygen -lf` on the box. */
export async function probeRunnerHostKey(ctx: WorkspaceContext, id: string): Promise<HostKeyProbe> {
  const row = await findRow(ctx.workspace.id, id);
  if (row.kind !== "ssh" || !row.host) throw invalidInput("Only SSH runners have a host key.");
  const { fingerprint, keyType } = await probeHostKey({ host: row.host, port: row.port });
  return { fingerprint, keyType, pinned: row.hostKeyFingerprint, matches: row.hostKeyFingerprint === fingerprint };
}

/**
 * Pins the fingerprint the user saw and confirmed. The box is asked again so a key that changed
 * between showing and confirming is refused rather than pinned.
 */
export async function confirmRunnerHostKey(ctx: WorkspaceContext, id: string, fingerprint: string): Promise<RunnerView> {
  const probe = await probeRunnerHostKey(ctx, id);
  if (probe.fingerprint !== fingerprint) {
    throw conflict(`The box now presents a different host key (${probe.fingerprint}) from the one you confirmed. Check the box before trusting it.`);
  }
  const row = await db.runner.update({ where: { id }, data: { hostKeyFingerprint: fingerprint } });
  await audit(ctx, id, { change: "pin_host_key", fingerprint });
  return toView(row);
}

export type RunnerRecord = Pick<
  Runner,
  | "id"
  | "workspaceId"
  | "kind"
  | "host"
  | "port"
  | "username"
  | "workDir"
  | "pythonPath"
  | "packageIndexUrl"
  | "extraIndexUrls"
  | "findLinks"
  | "privateKeyEncrypted"
  | "hostKeyFingerprint"
  | "name"
>;

/** Opens a connection to a runner row (server code only: the key is unsealed here). */
export async function openRunner(runner: RunnerRecord): Promise<RunnerConnection> {
  if (runner.kind === "local") {
    if (!localRunnersAllowed()) throw new RunnerError(LOCAL_RUNNERS_OFF);
    // Whatever the row says (rows from before the confinement said "~/finetuneflow").
    return createLocalConnection(localRunnerWorkDir(runner.workspaceId));
  }
  if (!runner.host || !runner.username || !runner.privateKeyEncrypted)
    throw new RunnerError(`Runner "${runner.name}" is missing its host, user or key. Edit it in workspace settings.`);
  let privateKey: string;
  try {
    privateKey = unseal(runner.privateKeyEncrypted);
  } catch {
    throw new RunnerError(`The key of runner "${runner.name}" cannot be read (was SECRET_KEY changed?). Paste or generate a new key in workspace settings.`);
  }
  return connectSsh({ host: runner.host, port: runner.port, username: runner.username, privateKey, hostKeyFingerprint: runner.hostKeyFingerprint });
}

export async function loadRunnerRecord(workspaceId: string, id: string): Promise<Runner> {
  return findRow(workspaceId, id);
}

export const LOCAL_RUNNER_NAME = "This server";
const LOCAL_WORK_DIR = "~/finetuneflow";

// Whether this machine has an NVIDIA GPU, asked once per process (nvidia-smi takes a moment).
let localGpuCheck: Promise<RunnerCheck | null> | undefined;

function checkLocalMachine(): Promise<RunnerCheck | null> {
  localGpuCheck ??= (async () => {
    const connection = createLocalConnection(os.homedir());
    try {
      return await checkRunner(connection, { workDir: LOCAL_WORK_DIR, pythonPath: "python3" });
    } catch {
      return null;
    } finally {
      await connection.close().catch(() => {});
    }
  })();
  return localGpuCheck;
}

/** For tests: forget the cached answer about this machine's GPU. */
export function forgetLocalMachineCheck(): void {
  localGpuCheck = undefined;
}

/**
 * No configuration on one machine (ARCHITECTURE.md, Processes): a workspace without runners, on a server that has
 * a GPU and allows local runners, gets "This server" — checked already, so the preflight knows
 * its GPU.
 */
export async function ensureLocalRunner(ctx: WorkspaceContext): Promise<void> {
  if (!localRunnersAllowed() || !(await isInstanceAdmin(ctx.actor))) return;
  if ((await db.runner.count({ where: { workspaceId: ctx.workspace.id } })) > 0) return;
  const check = await checkLocalMachine();
  if (!check || check.gpus.length === 0) return;
  try {
    await db.runner.create({
      data: {
        workspaceId: ctx.workspace.id,
        name: LOCAL_RUNNER_NAME,
        kind: "local",
        workDir: localRunnerWorkDir(ctx.workspace.id),
        lastCheck: check as unknown as Prisma.InputJsonValue,
        lastCheckedAt: new Date(),
      },
    });
  } catch (error) {
    // Another request added it first.
    if (prismaErrorCode(error) !== "P2002") throw error;
  }
}

/** Connects, reports GPUs, Python and disk, and remembers the result (the preflight uses it). */
export async function checkRunnerNow(ctx: WorkspaceContext, id: string): Promise<RunnerCheck> {
  const row = await findRow(ctx.workspace.id, id);
  if (row.kind === "local") await assertMayUseLocalRunner(ctx, row.pythonPath);
  const connection = await openRunner(row);
  try {
    const result = await checkRunner(connection, { workDir: row.workDir, pythonPath: row.pythonPath ?? "python3" });
    await db.runner.update({ where: { id: row.id }, data: { lastCheck: result as unknown as Prisma.InputJsonValue, lastCheckedAt: new Date() } });
    return result;
  } finally {
    await connection.close().catch(() => {});
  }
}
