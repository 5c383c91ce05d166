import type { Metadata } from "next";
import { ApiTokenList } from "@/components/settings/api-token-list";
import { ProviderList } from "@/components/settings/provider-list";
import { RunnerList } from "@/components/settings/runner-list";
import { SecretList } from "@/components/settings/secret-list";
import { TemplateList } from "@/components/settings/template-list";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { RenameWorkspaceForm } from "@/components/workspace/rename-workspace-form";
import { workspacePageContext } from "@/lib/access/page";
import { can, rolesUpTo } from "@/lib/access/permissions";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { localRunnersAllowed } from "@/lib/env";
import { ensureDefaultProvider, listProviders } from "@/lib/llm";
import { listTemplates } from "@/lib/projects/templates";
import { ensureLocalRunner, listRunners } from "@/lib/runners";
import { listSecrets } from "@/lib/secrets";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  await Promise.all([ensureDefaultProvider(ctx), ensureLocalRunner(ctx)]);
  const [providers, runners, secrets, templates, tokens] = await Promise.all([
    listProviders(ctx),
    listRunners(ctx),
    listSecrets(ctx),
    listTemplates(ctx),
    listApiTokens(ctx),
  ]);
  const canManage = can(ctx.role, "settings.manage");
  return (
    <div className="mx-auto max-w-6xl space-y-6">
      <PageHeader title="Settings" description="Workspace name, LLM providers, GPU runners, secrets and API tokens." />
      <Card>
        <CardHeader>
          <CardTitle>LLM providers</CardTitle>
          <CardDescription>The models that write your datasets. Keys are stored encrypted and never shown again.</CardDescription>
        </CardHeader>
        <CardContent>
          <ProviderList
            workspaceId={ctx.workspace.id}
            canManage={can(ctx.role, "settings.manage")}
            providers={providers.map((p) => ({
              ...p,
              baseUrl: p.baseUrl ?? "",
              defaultModel: p.defaultModel ?? "",
              options: { ...p.options, hfProvider: p.options.hfProvider },
            }))}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>GPU runners</CardTitle>
          <CardDescription>Where training runs: a GPU box over SSH, or this server. Private keys are stored encrypted and never shown again.</CardDescription>
        </CardHeader>
        <CardContent>
          <RunnerList
            workspaceId={ctx.workspace.id}
            canManage={canManage}
            allowLocal={localRunnersAllowed()}
            runners={runners.map((r) => ({ ...r, lastCheckedAt: r.lastCheckedAt?.toISOString() ?? null }))}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Secrets</CardTitle>
          <CardDescription>
            Tokens the workspace uses, such as HF_TOKEN for gated models and Hub pushes. Write-only: values are never shown again.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <SecretList workspaceId={ctx.workspace.id} canManage={canManage} secrets={secrets.map((s) => ({ ...s, updatedAt: s.updatedAt.toISOString() }))} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>API tokens</CardTitle>
          <CardDescription>Your personal keys to the REST API in this workspace. Only you see and use yours; only a hash is stored.</CardDescription>
        </CardHeader>
        <CardContent>
          <ApiTokenList workspaceId={ctx.workspace.id} tokens={tokens} roles={rolesUpTo(ctx.role)} apiDocsHref="/api/openapi.json" />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Project templates</CardTitle>
          <CardDescription>Saved project settings that new projects can start from.</CardDescription>
        </CardHeader>
        <CardContent>
          <TemplateList workspaceId={ctx.workspace.id} templates={templates} canDelete={can(ctx.role, "project.create")} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>General</CardTitle>
          <CardDescription>The workspace&apos;s name, as its members see it.</CardDescription>
        </CardHeader>
        <CardContent>
          <RenameWorkspaceForm workspaceId={ctx.workspace.id} name={ctx.workspace.name} canEdit={can(ctx.role, "workspace.rename")} />
        </CardContent>
      </Card>
    </div>
  );
}
