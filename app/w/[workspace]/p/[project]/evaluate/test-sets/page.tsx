import type { Metadata } from "next";
import Link from "next/link";
import { NewTestSetForm } from "@/components/evaluation/new-test-set-form";
import { JobList } from "@/components/jobs/job-list";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { listTestSets } from "@/lib/evaluation/test-sets";
import { listProjectJobs } from "@/lib/jobs/queries";
import { listSources } from "@/lib/sources";

export const metadata: Metadata = { title: "Test sets" };

export default async function TestSetsPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  const ctx = await projectPageContext(workspace, project);
  const base = `/w/${workspace}/p/${project}/evaluate/test-sets`;
  const [sets, sources, jobs] = await Promise.all([listTestSets(ctx), listSources(ctx), listProjectJobs(ctx, 100)]);
  const ready = sources.filter((s) => s.kind === "raw_doc" && s.status === "ready");
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Test sets</CardTitle>
          <CardDescription>
            Questions written from your documents (true/false, multiple choice, short and open answers), kept apart from the training data. Any model answers
            them: a run&apos;s base and tuned models, or a provider&apos;s model; people compare answers blind in the arena.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {sets.length === 0 ? (
            <EmptyState title="No test sets yet" description="Write one below from the project's sources." />
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead className="text-right">Questions</TableHead>
                  <TableHead className="text-right">Arena votes</TableHead>
                  <TableHead>Created</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {sets.map((s) => (
                  <TableRow key={s.id}>
                    <TableCell>
                      <Link className="font-medium underline-offset-4 hover:underline" href={`${base}/${s.id}`}>
                        {s.name}
                      </Link>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{s.questions}</TableCell>
                    <TableCell className="text-right tabular-nums">{s.votes}</TableCell>
                    <TableCell className="text-muted-foreground">{s.createdAt.toLocaleString()}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      {can(ctx.role, "jobs.run") && (
        <Card>
          <CardHeader>
            <CardTitle>New test set</CardTitle>
            <CardDescription>
              The project&apos;s generation model writes the questions (set in the Dataset step); each names the chunk it came from.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {ready.length === 0 ? (
              <p className="text-sm text-muted-foreground">Add sources and let them finish chunking first.</p>
            ) : (
              <NewTestSetForm projectId={ctx.projectId} sources={ready.map((s) => ({ id: s.id, filename: s.filename }))} base={base} />
            )}
          </CardContent>
        </Card>
      )}
      <Card>
        <CardHeader>
          <CardTitle>Jobs</CardTitle>
        </CardHeader>
        <CardContent>
          <JobList
            projectId={ctx.projectId}
            initial={jobs}
            types={["test_set_generate", "test_set_answer"]}
            canCancel={can(ctx.role, "jobs.run")}
            canRetry={can(ctx.role, "jobs.run")}
            emptyText="Writing and answering test sets shows here."
            refreshWhenSettled
          />
        </CardContent>
      </Card>
    </div>
  );
}
