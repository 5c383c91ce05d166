// Every server action and route handler, with how to call it on workspace A's resources.
// The access matrix test fails when an action or route exists that is not listed here.
import type { Team } from "../../support/fixtures";

export type ActionEntry = { input: (team: Team) => Record<string, unknown> };
export type RouteEntry = { method: string; params: (team: Team) => Record<string, string>; body?: (team: Team) => BodyInit; search?: string };

const projectInput = (extra: Record<string, unknown> = {}) => (t: Team) => ({ projectId: t.project.id, ...extra });
const workspaceInput = (extra: (t: Team) => Record<string, unknown> = () => ({})) => (t: Team) => ({ workspaceId: t.workspace.id, ...extra(t) });

export const ACTIONS: Record<string, ActionEntry | "self-service"> = {
  // Not tenant-scoped: sign-up, accepting one's own invitation, creating one's own workspace.
  "app/(auth)/sign-up/actions.ts#signUpAction": "self-service",
  "app/(auth)/invite/[token]/actions.ts#acceptInvitationAction": "self-service",
  "app/w/[workspace]/actions.ts#createWorkspaceAction": "self-service",
  // About the caller's own account only (tests/integration/sessions.test.ts).
  "app/w/[workspace]/account/actions.ts#changePasswordAction": "self-service",
  "app/w/[workspace]/account/actions.ts#signOutEverywhereAction": "self-service",

  "app/w/[workspace]/actions.ts#renameWorkspaceAction": { input: workspaceInput(() => ({ name: "Renamed" })) },
  "app/w/[workspace]/actions.ts#createProjectAction": { input: workspaceInput(() => ({ name: "New", taskType: "qa" })) },
  "app/w/[workspace]/members/actions.ts#inviteMemberAction": { input: workspaceInput(() => ({ email: "someone-new@example.com", role: "viewer" })) },
  "app/w/[workspace]/members/actions.ts#revokeInvitationAction": { input: workspaceInput((t) => ({ invitationId: t.invitation.id })) },
  "app/w/[workspace]/members/actions.ts#changeMemberRoleAction": { input: workspaceInput((t) => ({ membershipId: t.target.id, role: "viewer" })) },
  "app/w/[workspace]/members/actions.ts#removeMemberAction": { input: workspaceInput((t) => ({ membershipId: t.target.id })) },
  "app/w/[workspace]/members/actions.ts#leaveWorkspaceAction": { input: workspaceInput() },
  "app/w/[workspace]/p/[project]/actions.ts#updateProjectAction": { input: projectInput({ name: "Renamed", taskType: "instruction" }) },
  "app/w/[workspace]/p/[project]/actions.ts#deleteProjectAction": { input: projectInput() },
  "app/w/[workspace]/p/[project]/sources/actions.ts#addUrlSourceAction": { input: projectInput({ url: "https://example.com/page" }) },
  "app/w/[workspace]/p/[project]/sources/actions.ts#deleteSourceAction": { input: (t) => ({ projectId: t.project.id, fileId: t.source.id }) },
  "app/w/[workspace]/p/[project]/sources/actions.ts#rechunkSourcesAction": { input: (t) => ({ projectId: t.project.id, fileIds: [t.source.id] }) },
  "app/w/[workspace]/p/[project]/sources/actions.ts#previewImportAction": { input: (t) => ({ projectId: t.project.id, fileId: t.dataset.id }) },
  "app/w/[workspace]/p/[project]/sources/actions.ts#startImportAction": {
    input: (t) => ({ projectId: t.project.id, fileId: t.dataset.id, mapping: { shape: "columns", columns: { instruction: "instruction", output: "output" } } }),
  },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#saveGenerationSettingsAction": { input: projectInput({ settings: { temperature: 0.5 } }) },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#estimateGenerationAction": { input: projectInput() },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#startPreviewAction": { input: projectInput() },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#startGenerationAction": { input: projectInput() },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#updateExampleAction": {
    input: (t) => ({ projectId: t.project.id, exampleId: t.example.id, data: { instruction: "Say hello.", input: "", output: "Hello, nice to meet you." } }),
  },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#reviewExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] }, status: "approved" }) },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#deleteExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] } }) },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#countExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { filter: {} } }) },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#moveExamplesAction": { input: (t) => ({ projectId: t.project.id, target: { ids: [t.example.id] }, split: "eval" }) },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#resplitAction": { input: projectInput({ share: 0.8, seed: "s", scope: "all", stratify: true }) },
  "app/w/[workspace]/p/[project]/dataset/actions.ts#startDatasetExportAction": { input: projectInput({ format: "alpaca", selection: "valid" }) },
  "app/w/[workspace]/settings/actions.ts#createProviderAction": {
    input: workspaceInput(() => ({ provider: { name: "New provider", kind: "ollama", baseUrl: "http://127.0.0.1:11434" } })),
  },
  "app/w/[workspace]/settings/actions.ts#updateProviderAction": {
    input: workspaceInput((t) => ({ providerId: t.provider.id, provider: { name: "Renamed", kind: "ollama", baseUrl: "http://127.0.0.1:11434" } })),
  },
  "app/w/[workspace]/settings/actions.ts#deleteProviderAction": { input: workspaceInput((t) => ({ providerId: t.provider.id })) },
  "app/w/[workspace]/settings/actions.ts#setDefaultProviderAction": { input: workspaceInput((t) => ({ providerId: t.provider.id })) },
  "app/w/[workspace]/settings/actions.ts#testProviderAction": { input: workspaceInput((t) => ({ providerId: t.provider.id })) },
  "app/w/[workspace]/settings/actions.ts#createRunnerAction": { input: workspaceInput(() => ({ runner: { name: "New runner", kind: "local" } })) },
  "app/w/[workspace]/settings/actions.ts#updateRunnerAction": { input: workspaceInput((t) => ({ runnerId: t.runner.id, runner: { name: "Renamed runner", kind: "local" } })) },
  "app/w/[workspace]/settings/actions.ts#deleteRunnerAction": { input: workspaceInput((t) => ({ runnerId: t.sshRunner.id })) },
  "app/w/[workspace]/settings/actions.ts#probeHostKeyAction": { input: workspaceInput((t) => ({ runnerId: t.sshRunner.id })) },
  "app/w/[workspace]/settings/actions.ts#confirmHostKeyAction": {
    input: workspaceInput((t) => ({ runnerId: t.sshRunner.id, fingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })),
  },
  "app/w/[workspace]/settings/actions.ts#checkRunnerAction": { input: workspaceInput((t) => ({ runnerId: t.runner.id })) },
  "app/w/[workspace]/settings/actions.ts#setSecretAction": { input: workspaceInput(() => ({ secret: { name: "HF_TOKEN", value: "hf_fixture_value" } })) },
  "app/w/[workspace]/settings/actions.ts#deleteSecretAction": { input: workspaceInput((t) => ({ secretId: t.secret.id })) },
  "app/w/[workspace]/settings/actions.ts#savePresetAction": { input: workspaceInput(() => ({ preset: { name: "Saved", method: "lora", config: {} } })) },
  "app/w/[workspace]/settings/actions.ts#deletePresetAction": { input: workspaceInput((t) => ({ presetId: t.preset.id })) },
  "app/w/[workspace]/p/[project]/train/actions.ts#resolveModelInfoAction": { input: projectInput() },
  "app/w/[workspace]/p/[project]/train/actions.ts#preflightAction": { input: (t) => ({ projectId: t.project.id, run: { runnerId: t.runner.id, presetId: "builtin:lora-balanced" } }) },
  "app/w/[workspace]/p/[project]/train/actions.ts#startTrainingAction": { input: (t) => ({ projectId: t.project.id, run: { runnerId: t.runner.id, presetId: "builtin:lora-quick" } }) },
  "app/w/[workspace]/p/[project]/evaluate/actions.ts#startEvaluationAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "app/w/[workspace]/p/[project]/evaluate/actions.ts#estimateJudgeAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id, providerId: t.provider.id }) },
  "app/w/[workspace]/p/[project]/export/actions.ts#startBundleExportAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "app/w/[workspace]/p/[project]/export/actions.ts#startHubPushAction": { input: (t) => ({ projectId: t.project.id, runId: t.run.id, hub: { repo: "someone/model" } }) },
  "app/w/[workspace]/p/[project]/jobs/actions.ts#cancelJobAction": { input: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
  "app/w/[workspace]/p/[project]/jobs/actions.ts#retryJobAction": { input: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
};

export const ROUTES: Record<string, RouteEntry | "public"> = {
  "app/api/health/route.ts#GET": "public",
  "app/api/live/route.ts#GET": "public",
  "app/api/projects/[projectId]/files/route.ts#POST": {
    method: "POST",
    params: (t) => ({ projectId: t.project.id }),
    body: () => new TextEncoder().encode("# Notes\n\nSome text to upload.\n"),
    search: "?name=notes.md",
  },
  "app/api/projects/[projectId]/examples/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/examples/[exampleId]/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, exampleId: t.example.id }) },
  "app/api/projects/[projectId]/exports/[exportId]/download/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, exportId: t.exportRow.id }) },
  "app/api/projects/[projectId]/runs/[runId]/metrics/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, runId: t.run.id }) },
  "app/api/projects/[projectId]/runs/[runId]/files/[fileId]/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, runId: t.run.id, fileId: t.runFile.id }) },
  "app/api/projects/[projectId]/jobs/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
  "app/api/projects/[projectId]/jobs/[jobId]/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id, jobId: t.job.id }) },
  "app/api/projects/[projectId]/jobs/stream/route.ts#GET": { method: "GET", params: (t) => ({ projectId: t.project.id }) },
};

/** Route files whose handlers come from a library and guard themselves (next-auth). */
export const LIBRARY_ROUTES = ["app/api/auth/[...nextauth]/route.ts"];
