import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { NewWorkspaceForm } from "@/components/workspace/new-workspace-form";
import { requirePageActor } from "@/lib/auth/session";
import { listWorkspacesForUser } from "@/lib/workspaces";

export const metadata: Metadata = { title: "New workspace" };
export const dynamic = "force-dynamic";

export default async function NewWorkspacePage() {
  const actor = await requirePageActor("/workspaces/new");
  const workspaces = await listWorkspacesForUser(actor.id);
  if (workspaces.length > 0) redirect(`/w/${workspaces[0].slug}`);
  return (
    <div className="flex min-h-screen items-center justify-center bg-muted/40 p-4">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle>Create a workspace</CardTitle>
          <CardDescription>You are not a member of any workspace. Create one, or open an invitation link you received.</CardDescription>
        </CardHeader>
        <CardContent>
          <NewWorkspaceForm />
        </CardContent>
      </Card>
    </div>
  );
}
