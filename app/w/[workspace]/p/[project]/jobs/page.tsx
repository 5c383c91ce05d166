import type { Metadata } from "next";
import { JobList } from "@/components/jobs/job-list";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { listProjectJobs } from "@/lib/jobs/queries";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const jobs = await listProjectJobs(ctx);
  return (
    <div className="space-y-4">
      <p className="text-sm text-muted-foreground">
        Every long task of this project: chunking, generation, training, evaluation and exports. Progress updates live.
      </p>
      <JobList projectId={ctx.projectId} initial={jobs} canCancel={can(ctx.role, "jobs.cancel")} canRetry={can(ctx.role, "jobs.run")} />
    </div>
  );
}
