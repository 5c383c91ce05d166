import { ProjectNav } from "@/components/projects/project-nav";
import { ProjectStatusBadge } from "@/components/projects/project-status";
import { Badge } from "@/components/ui/badge";
import { projectPageContext } from "@/lib/access/page";
import { splitErrorText } from "@/lib/jobs/error-text";

export default async function ProjectLayout({ children, params }: { children: React.ReactNode; params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project: projectId } = await params;
  const { project } = await projectPageContext(workspace, projectId);
  const base = `/w/${workspace}/p/${project.id}`;
  return (
    <div className="mx-auto max-w-6xl">
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h1 className="truncate text-2xl font-semibold tracking-tight" data-testid="project-title">
          {project.name}
        </h1>
        <ProjectStatusBadge status={project.status} />
        <Badge variant="outline">{project.taskType === "qa" ? "Q&A" : "Instruction"}</Badge>
        {project.baseModelId && (
          <Badge variant="outline" className="font-mono text-xs">
            {project.baseModelId}
          </Badge>
        )}
      </div>
      {project.status === "failed" && project.errorMessage && (
        <div
          role="alert"
          data-testid="project-failure"
          className="mb-4 break-words rounded-lg border border-destructive/40 bg-destructive/10 px-4 py-3 text-sm text-destructive"
        >
          {/* The cause only (rows written before causes were kept to one line may hold a log). */}
          {splitErrorText(project.errorMessage).message}
        </div>
      )}
      <ProjectNav base={base} />
      <div className="mt-6">{children}</div>
    </div>
  );
}
