import type { Metadata } from "next";
import Link from "next/link";
import { AccuracyBar } from "@/components/evaluation/accuracy-bars";
import { AnswerTestSetForm } from "@/components/evaluation/answer-test-set-form";
import { TestQuestionRow } from "@/components/evaluation/test-question-row";
import { JobList } from "@/components/jobs/job-list";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { projectPageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { getTestSet, LEAK_OVERLAP, listQuestions, modelChoices, testSetReport } from "@/lib/evaluation/test-sets";
import { QUESTION_TYPE_LABELS, QUESTION_TYPES } from "@/lib/evaluation/test-sets/questions";
import { listProjectJobs } from "@/lib/jobs/queries";

export const metadata: Metadata = { title: "Test set" };

export default async function TestSetPage({ params }: { params: Promise<{ workspace: string; project: string; testSet: string }> }) {
  const { workspace, project, testSet: testSetId } = await params;
  const ctx = await projectPageContext(workspace, project);
  const testSet = await getTestSet(ctx, testSetId);
  const [questions, report, choices, jobs] = await Promise.all([
    listQuestions(ctx, testSet.id),
    testSetReport(ctx, testSet.id),
    modelChoices(ctx),
    listProjectJobs(ctx, 100),
  ]);
  const types = QUESTION_TYPES.filter((t) => report.models.some((m) => m.byType[t]));
  const canEdit = can(ctx.role, "dataset.edit");
  const base = `/w/${workspace}/p/${project}/evaluate/test-sets/${testSet.id}`;
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle data-testid="test-set-title">{testSet.name}</CardTitle>
          <CardDescription>
            Version {report.version} · {questions.length} questions · {report.rejected} rejected · {report.leaked} in the training data (left out of the scores)
            {report.models.length >= 2 && (
              <>
                {" · "}
                <Link className="underline underline-offset-4" href={`${base}/arena`}>
                  Compare answers blind in the arena
                </Link>
              </>
            )}
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          {can(ctx.role, "jobs.run") && questions.length > 0 && (
            <AnswerTestSetForm
              projectId={ctx.projectId}
              testSetId={testSet.id}
              runs={choices.runs}
              providers={choices.providers.map((p) => ({ id: p.id, name: p.name, defaultModel: p.defaultModel }))}
            />
          )}
          <JobList
            projectId={ctx.projectId}
            initial={jobs.filter((j) => (j.payload as { testSetId?: string } | null)?.testSetId === testSet.id)}
            types={["test_set_generate", "test_set_answer", "eval"]}
            canCancel={can(ctx.role, "jobs.run")}
            canRetry={can(ctx.role, "jobs.run")}
            emptyText="Jobs for this test set show here."
            refreshWhenSettled
          />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Scores</CardTitle>
          <CardDescription>
            Share of questions answered right, per type, with the 95 % interval (the whisker): exact for true/false, multiple choice and short answers; the
            judge&apos;s 1–5 as 0–1 for open answers. Best first.
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-6">
          {report.models.length === 0 ? (
            <p className="text-sm text-muted-foreground">No model has answered yet.</p>
          ) : (
            <div className="overflow-x-auto">
              <Table data-testid="test-set-report">
                <TableHeader>
                  <TableRow>
                    <TableHead>Model</TableHead>
                    <TableHead>Overall</TableHead>
                    {types.map((t) => (
                      <TableHead key={t}>{QUESTION_TYPE_LABELS[t]}</TableHead>
                    ))}
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {report.models.map((m) => (
                    <TableRow key={m.key}>
                      <TableCell className="font-medium">
                        {m.label}
                        {m.unscored > 0 && <p className="text-xs text-muted-foreground">{m.unscored} open answers not judged</p>}
                        {m.answeredVersion < report.version && (
                          <p className="text-xs text-amber-700 dark:text-amber-300">
                            Answered version {m.answeredVersion}; the set is at version {report.version} now. Answer again to compare fairly.
                          </p>
                        )}
                      </TableCell>
                      <TableCell>
                        <AccuracyBar share={m.overall} />
                      </TableCell>
                      {types.map((t) => (
                        <TableCell key={t}>{m.byType[t] ? <AccuracyBar share={m.byType[t]} /> : "–"}</TableCell>
                      ))}
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
          {report.tunedVsBase.map((r) => (
            <section key={r.runId} className="space-y-2" data-testid="tuned-vs-base">
              <h3 className="text-sm font-medium">
                {r.label}: better than its base on {r.wins} questions, worse on {r.losses}{" "}
                <Badge variant={r.better ? "success" : "warning"}>{r.better ? "tuned is better" : "tuned is not better"}</Badge>
              </h3>
              <ul className="grid gap-2 md:grid-cols-2">
                {r.examples.map((e) => (
                  <li key={`${e.question}-${e.tunedWins}`} className="rounded-md border p-2 text-xs">
                    <p className="font-medium">
                      {e.tunedWins ? "Tuned wins" : "Tuned loses"} · {QUESTION_TYPE_LABELS[e.type]}: {e.question}
                    </p>
                    <p className="text-muted-foreground">Expected: {e.reference}</p>
                    <p>Base: {e.base}</p>
                    <p>Tuned: {e.tuned}</p>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          {report.bySource.length > 1 && (
            <section className="space-y-2">
              <h3 className="text-sm font-medium">By source document</h3>
              <div className="overflow-x-auto">
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Source</TableHead>
                      {report.models.map((m) => (
                        <TableHead key={m.key}>{m.label}</TableHead>
                      ))}
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {report.bySource.map((s) => (
                      <TableRow key={s.source}>
                        <TableCell>{s.source}</TableCell>
                        {report.models.map((m) => (
                          <TableCell key={m.key}>{s.models[m.key] ? <AccuracyBar share={s.models[m.key]} /> : "–"}</TableCell>
                        ))}
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            </section>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Questions</CardTitle>
          <CardDescription>Review them like examples: a rejected question is not asked or scored; an edited one is asked again.</CardDescription>
        </CardHeader>
        <CardContent>
          {questions.length === 0 ? (
            <p className="text-sm text-muted-foreground">The questions appear here as they are written.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead className="w-36">Type</TableHead>
                  <TableHead>Question and answer</TableHead>
                  <TableHead className="w-24">Review</TableHead>
                  {canEdit && <TableHead className="w-28" />}
                </TableRow>
              </TableHeader>
              <TableBody>
                {questions.map((q) => (
                  <TestQuestionRow
                    key={q.id}
                    projectId={ctx.projectId}
                    canEdit={canEdit}
                    q={{
                      id: q.id,
                      type: q.type,
                      typeLabel: QUESTION_TYPE_LABELS[q.type],
                      question: q.question,
                      options: q.options,
                      answer: q.answer,
                      accepted: q.accepted,
                      rubric: q.rubric,
                      reviewStatus: q.reviewStatus,
                      leaked: (q.trainOverlap ?? 0) >= LEAK_OVERLAP,
                      source: q.sourceChunk ? `${q.sourceChunk.sourceFile.filename} · chunk ${q.sourceChunk.chunkIndex + 1}` : null,
                    }}
                  />
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
