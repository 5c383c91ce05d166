import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { RenameWorkspaceForm } from "@/components/workspace/rename-workspace-form";
import { workspacePageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title="Settings" description="Workspace name, LLM providers, GPU runners and secrets." />
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
