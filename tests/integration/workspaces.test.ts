import { describe, expect, it } from "vitest";
import { requireWorkspace } from "@/lib/access/guard";
import { signUpAction } from "@/lib/auth/actions";
import { db } from "@/lib/db/client";
import { listProjects } from "@/lib/projects";
import { changeMemberRole, leaveWorkspace, removeMember } from "@/lib/workspaces";
import {
  acceptInvitationAction,
  changeMemberRoleAction,
  createProjectAction,
  inviteMemberAction,
  leaveWorkspaceAction,
  removeMemberAction,
  revokeInvitationAction,
} from "@/lib/workspaces/actions";
import { createTeam, createUser } from "../support/fixtures";
import { actAs } from "../support/request";

async function invite(team: Awaited<ReturnType<typeof createTeam>>, email: string, role: "viewer" | "editor" | "admin" | "owner" = "editor") {
  await actAs(team.members.owner);
  const result = await inviteMemberAction({ workspaceId: team.workspace.id, email, role });
  if (!result.ok) throw new Error(result.error.message);
  return result.data.link.split("/invite/")[1];
}

describe("invitations", () => {
  it("a new person signs up from the link and joins with the invited role", async () => {
    const team = await createTeam();
    const token = await invite(team, "newcomer@example.com", "viewer");
    await actAs(null);
    const result = await signUpAction({ name: "New", email: "newcomer@example.com", password: "a long enough passphrase", invitationToken: token });
    expect(result.ok && result.data.workspaceSlug).toBe(team.workspace.slug);
    const user = await db.user.findUniqueOrThrow({ where: { email: "newcomer@example.com" } });
    const membership = await db.membership.findUniqueOrThrow({ where: { workspaceId_userId: { workspaceId: team.workspace.id, userId: user.id } } });
    expect(membership.role).toBe("viewer");
  });

  it("an existing user accepts; a used link then says so", async () => {
    const team = await createTeam();
    const user = await createUser("existing");
    const token = await invite(team, user.email);
    await actAs(user);
    expect((await acceptInvitationAction({ token })).ok).toBe(true);
    const again = await acceptInvitationAction({ token });
    expect(!again.ok && again.error.message).toMatch(/already used/);
  });

  it("expired, revoked and other people's invitations are refused with a clear message", async () => {
    const team = await createTeam();
    const user = await createUser("late");
    const expiredToken = await invite(team, user.email);
    await db.invitation.updateMany({ where: { email: user.email }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await actAs(user);
    const expired = await acceptInvitationAction({ token: expiredToken });
    expect(!expired.ok && expired.error.message).toMatch(/expired/);
    await actAs(null);
    const signUp = await signUpAction({ name: "X", email: user.email, password: "a long enough passphrase", invitationToken: expiredToken });
    expect(!signUp.ok && signUp.error.message).toMatch(/expired/);

    const revokedToken = await invite(team, user.email);
    const pending = await db.invitation.findFirstOrThrow({ where: { email: user.email, revokedAt: null, acceptedAt: null } });
    expect((await revokeInvitationAction({ workspaceId: team.workspace.id, invitationId: pending.id })).ok).toBe(true);
    await actAs(user);
    const revoked = await acceptInvitationAction({ token: revokedToken });
    expect(!revoked.ok && revoked.error.message).toMatch(/revoked/);

    const someoneElse = await invite(team, "someone.else@example.com");
    await actAs(user);
    const wrong = await acceptInvitationAction({ token: someoneElse });
    expect(!wrong.ok && wrong.error.message).toMatch(/sent to someone.else@example.com/);
  });

  it("refuses to invite an existing member or to let an admin invite an owner", async () => {
    const team = await createTeam();
    await actAs(team.members.owner);
    const dup = await inviteMemberAction({ workspaceId: team.workspace.id, email: team.members.viewer.email, role: "viewer" });
    expect(!dup.ok && dup.error.fieldErrors?.email).toMatch(/Already a member/);
    await actAs(team.members.admin);
    const owner = await inviteMemberAction({ workspaceId: team.workspace.id, email: "boss@example.com", role: "owner" });
    expect(!owner.ok && owner.error.code).toBe("forbidden");
  });
});

describe("roles", () => {
  it("the last owner can neither be demoted nor leave; with two owners one can", async () => {
    const team = await createTeam();
    const ownerMembership = await db.membership.findFirstOrThrow({ where: { workspaceId: team.workspace.id, role: "owner" } });
    await actAs(team.members.owner);
    const demote = await changeMemberRoleAction({ workspaceId: team.workspace.id, membershipId: ownerMembership.id, role: "admin" });
    expect(!demote.ok && demote.error.message).toMatch(/at least one owner/);
    const leave = await leaveWorkspaceAction({ workspaceId: team.workspace.id });
    expect(!leave.ok && leave.error.message).toMatch(/last owner/);

    const adminMembership = await db.membership.findFirstOrThrow({ where: { workspaceId: team.workspace.id, userId: team.members.admin.id } });
    expect((await changeMemberRoleAction({ workspaceId: team.workspace.id, membershipId: adminMembership.id, role: "owner" })).ok).toBe(true);
    expect((await leaveWorkspaceAction({ workspaceId: team.workspace.id })).ok).toBe(true);
    expect(await db.membership.count({ where: { workspaceId: team.workspace.id, userId: team.members.owner.id } })).toBe(0);
  });

  it("two owners demoting, removing or leaving at once never leave the workspace without an owner", async () => {
    for (const attack of ["demote", "remove", "leave"] as const) {
      const team = await createTeam();
      const second = team.members.admin;
      await db.membership.updateMany({ where: { workspaceId: team.workspace.id, userId: second.id }, data: { role: "owner" } });
      const ctxA = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "members.manage");
      const ctxB = await requireWorkspace(second, { id: team.workspace.id }, "members.manage");
      const membershipOf = (userId: string) => db.membership.findFirstOrThrow({ where: { workspaceId: team.workspace.id, userId } });
      const [a, b] = [await membershipOf(team.members.owner.id), await membershipOf(second.id)];
      const moves = {
        demote: () => [changeMemberRole(ctxA, b.id, "admin"), changeMemberRole(ctxB, a.id, "admin")],
        remove: () => [removeMember(ctxA, b.id), removeMember(ctxB, a.id)],
        leave: () => [leaveWorkspace(ctxA), leaveWorkspace(ctxB)],
      }[attack]();
      const results = await Promise.allSettled(moves);
      expect(
        results.filter((r) => r.status === "fulfilled"),
        attack,
      ).toHaveLength(1);
      expect(await db.membership.count({ where: { workspaceId: team.workspace.id, role: "owner" } }), attack).toBe(1);
    }
  });

  it("admins cannot touch owners", async () => {
    const team = await createTeam();
    const ownerMembership = await db.membership.findFirstOrThrow({ where: { workspaceId: team.workspace.id, role: "owner" } });
    await actAs(team.members.admin);
    const demote = await changeMemberRoleAction({ workspaceId: team.workspace.id, membershipId: ownerMembership.id, role: "viewer" });
    expect(!demote.ok && demote.error.code).toBe("forbidden");
    const remove = await removeMemberAction({ workspaceId: team.workspace.id, membershipId: ownerMembership.id });
    expect(!remove.ok && remove.error.code).toBe("forbidden");
    const promote = await changeMemberRoleAction({ workspaceId: team.workspace.id, membershipId: team.target.id, role: "owner" });
    expect(!promote.ok && promote.error.code).toBe("forbidden");
  });

  it("role changes are audited", async () => {
    const team = await createTeam();
    await actAs(team.members.owner);
    await changeMemberRoleAction({ workspaceId: team.workspace.id, membershipId: team.target.id, role: "viewer" });
    const event = await db.auditEvent.findFirstOrThrow({ where: { workspaceId: team.workspace.id, action: "member.role_change" } });
    expect(event.metadata).toMatchObject({ from: "editor", to: "viewer" });
  });
});

describe("projects", () => {
  it("a new project gets the default config", async () => {
    const team = await createTeam();
    await actAs(team.members.editor);
    const result = await createProjectAction({ workspaceId: team.workspace.id, name: "Handbook", taskType: "qa" });
    expect(result.ok).toBe(true);
    const project = await db.project.findFirstOrThrow({ where: { name: "Handbook" } });
    expect(project.config).toEqual({
      num_examples_target: 2000,
      max_seq_length: 2048,
      train_eval_split: 0.9,
      examples_per_chunk: 5,
      chunk_size_tokens: 512,
      chunk_overlap_tokens: 50,
      chunk_strategy: "tokens",
      max_eval_leakage: 0.1,
      near_dup_threshold: 0.7,
      ocr_languages: "eng",
      ocr_engine: "tesseract",
      ocr_vision_provider: "",
      ocr_vision_model: "",
      docx_comments: false,
      dataset_license: "",
    });
    expect(project.status).toBe("draft");
  });

  it("a bad config gets a message on each bad field and creates nothing", async () => {
    const team = await createTeam();
    await actAs(team.members.editor);
    const before = await db.project.count();
    const result = await createProjectAction({
      workspaceId: team.workspace.id,
      name: "",
      taskType: "qa",
      baseModelId: "not a model id!",
      // A language list that would be an option to Tesseract is refused here, before any worker sees it.
      config: { train_eval_split: 1.5, chunk_size_tokens: 100, chunk_overlap_tokens: 80, num_examples_target: 0, ocr_languages: "eng --tessdata-dir /etc" },
    });
    expect(result.ok).toBe(false);
    const fields = !result.ok ? (result.error.fieldErrors ?? {}) : {};
    expect(Object.keys(fields).sort()).toEqual(
      ["baseModelId", "config.chunk_overlap_tokens", "config.num_examples_target", "config.ocr_languages", "config.train_eval_split", "name"].sort(),
    );
    expect(fields["config.chunk_overlap_tokens"]).toMatch(/less than half/);
    expect(fields["config.ocr_languages"]).toMatch(/eng\+deu/);
    expect(await db.project.count()).toBe(before);
  });

  it("the dashboard lists documents, valid train examples and the last job", async () => {
    const team = await createTeam();
    const project = team.project;
    // The team fixture already holds one document (guide.md) and one valid train example.
    const file = await db.file.create({ data: { projectId: project.id, kind: "raw_doc", filename: "a.pdf", storagePath: "x" } });
    await db.file.create({ data: { projectId: project.id, kind: "artifact", filename: "adapter", storagePath: "y" } });
    for (const [i, valid] of [true, true, false].entries()) {
      await db.datasetExample.create({ data: { projectId: project.id, data: { q: i }, isValid: valid, naturalKey: `k${i}`, sourceFileId: file.id } });
    }
    await db.job.create({ data: { projectId: project.id, type: "chunking", status: "success" } });
    await new Promise((r) => setTimeout(r, 5));
    await db.job.create({ data: { projectId: project.id, type: "dataset_generate", status: "running" } });
    const [row] = await listProjects({ actor: team.members.viewer, workspace: { ...team.workspace }, role: "viewer" });
    expect(row).toMatchObject({ docCount: 2, trainExamples: 3, lastJob: { type: "dataset_generate", status: "running" } });
  });
});
