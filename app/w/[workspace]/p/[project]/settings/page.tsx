import type { Metadata } from "next";
import { CloneProject } from "@/components/projects/clone-project";
import { DeleteProject } from "@/components/projects/delete-project";
import { EditProjectForm } from "@/components/projects/edit-project-form";
import { SaveTemplate } from "@/components/projects/save-template";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { workersOcrLanguages } from "@/lib/jobs/heartbeat";
import { listProviders } from "@/lib/llm";
import { readProjectConfig } from "@/lib/projects/config";

export const metadata: Metadata = { title: "Project settings" };

export default async function ProjectSettingsPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project: projectId } = await params;
  const ctx = await projectPageContext(workspace, projectId);
  const { project } = ctx;
  const [ocrInstalled, providers] = await Promise.all([workersOcrLanguages(), listProviders(ctx)]);
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Project</CardTitle>
          <CardDescription>Name, task type, base model, and how documents are chunked and examples generated.</CardDescription>
        </CardHeader>
        <CardContent>
          <EditProjectForm
            projectId={project.id}
            canEdit={can(ctx.role, "project.update")}
            ocrInstalled={ocrInstalled}
            providers={providers.map((p) => ({ id: p.id, name: p.name, defaultModel: p.defaultModel, isDefault: p.isDefault, prices: p.options.prices }))}
            values={{
              name: project.name,
              description: project.description ?? "",
              taskType: project.taskType,
              baseModelId: project.baseModelId ?? "",
              config: readProjectConfig(project.config),
            }}
          />
        </CardContent>
      </Card>
      {can(ctx.role, "project.update") && <SaveTemplate projectId={project.id} defaultName={project.name} />}
      {can(ctx.role, "project.create") && <CloneProject projectId={project.id} name={project.name} />}
      {can(ctx.role, "project.delete") && <DeleteProject projectId={project.id} name={project.name} />}
    </div>
  );
}
