import type { Metadata } from "next";
import { Histogram } from "@/components/charts/histogram";
import { HubDatasetForm } from "@/components/sources/hub-dataset-form";
import { SourceList } from "@/components/sources/source-list";
import { UploadDropzone } from "@/components/sources/upload-dropzone";
import { UrlForm } from "@/components/sources/url-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { env, uploadMaxBytes } from "@/lib/env";
import { listProjectJobs } from "@/lib/jobs/queries";
import { chunkStats, listSources } from "@/lib/sources";

export const metadata: Metadata = { title: "Sources" };

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <div className="text-xs uppercase tracking-wide text-muted-foreground">{label}</div>
      <div className="text-xl font-semibold tabular-nums">{value}</div>
    </div>
  );
}

export default async function SourcesPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const [sources, stats, jobs] = await Promise.all([listSources(ctx), chunkStats(ctx), listProjectJobs(ctx, 200)]);
  const canManage = can(ctx.role, "sources.manage");
  const base = `/w/${workspace}/p/${ctx.projectId}`;
  return (
    <div className="space-y-6">
      {canManage && (
        <Card>
          <CardHeader>
            <CardTitle>Add sources</CardTitle>
            <CardDescription>Documents are chunked by tokens with their pages and sections kept; datasets are imported as examples.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            <UploadDropzone projectId={ctx.projectId} maxBytes={uploadMaxBytes()} direct={env().STORAGE_DRIVER === "s3"} />
            <UrlForm projectId={ctx.projectId} />
            <HubDatasetForm projectId={ctx.projectId} />
          </CardContent>
        </Card>
      )}
      {sources.length === 0 ? (
        <EmptyState
          title="No sources yet"
          description={
            canManage ? "Upload the documents the model should learn from, or a dataset you already have." : "Editors can add documents and datasets here."
          }
        />
      ) : (
        <>
          <Card>
            <CardHeader>
              <CardTitle>Sources ({sources.length})</CardTitle>
            </CardHeader>
            <CardContent>
              <SourceList projectId={ctx.projectId} base={base} sources={sources} jobs={jobs} canManage={canManage} canImport={can(ctx.role, "dataset.edit")} />
            </CardContent>
          </Card>
          {stats.chunks > 0 && (
            <Card>
              <CardHeader>
                <CardTitle>Chunks</CardTitle>
                <CardDescription>Token length of every chunk in the project.</CardDescription>
              </CardHeader>
              <CardContent className="space-y-4">
                <div className="grid grid-cols-2 gap-4 sm:grid-cols-5" data-testid="chunk-stats">
                  <Stat label="Documents" value={stats.documents.toLocaleString()} />
                  <Stat label="Chunks" value={stats.chunks.toLocaleString()} />
                  <Stat label="Tokens" value={stats.tokens.toLocaleString()} />
                  <Stat label="Avg tokens" value={stats.avgTokens.toLocaleString()} />
                  <Stat label="Min / max" value={`${stats.minTokens} / ${stats.maxTokens}`} />
                </div>
                <Histogram buckets={stats.histogram} label="chunks" />
              </CardContent>
            </Card>
          )}
        </>
      )}
    </div>
  );
}
