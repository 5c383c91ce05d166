import { FileText, FolderPlus, Rows3 } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { NewProjectDialog } from "@/components/projects/new-project-dialog";
import { ProjectStatusBadge } from "@/components/projects/project-status";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { workspacePageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { listProjects } from "@/lib/projects";
import { listTemplates } from "@/lib/projects/templates";

export const metadata: Metadata = { title: "Projects" };

const JOB_LABELS: Record<string, string> = {
  chunking: "Chunking",
  import: "Import",
  dataset_preview: "Preview",
  dataset_generate: "Generation",
  train: "Training",
  eval: "Evaluation",
  export: "Export",
  diagnostic: "Diagnostic",
};

export default async function WorkspaceHome({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  const [projects, templates] = await Promise.all([listProjects(ctx), listTemplates(ctx)]);
  const canCreate = can(ctx.role, "project.create");
  const newProject = <NewProjectDialog workspaceId={ctx.workspace.id} templates={templates} projects={projects.map((p) => ({ id: p.id, name: p.name }))} />;

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title="Projects"
        description="Each project turns a set of documents into a dataset and a fine-tuned model."
        actions={canCreate && newProject}
      />
      {projects.length === 0 ? (
        <EmptyState
          icon={FolderPlus}
          title="Create your first project"
          description={
            canCreate
              ? "A project walks you through it: upload documents, generate a dataset with an LLM, review it, fine-tune a model on your GPU box, evaluate and export."
              : "There are no projects here yet. Editors, admins and owners can create one."
          }
          action={canCreate && newProject}
        />
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="project-list">
          {projects.map((project) => (
            <Link key={project.id} href={`/w/${slug}/p/${project.id}`} className="group">
              <Card className="h-full transition-shadow group-hover:shadow-md">
                <CardHeader>
                  <div className="flex items-start justify-between gap-2">
                    <CardTitle className="truncate text-base">{project.name}</CardTitle>
                    <ProjectStatusBadge status={project.status} />
                  </div>
                  <CardDescription className="line-clamp-2 min-h-10">{project.description || "No description."}</CardDescription>
                </CardHeader>
                <CardContent className="space-y-3 text-sm">
                  <div className="flex flex-wrap gap-2">
                    <Badge variant="outline">{project.taskType === "qa" ? "Q&A" : "Instruction"}</Badge>
                    {project.baseModelId && (
                      <Badge variant="outline" className="max-w-full truncate font-mono text-xs">
                        {project.baseModelId}
                      </Badge>
                    )}
                  </div>
                  <div className="grid grid-cols-3 gap-2 text-muted-foreground">
                    <div title="Documents">
                      <FileText className="mb-1 size-4" />
                      <span className="font-medium text-foreground">{project.docCount}</span> docs
                    </div>
                    <div title="Valid train examples">
                      <Rows3 className="mb-1 size-4" />
                      <span className="font-medium text-foreground">{project.trainExamples}</span> examples
                    </div>
                    <div title="Last job">
                      <span className="mb-1 block text-xs uppercase tracking-wide">Last job</span>
                      {project.lastJob ? (
                        <span className="text-foreground">
                          {JOB_LABELS[project.lastJob.type] ?? project.lastJob.type} · {project.lastJob.status}
                        </span>
                      ) : (
                        "none"
                      )}
                    </div>
                  </div>
                </CardContent>
              </Card>
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}
