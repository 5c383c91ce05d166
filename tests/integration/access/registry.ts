// Every server action and route handler, with how to call it on workspace A's resources.
// The access matrix test fails when an action or route exists that is not listed here.

import { hashToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db/client";
import { fileKey } from "@/lib/storage/keys";
import type { Team } from "../../support/fixtures";
import { currentTestActorId } from "../../support/request";

export type ActionEntry = {
  input: (team: Team) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Besides its role, the caller must be the instance's administrator (no workspace member is by default here): refused to every role. */
  instanceAdminOnly?: boolean;
};
export type RouteEntry = {
  method: string;
  params: (team: Team) => Record<string, string>;
  body?: (team: Team) => BodyInit | Promise<BodyInit>;
  search?: string;
};

const projectInput =
  (extra: Record<string, unknown> = {}) =>
  (t: Team) => ({ projectId: t.project.id, ...extra });
/** A browser upload to the bucket in progress (lib/sources/direct-upload), as a File row. */
function directUpload(t: Team) {
  const id = crypto.randomUUID();
  return db.file.create({
    data: {
      id,
      projectId: t.project.id,
      kind: "raw_doc",
      status: "uploading",
      filename: "big.pdf",
      storagePath: fileKey(t.workspace.id, t.project.id, id),
      metadata: { direct: { size: 10 } },
    },
  });
}
/** Two neighbouring chunks of the team's source, made when an entry needs them (the fixture has none). */
async function chunkPair(t: Team) {
  const make = (chunkIndex: number) =>
    db.chunk.upsert({
      where: { sourceFileId_chunkIndex: { sourceFileId: t.source.id, chunkIndex } },
      create: { projectId: t.project.id, sourceFileId: t.source.id, chunkIndex, content: `Fixture chunk ${chunkIndex}. It has two sentences.`, tokenCount: 10 },
      update: {},
    });
  return [await make(1000), await make(1001)];
}

/** A test set of the team's project with one question, made when an entry needs it. */
async function testSetOf(t: Team) {
  const testSet = await db.testSet.create({ data: { projectId: t.project.id, name: "Fixture test set" } });
  const question = await db.testQuestion.create({
    data: { testSetId: testSet.id, type: "true_false", question: "Refunds take 3 days.", answer: "true", naturalKey: `fixture:${testSet.id}` },
  });
  return { testSet, question };
}

const workspaceInput =
  (extra: (t: Team) => Record<string, unknown> = () => ({})) =>
  (t: Team) => ({ workspaceId: t.workspace.id, ...extra(t) });

/** An API token of whoever the call runs as (tokens are personal: one can revoke only one's own). */
async function ownToken(t: Team) {
  const userId = (await currentTestActorId()) ?? t.members.owner.id;
  const secret = `ftf_fixture_${crypto.randomUUID()}`;
  return db.apiToken.create({
    data: { userId, workspaceId: t.workspace.id, name: "Fixture", role: "viewer", tokenHash: hashToken(secret), prefix: "ftf_fixtu" },
  });
}

export const ACTIONS: Record<string, ActionEntry | "self-service"> = {
  // Not tenant-scoped: sign-up, accepting one's own invitation, creating one's own workspace.
  "lib/auth/actions.ts#signUpAction": "self-service",
  "lib/workspaces/actions.ts#acceptInvitationAction": "self-service",
  "lib/workspaces/actions.ts#createWorkspaceAction": "self-service",
  // About the caller's own account only (tests/integration/sessions.test.ts).
  "lib/auth/actions.ts#changePasswordAction": "self-service",
  "lib/auth/actions.ts#signOutEverywhereAction": "self-service",

  // The instance administrator's (tests/integration/access/matrix.test.ts: refused to every workspace role).
  "lib/admin/actions.ts#setUserActiveAction": { input: (t) => ({ userId: t.members.viewer.id, active: false }), instanceAdminOnly: true },
  "lib/admin/actions.ts#setWorkspaceQuotaAction": {
    input: (t) => ({ workspaceId: t.workspace.id, quota: { tokens_per_month: 1000000, storage_gb: null } }),
    instanceAdminOnly: true,
  },
  "lib/api/actions.ts#createApiTokenAction": { input: workspaceInput(() => ({ name: "CI", role: "viewer", expiresInDays: 30 })) },
  "lib/api/actions.ts#revokeApiTokenAction": { input: async (t) => ({ workspaceId: t.workspace.id, tokenId: (await ownToken(t)).id }) },
  "lib/log/actions.ts#queryLogsAction": { input: workspaceInput(() => ({ filter: {} })) },
  "lib/log/actions.ts#tailLogsAction": { input: workspaceInput(() => ({ filter: {}, after: "0" })) },
  "lib/workspaces/actions.ts#renameWorkspaceAction": { input: workspaceInput(() => ({ name: "Renamed" })) },
  "lib/workspaces/actions.ts#createProjectAction": { input: workspaceInput(() => ({ name: "New", taskType: "qa" })) },
  "lib/workspaces/actions.ts#inviteMemberAction": { input: workspaceInput(() => ({ email: "someone-new@example.com", role: "viewer" })) },
  "lib/workspaces/actions.ts#revokeInvitationAction": { input: workspaceInput((t) => ({ invitationId: t.invitation.id })) },
  "lib/workspaces/actions.ts#changeMemberRoleAction": { input: workspaceInput((t) => ({ membershipId: t.target.id, role: "viewer" })) },
  "lib/workspaces/actions.ts#removeMemberAction": { input: workspaceInput((t) => ({ membershipId: t.target.id })) },
  "lib/workspaces/actions.ts#leaveWorkspaceAction": { input: workspaceInput() },
  "lib/projects/actions.ts#updateProjectAction": { input: projectInput({ name: "Renamed", taskType: "instruction" }) },
  "lib/projects/actions.ts#deleteProjectAction": { input: projectInput() },
  "lib/projects/actions.ts#cloneProjectAction": { input: projectInput({ name: "Copy", withSources: false, withExamples: false }) },
  "lib/projects/actions.ts#saveTemplateAction": { input: projectInput({ name: `Template ${Math.random().toString(36).slice(2, 8)}` }) },
  "lib/projects/actions.ts#createProjectFromAction": { input: workspaceInput((t) => ({ name: "From settings", from: { projectId: t.project.id } })) },
  "lib/projects/actions.ts#deleteTemplateAction": {
    input: async (t) => ({
      workspaceId: t.workspace.id,
      templateId: (await db.projectTemplate.create({ data: { workspaceId: t.workspace.id, name: `T ${crypto.randomUUID()}`, taskType: "qa" } })).id,
    }),
  },
  "lib/sources/actions.ts#addUrlSourceAction": { input: projectInput({ url: "https://example.com/page" }) },
  // An id the Hub could not have: refused as input after the access check, without a request.
  "lib/sources/actions.ts#browseHubDatasetAction": { input: projectInput({ dataset: "not a dataset id!" }) },
  "lib/sources/actions.ts#importHubDatasetAction": { input: projectInput({ dataset: "acme/manuals", revision: "main", path: "data/train.jsonl" }) },
  // Local storage in tests: starting is refused as input (S3 only) after the access check; the
  // others act on a browser upload in progress.
  "lib/sources/actions.ts#startDirectUploadAction": { input: projectInput({ filename: "big.pdf", size: 50_000_000 }) },
  "lib/sources/actions.ts#completeDirectUploadAction": { input: async (t) => ({ projectId: t.project.id, fileId: (await directUpload(t)).id }) },
  "lib/sources/actions.ts#abortDirectUploadAction": { input: async (t) => ({ projectId: t.project.id, fileId: (await directUpload(t)).id }) },
  "lib/sources/actions.ts#deleteSourceAction": { input: (t) => ({ projectId: t.project.id, fileId: t.source.id }) },
  "lib/sources/actions.ts#rechunkSourcesAction": { input: (t) => ({ projectId: t.project.id, fileIds: [t.source.id] }) },
  "lib/sources/actions.ts#editChunkAction": {
    input: async (t) => ({ projectId: t.project.id, chunkId: (await chunkPair(t))[0].id, content: "Edited fixture chunk." }),
  },
  "lib/sources/actions.ts#mergeChunkAction": { input: async (t) => ({ projectId: t.project.id, chunkId: (await chunkPair(t))[0].id }) },
  "lib/sources/actions.ts#splitChunkAction": { input: async (t) => ({ projectId: t.project.id, chunkId: (await chunkPair(t))[0].id, at: 14 }) },
  "lib/sources/actions.ts#unlockPdfAction": { input: (t) => ({ projectId: t.project.id, fileId: t.source.id, password: "secret" }) },
  "lib/sources/actions.ts#previewImportAction": { input: (t) => ({ projectId: t.project.id, fileId: t.dataset.id }) },
  "lib/sources/actions.ts#startImportAction": {
    input: (t) => ({ projectId: t.project.id, fileId: t.dataset.id, mapping: { shape: "columns", columns: { instruction: "instruction", output: "output" } } }),
  },
  "lib/generation/actions.ts#saveGenerationSettingsAction": { input: projectInput({ settings: { temperature: 0.5 } }) },
  "lib/generation/actions.ts#estimateGenerationAction": { input: projectInput() },
  "lib/generation/actions.ts#startPreviewAction": { input: projectInput() },
  "lib/generation/actions.ts#startGenerationAction": { input: projectInput() },
  "lib/generation/actions.ts#estimateJudgeAction": { input: projectInput() },
  "lib/generation/actions.ts#startJudgeAction": { input: projectInput({ rubric: null }) },
  "lib/generation/actions.ts#rewriteExampleAction": {
    input: (t) => ({ projectId: t.project.id, exampleId: t.example.id, instruction: "Make the answer shorter." }),
  },
  "lib/datasets/actions.ts#updateExampleAction": {
    input: (t) => ({ projectId: t.project.id, exampleId: t.example.id, data: { instruction: "Say hello.", input: "", output: "Hello, nice to meet you." } }),
  },
  "lib/datasets/actions.ts#reviewExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] }, status: "approved" }) },
  "lib/datasets/actions.ts#deleteExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] } }) },
  "lib/datasets/actions.ts#countExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { filter: {} } }) },
  "lib/datasets/actions.ts#moveExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] }, split: "eval" }) },
  "lib/datasets/actions.ts#tagExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] }, add: ["checked"] }) },
  "lib/datasets/actions.ts#rateExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] }, rating: 4 }) },
  "lib/datasets/actions.ts#findNearDuplicatesAction": { input: projectInput() },
  "lib/datasets/actions.ts#keepOneNearDuplicateAction": { input: projectInput({ expectedCount: 0 }) },
  "lib/datasets/actions.ts#resplitAction": { input: projectInput({ share: 0.8, seed: "s", scope: "all", stratify: true }) },
  "lib/datasets/actions.ts#startDatasetExportAction": { input: projectInput({ format: "alpaca", selection: "valid" }) },
  "lib/llm/actions.ts#createProviderAction": {
    input: workspaceInput(() => ({ provider: { name: "New provider", kind: "ollama", baseUrl: "http://127.0.0.1:11434" } })),
  },
  "lib/llm/actions.ts#updateProviderAction": {
    input: workspaceInput((t) => ({ providerId: t.provider.id, provider: { name: "Renamed", kind: "ollama", baseUrl: "http://127.0.0.1:11434" } })),
  },
  "lib/llm/actions.ts#deleteProviderAction": { input: workspaceInput((t) => ({ providerId: t.provider.id })) },
  "lib/llm/actions.ts#setDefaultProviderAction": { input: workspaceInput((t) => ({ providerId: t.provider.id })) },
  "lib/llm/actions.ts#testProviderAction": { input: workspaceInput((t) => ({ providerId: t.provider.id })) },
  "lib/runners/actions.ts#createRunnerAction": { input: workspaceInput(() => ({ runner: { name: "New runner", kind: "local" } })) },
  "lib/runners/actions.ts#updateRunnerAction": { input: workspaceInput((t) => ({ runnerId: t.runner.id, runner: { name: "Renamed runner", kind: "local" } })) },
  "lib/runners/actions.ts#deleteRunnerAction": { input: workspaceInput((t) => ({ runnerId: t.sshRunner.id })) },
  "lib/runners/actions.ts#probeHostKeyAction": { input: workspaceInput((t) => ({ runnerId: t.sshRunner.id })) },
  "lib/runners/actions.ts#confirmHostKeyAction": {
    input: workspaceInput((t) => ({ runnerId: t.sshRunner.id, fingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })),
  },
  "lib/runners/actions.ts#checkRunnerAction": { input: workspaceInput((t) => ({ runnerId: t.runner.id })) },
  "lib/secrets/actions.ts#setSecretAction": { input: workspaceInput(() => ({ secret: { name: "HF_TOKEN", value: "hf_fixture_value" } })) },
  "lib/secrets/actions.ts#deleteSecretAction": { input: workspaceInput((t) => ({ secretId: t.secret.id })) },
  "lib/training/actions.ts#savePresetAction": { input: workspaceInput(() => ({ preset: { name: "Saved", method: "lora", config: {} } })) },
  "lib/training/actions.ts#deletePresetAction": { input: workspaceInput((t) => ({ presetId: t.preset.id })) },
  "lib/training/actions.ts#resolveModelInfoAction": { input: projectInput() },
  "lib/training/actions.ts#preflightAction": { input: (t) => ({ projectId: t.project.id, run: { runnerId: t.runner.id, presetId: "builtin:lora-balanced" } }) },
  "lib/training/actions.ts#startTrainingAction": {
    input: (t) => ({ projectId: t.project.id, run: { runnerId: t.runner.id, presetId: "builtin:lora-quick" } }),
  },
  "lib/evaluation/test-sets/actions.ts#createTestSetAction": {
    input: projectInput({ name: "Set", types: ["true_false"], perType: 1, chunks: 5, sourceFileIds: [] }),
  },
  "lib/evaluation/test-sets/actions.ts#deleteTestSetAction": { input: async (t) => ({ projectId: t.project.id, testSetId: (await testSetOf(t)).testSet.id }) },
  "lib/evaluation/test-sets/actions.ts#updateTestQuestionAction": {
    input: async (t) => ({ projectId: t.project.id, questionId: (await testSetOf(t)).question.id, question: "Refunds take 4 days.", answer: "false" }),
  },
  "lib/evaluation/test-sets/actions.ts#reviewTestQuestionAction": {
    input: async (t) => ({ projectId: t.project.id, questionId: (await testSetOf(t)).question.id, status: "approved" }),
  },
  "lib/evaluation/test-sets/actions.ts#answerTestSetAction": {
    input: async (t) => ({
      projectId: t.project.id,
      testSetId: (await testSetOf(t)).testSet.id,
      with: { kind: "provider", providerId: t.provider.id, model: "fake-chat" },
    }),
  },
  "lib/evaluation/test-sets/actions.ts#nextArenaItemAction": {
    input: async (t) => ({ projectId: t.project.id, testSetId: (await testSetOf(t)).testSet.id, modelA: "base:x", modelB: "tuned:x" }),
  },
  "lib/evaluation/test-sets/actions.ts#estimateTestSetJudgeAction": {
    input: async (t) => ({ projectId: t.project.id, testSetId: (await testSetOf(t)).testSet.id, providerId: t.provider.id }),
  },
  "lib/evaluation/test-sets/actions.ts#voteArenaAction": { input: projectInput({ ticket: "not-a-ticket", choice: "tie" }) },
  "lib/training/actions.ts#updateRunNotesAction": {
    input: (t) => ({ projectId: t.project.id, runId: t.run.id, description: "Baseline.", tags: ["baseline"] }),
  },
  "lib/training/actions.ts#deleteRunAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id, confirmName: "wrong name" }) },
  "lib/evaluation/actions.ts#startEvaluationAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "lib/evaluation/actions.ts#estimateJudgeAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id, providerId: t.provider.id }) },
  "lib/exports/actions.ts#startBundleExportAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "lib/exports/actions.ts#startModelMergeAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "lib/exports/actions.ts#startHubPushAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id, hub: { repo: "someone/model" } }) },
  "lib/datasets/actions.ts#startDatasetMergeAction": {
    input: async (t) => {
      const version = await db.datasetVersion.create({
        data: { projectId: t.project.id, version: 90 + Math.floor(Math.random() * 1e6), contentHash: "f".repeat(64) },
      });
      return { projectId: t.project.id, fromVersionId: version.id };
    },
  },
  "lib/jobs/actions.ts#cancelJobAction": { input: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
  "lib/jobs/actions.ts#retryJobAction": { input: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
};

export const ROUTES: Record<string, RouteEntry | "public" | "self"> = {
  "app/api/health/route.ts#GET": "public",
  "app/api/live/route.ts#GET": "public",
  "app/api/projects/[projectId]/files/route.ts#POST": {
    method: "POST",
    params: (t) => ({ projectId: t.project.id }),
    body: () => new TextEncoder().encode("# Notes\n\nSome text to upload.\n"),
    search: "?name=notes.md",
  },
  // Local storage in tests: starting and completing are refused as input (S3 only) after the access check.
  "app/api/projects/[projectId]/uploads/route.ts#POST": {
    method: "POST",
    params: (t) => ({ projectId: t.project.id }),
    body: () => JSON.stringify({ filename: "big.pdf", size: 50_000_000 }),
  },
  "app/api/projects/[projectId]/uploads/complete/route.ts#POST": {
    method: "POST",
    params: (t) => ({ projectId: t.project.id }),
    body: async (t) => JSON.stringify({ fileId: (await directUpload(t)).id }),
  },
  "app/api/projects/[projectId]/uploads/abort/route.ts#POST": {
    method: "POST",
    params: (t) => ({ projectId: t.project.id }),
    body: async (t) => JSON.stringify({ fileId: (await directUpload(t)).id }),
  },
  "app/api/projects/[projectId]/examples/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/examples/[exampleId]/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, exampleId: t.example.id }) },
  "app/api/projects/[projectId]/exports/[exportId]/download/route.ts#GET": {
    method: "GET",
    params: (t) => ({ projectId: t.project.id, exportId: t.exportRow.id }),
  },
  "app/api/projects/[projectId]/runs/[runId]/metrics/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "app/api/projects/[projectId]/runs/[runId]/files/[fileId]/route.ts#GET": {
    method: "GET",
    params: (t) => ({ projectId: t.project.id, runId: t.run.id, fileId: t.runFile.id }),
  },
  "app/api/projects/[projectId]/jobs/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/jobs/[jobId]/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
  "app/api/projects/[projectId]/jobs/stream/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/jobs/[jobId]/cancel/route.ts#POST": { method: "POST", params: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
  "app/api/projects/[projectId]/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/sources/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/runs/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/workspaces/[workspaceId]/projects/route.ts#GET": { method: "GET", params: (t) => ({ workspaceId: t.workspace.id }) },
  "app/api/openapi.json/route.ts#GET": "public",
  // About the caller alone: tests/integration/api-tokens.test.ts.
  "app/api/me/route.ts#GET": "self",
};

/** Route files whose handlers come from a library and guard themselves (next-auth). */
export const LIBRARY_ROUTES = ["app/api/auth/[...nextauth]/route.ts"];
