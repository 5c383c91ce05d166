// Test data built through the real database. Users get a real scrypt hash of TEST_PASSWORD,
// computed once per file to keep fixtures fast.
import crypto from "node:crypto";
import type { Role } from "@/lib/access/permissions";
import { hashPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { getStorage } from "@/lib/storage";
import { exportKey, fileKey, runArtifactKey } from "@/lib/storage/keys";

export const TEST_PASSWORD = "correct horse battery staple";
let hashed: Promise<string> | undefined;

export type TestUser = { id: string; email: string; name: string };

export async function createUser(label = "user"): Promise<TestUser> {
  hashed ??= hashPassword(TEST_PASSWORD);
  const suffix = crypto.randomBytes(4).toString("hex");
  const user = await db.user.create({
    data: { email: `${label}-${suffix}@example.com`, name: `${label} ${suffix}`, passwordHash: await hashed },
  });
  return { id: user.id, email: user.email, name: user.name! };
}

export async function createWorkspaceFor(owner: TestUser, name = "Workspace") {
  return db.workspace.create({
    data: {
      name,
      slug: `${name.toLowerCase().replace(/\W+/g, "-")}-${crypto.randomBytes(4).toString("hex")}`,
      createdById: owner.id,
      memberships: { create: { userId: owner.id, role: "owner" } },
    },
  });
}

export async function addMember(workspaceId: string, user: TestUser, role: Role) {
  return db.membership.create({ data: { workspaceId, userId: user.id, role } });
}

export async function createProjectIn(workspaceId: string, name = "Project") {
  return db.project.create({ data: { workspaceId, name, taskType: "instruction", config: {} } });
}

/** A workspace with one member per role, a project, a target member and a pending invitation. */
export async function createTeam(name = "Team A") {
  const owner = await createUser("owner");
  const workspace = await createWorkspaceFor(owner, name);
  const members = { owner } as Record<Role, TestUser>;
  for (const role of ["admin", "editor", "viewer"] as const) {
    members[role] = await createUser(role);
    await addMember(workspace.id, members[role], role);
  }
  const targetUser = await createUser("target");
  const target = await addMember(workspace.id, targetUser, "editor");
  const project = await createProjectIn(workspace.id);
  const invitation = await db.invitation.create({
    data: {
      workspaceId: workspace.id,
      email: `invitee-${crypto.randomBytes(4).toString("hex")}@example.com`,
      role: "editor",
      tokenHash: crypto.randomBytes(32).toString("hex"),
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  const source = await db.file.create({
    data: { projectId: project.id, kind: "raw_doc", status: "ready", filename: "guide.md", storagePath: "unused", metadata: { format: "markdown" } },
  });
  const datasetId = crypto.randomUUID();
  const datasetPath = fileKey(workspace.id, project.id, datasetId);
  const stored = await getStorage().put(datasetPath, Buffer.from('{"instruction":"Hi?","output":"Hello."}\n'));
  const dataset = await db.file.create({
    data: {
      id: datasetId,
      projectId: project.id,
      kind: "dataset_upload",
      status: "ready",
      filename: "data.jsonl",
      storagePath: datasetPath,
      sizeBytes: stored.size,
      sha256: stored.sha256,
      metadata: { format: "jsonl" },
    },
  });
  const job = await db.job.create({
    data: { projectId: project.id, type: "diagnostic", status: "failed", errorMessage: "fixture", payload: { items: 1 } },
  });
  const example = await db.datasetExample.create({
    data: {
      projectId: project.id,
      naturalKey: `fixture:${crypto.randomUUID()}`,
      data: { instruction: "Say hi.", input: "", output: "Hello there, nice to meet you." },
      split: "train",
    },
  });
  const provider = await db.llmProvider.create({
    data: { workspaceId: workspace.id, name: "Fixture Ollama", kind: "ollama", baseUrl: "http://127.0.0.1:9", options: {}, isDefault: true },
  });
  const exportId = crypto.randomUUID();
  const exportPath = exportKey(workspace.id, project.id, exportId, "dataset-alpaca.zip");
  const exported = await getStorage().put(exportPath, Buffer.from("PK fixture"));
  const exportFile = await db.file.create({
    data: {
      projectId: project.id,
      kind: "export",
      status: "ready",
      filename: "dataset-alpaca.zip",
      storagePath: exportPath,
      sizeBytes: exported.size,
      sha256: exported.sha256,
    },
  });
  const exportRow = await db.export.create({ data: { id: exportId, projectId: project.id, format: "alpaca", status: "success", fileId: exportFile.id } });
  // Training: a local runner (no SSH needed), a saved preset, a secret, and a finished run with a file.
  const runner = await db.runner.create({ data: { workspaceId: workspace.id, name: "Fixture runner", kind: "local", workDir: "/tmp/ftf-fixture-runner" } });
  const sshRunner = await db.runner.create({
    data: {
      workspaceId: workspace.id,
      name: "Fixture SSH",
      kind: "ssh",
      host: "127.0.0.1",
      port: 9,
      username: "nobody",
      publicKey: "ssh-ed25519 AAAA fixture",
    },
  });
  const preset = await db.trainingPreset.create({ data: { workspaceId: workspace.id, name: "Fixture preset", method: "lora", config: { lora_r: 8 } } });
  const secret = await db.workspaceSecret.create({ data: { workspaceId: workspace.id, name: "FIXTURE_TOKEN", valueEncrypted: "v1.x.y.z", hint: "••••" } });
  const trainJobRow = await db.job.create({
    data: {
      projectId: project.id,
      type: "train",
      status: "success",
      payload: {},
      startedAt: new Date(Date.now() - 60_000),
      finishedAt: new Date(Date.now() - 30_000),
    },
  });
  const run = await db.run.create({
    data: {
      projectId: project.id,
      jobId: trainJobRow.id,
      name: "fixture-run",
      method: "lora",
      status: "success",
      runnerId: runner.id,
      baseModelId: "fixture/model",
      hyperparams: {},
      metrics: { train_loss: 1.2 },
    },
  });
  const runFilePath = runArtifactKey(workspace.id, project.id, run.id, "output/adapter/adapter_config.json");
  const storedRunFile = await getStorage().put(runFilePath, Buffer.from('{"r": 8}'));
  const runFile = await db.file.create({
    data: {
      projectId: project.id,
      runId: run.id,
      kind: "artifact",
      filename: "output/adapter/adapter_config.json",
      storagePath: runFilePath,
      sizeBytes: storedRunFile.size,
      sha256: storedRunFile.sha256,
    },
  });
  return {
    workspace,
    members,
    target,
    targetUser,
    project,
    invitation,
    job,
    source,
    dataset,
    example,
    provider,
    exportRow,
    runner,
    sshRunner,
    preset,
    secret,
    run,
    runFile,
  };
}
export type Team = Awaited<ReturnType<typeof createTeam>>;
