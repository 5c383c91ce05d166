import type { Metadata } from "next";
import { ExportPanel } from "@/components/dataset/export-panel";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { listExports } from "@/lib/exports";
import { EXPORT_FORMATS } from "@/lib/exports/dataset/formats";
import { listProjectJobs } from "@/lib/jobs/queries";

export const metadata: Metadata = { title: "Export dataset" };

export default async function DatasetExportPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const [exports, jobs] = await Promise.all([listExports(ctx), listProjectJobs(ctx, 50)]);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Export the dataset</CardTitle>
        <CardDescription>A ZIP with train and eval files in the format your trainer reads, plus dataset_info.json for LLaMA-Factory.</CardDescription>
      </CardHeader>
      <CardContent>
        <ExportPanel
          projectId={ctx.projectId}
          formats={EXPORT_FORMATS}
          exports={exports.filter((e) => !e.runId)}
          jobs={jobs}
          canCreate={can(ctx.role, "exports.create")}
        />
      </CardContent>
    </Card>
  );
}
