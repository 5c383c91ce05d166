import type { Metadata } from "next";
import { DedupeButton } from "@/components/dataset/dedupe-button";
import { JudgeDialog } from "@/components/dataset/judge-dialog";
import { MergeDialog } from "@/components/dataset/merge-dialog";
import { NearDupTools } from "@/components/dataset/near-dup-tools";
import { ResplitDialog } from "@/components/dataset/resplit-dialog";
import { ReviewTable } from "@/components/dataset/review-table";
import { StatsPanel } from "@/components/dataset/stats-panel";
import { TopicCoverage } from "@/components/dataset/topic-coverage";
import { JobList } from "@/components/jobs/job-list";
import { Card, CardContent } from "@/components/ui/card";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { mergeSources } from "@/lib/datasets/merge";
import { listExamples, projectTags, reviewCounts, splitStats, tokenHistogram } from "@/lib/datasets/review";
import { db } from "@/lib/db/client";
import { listProjectJobs } from "@/lib/jobs/queries";
import { readProjectConfig } from "@/lib/projects/config";
import { findExactTokenCounts } from "@/lib/training/token-counts";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetReviewPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const [stats, counts, histogram, first, sources, exact, tags, jobs, merges] = await Promise.all([
    splitStats(ctx),
    reviewCounts(ctx),
    tokenHistogram(ctx),
    listExamples(ctx, {}),
    db.file.findMany({
      where: { projectId: ctx.projectId, kind: { in: ["raw_doc", "dataset_upload"] } },
      select: { id: true, filename: true },
      orderBy: { createdAt: "asc" },
    }),
    findExactTokenCounts(ctx.projectId, ctx.project.baseModelId),
    projectTags(ctx),
    listProjectJobs(ctx),
    mergeSources(ctx),
  ]);
  const judgeJobs = jobs.filter((j) => j.type === "dataset_judge" || j.type === "dataset_merge");
  const config = readProjectConfig(ctx.project.config);
  return (
    <div className="space-y-4">
      <StatsPanel
        stats={stats}
        counts={counts}
        histogram={histogram}
        maxSeqLength={config.max_seq_length}
        exact={exact}
        trainShare={config.train_eval_split}
        actions={
          can(ctx.role, "dataset.edit") ? (
            <div className="flex flex-wrap justify-end gap-2">
              <DedupeButton projectId={ctx.projectId} duplicates={counts.duplicates} />
              <NearDupTools projectId={ctx.projectId} extra={counts.nearDuplicates} />
              <JudgeDialog projectId={ctx.projectId} />
              <ResplitDialog projectId={ctx.projectId} share={config.train_eval_split} />
              <MergeDialog projectId={ctx.projectId} sources={merges} />
            </div>
          ) : undefined
        }
      />
      <TopicCoverage tags={tags} />
      {judgeJobs.length > 0 && (
        <Card>
          <CardContent>
            <JobList
              projectId={ctx.projectId}
              initial={judgeJobs}
              canCancel={can(ctx.role, "jobs.cancel")}
              canRetry={can(ctx.role, "jobs.run")}
              types={["dataset_judge", "dataset_merge"]}
            />
          </CardContent>
        </Card>
      )}
      <Card>
        <CardContent>
          <ReviewTable
            projectId={ctx.projectId}
            sources={sources.map((s) => ({ id: s.id, name: s.filename }))}
            tags={tags}
            canEdit={can(ctx.role, "dataset.edit")}
            initial={first}
            generateHref={`/w/${workspace}/p/${project}/dataset/generate`}
            sourcesHref={`/w/${workspace}/p/${project}/sources`}
          />
        </CardContent>
      </Card>
    </div>
  );
}
