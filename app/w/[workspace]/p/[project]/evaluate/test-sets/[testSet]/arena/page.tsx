import type { Metadata } from "next";
import Link from "next/link";
import { AccuracyBar } from "@/components/evaluation/accuracy-bars";
import { Arena } from "@/components/evaluation/arena";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { projectPageContext } from "@/lib/access/page";
import { arenaModels, arenaTally, getTestSet } from "@/lib/evaluation/test-sets";

export const metadata: Metadata = { title: "Arena" };

export default async function ArenaPage({ params }: { params: Promise<{ workspace: string; project: string; testSet: string }> }) {
  const { workspace, project, testSet: testSetId } = await params;
  const ctx = await projectPageContext(workspace, project);
  const testSet = await getTestSet(ctx, testSetId);
  const [models, tally] = await Promise.all([arenaModels(ctx, testSet.id), arenaTally(ctx, testSet.id)]);
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Arena · {testSet.name}</CardTitle>
          <CardDescription>
            Two models&apos; answers to the same question, side by side and unnamed, on random sides. Pick the better one or call it a tie.{" "}
            <Link className="underline underline-offset-4" href={`/w/${workspace}/p/${project}/evaluate/test-sets/${testSet.id}`}>
              Back to the test set
            </Link>
          </CardDescription>
        </CardHeader>
        <CardContent>
          {models.length < 2 ? (
            <p className="text-sm text-muted-foreground">Two models must answer the test set first.</p>
          ) : (
            <Arena projectId={ctx.projectId} testSetId={testSet.id} models={models} />
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Tally</CardTitle>
          <CardDescription>
            Everyone&apos;s votes per pair: wins, ties, the first model&apos;s win rate (a tie counts half) with its 95 % interval, and how often the LLM
            judge&apos;s scores of open answers pick the same winner as people did.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {tally.length === 0 ? (
            <p className="text-sm text-muted-foreground">No votes yet.</p>
          ) : (
            <div className="overflow-x-auto">
              <Table data-testid="arena-tally">
                <TableHeader>
                  <TableRow>
                    <TableHead>Pair</TableHead>
                    <TableHead className="text-right">Votes</TableHead>
                    <TableHead>Wins · ties · wins</TableHead>
                    <TableHead>First model&apos;s win rate</TableHead>
                    <TableHead title="Votes on open answers the judge scored for both models, and how many it called the same way">Judge agrees</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {tally.map((p) => (
                    <TableRow key={`${p.modelA}-${p.modelB}`}>
                      <TableCell className="font-medium">
                        {p.labelA} <span className="text-muted-foreground">vs</span> {p.labelB}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{p.votes}</TableCell>
                      <TableCell className="tabular-nums">
                        {p.winsA} · {p.ties} · {p.winsB}
                      </TableCell>
                      <TableCell>
                        <AccuracyBar share={p.rateA} />
                      </TableCell>
                      <TableCell className="tabular-nums">{p.judged ? `${p.judgeAgrees} of ${p.judged}` : "–"}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
