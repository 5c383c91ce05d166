import type { Metadata } from "next";
import { AccessDenied } from "@/components/shell/access-denied";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatBytes } from "@/components/ui/format-bytes";
import { Progress } from "@/components/ui/progress";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { DailyBars } from "@/components/usage/daily-bars";
import { QuotaForm } from "@/components/usage/quota-form";
import { workspacePageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { workspaceUsage } from "@/lib/usage";

export const metadata: Metadata = { title: "Usage" };

const tokens = (n: number) => n.toLocaleString("en-US");
const hours = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
const money = (n: number | null) => (n === null ? "–" : `$${n.toFixed(2)}`);

export default async function UsagePage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  if (!can(ctx.role, "audit.view")) return <AccessDenied what="reading the usage" />;
  const [usage, admin] = await Promise.all([workspaceUsage(ctx), isInstanceAdmin(ctx.actor)]);
  const GB = 1024 ** 3;
  const tokenShare = usage.quota.tokens_per_month ? Math.min(100, (usage.month.tokens / usage.quota.tokens_per_month) * 100) : null;
  const storageShare = usage.quota.storage_gb ? Math.min(100, (usage.storage.total / (usage.quota.storage_gb * GB)) * 100) : null;
  return (
    <div className="mx-auto max-w-6xl space-y-6">
      <PageHeader
        title="Usage"
        description={`What this workspace used: this month's LLM tokens, the last ${usage.days} days per day and per member, GPU-hours per runner and storage.`}
      />
      <div className="grid gap-4 md:grid-cols-2 [&>*]:min-w-0">
        <Card>
          <CardHeader>
            <CardTitle>LLM tokens this month</CardTitle>
            <CardDescription>
              In and out, every generation, preview, judge and test set; estimated cost {money(usage.month.cost)} where providers have prices.
            </CardDescription>
          </CardHeader>
          <CardContent className="space-y-2" data-testid="usage-tokens">
            <p className="text-2xl font-semibold tabular-nums">
              {tokens(usage.month.tokens)}
              {usage.quota.tokens_per_month !== null && (
                <span className="text-base font-normal text-muted-foreground"> of {tokens(usage.quota.tokens_per_month)}</span>
              )}
            </p>
            {tokenShare !== null && <Progress value={tokenShare} aria-label="Share of the monthly token quota" />}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Storage</CardTitle>
            <CardDescription>Sources, datasets, run artifacts and exports.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-2" data-testid="usage-storage">
            <p className="text-2xl font-semibold tabular-nums">
              {formatBytes(usage.storage.total)}
              {usage.quota.storage_gb !== null && <span className="text-base font-normal text-muted-foreground"> of {usage.quota.storage_gb} GB</span>}
            </p>
            {storageShare !== null && <Progress value={storageShare} aria-label="Share of the storage quota" />}
            <ul className="space-y-1 text-sm">
              {usage.storage.byKind.map((k) => (
                <li key={k.kind} className="flex items-center gap-2">
                  <span className="w-32 shrink-0 text-muted-foreground">{k.kind.replace(/_/g, " ")}</span>
                  <span className="h-2 rounded-sm bg-primary/70" style={{ width: `${Math.max(2, (k.bytes / Math.max(1, usage.storage.total)) * 60)}%` }} />
                  <span className="tabular-nums">{formatBytes(k.bytes)}</span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      </div>
      <div className="grid gap-4 md:grid-cols-2 [&>*]:min-w-0">
        <Card>
          <CardHeader>
            <CardTitle>LLM tokens per day</CardTitle>
          </CardHeader>
          <CardContent>
            <DailyBars data={usage.daily.map((d) => ({ day: d.day, value: d.tokens }))} unit="tokens" testId="usage-tokens-chart" />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>GPU-hours per day</CardTitle>
            <CardDescription>A run&apos;s wall time times its GPUs.</CardDescription>
          </CardHeader>
          <CardContent>
            <DailyBars data={usage.daily.map((d) => ({ day: d.day, value: d.gpuHours }))} unit="GPU-hours" testId="usage-gpu-chart" />
          </CardContent>
        </Card>
      </div>
      <div className="grid gap-4 md:grid-cols-2 [&>*]:min-w-0">
        <Card>
          <CardHeader>
            <CardTitle>Per member</CardTitle>
          </CardHeader>
          <CardContent className="overflow-x-auto">
            <Table data-testid="usage-members">
              <TableHeader>
                <TableRow>
                  <TableHead>Member</TableHead>
                  <TableHead className="text-right">Tokens</TableHead>
                  <TableHead className="text-right">Cost</TableHead>
                  <TableHead className="text-right">Generations</TableHead>
                  <TableHead className="text-right">GPU-hours</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {usage.members.map((m) => (
                  <TableRow key={m.name}>
                    <TableCell>{m.name}</TableCell>
                    <TableCell className="text-right tabular-nums">{tokens(m.tokens)}</TableCell>
                    <TableCell className="text-right tabular-nums">{money(m.cost)}</TableCell>
                    <TableCell className="text-right tabular-nums">{m.generations}</TableCell>
                    <TableCell className="text-right tabular-nums">{hours(m.gpuHours)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>GPU-hours per runner</CardTitle>
          </CardHeader>
          <CardContent className="overflow-x-auto">
            <Table data-testid="usage-runners">
              <TableHeader>
                <TableRow>
                  <TableHead>Runner</TableHead>
                  <TableHead className="text-right">Runs</TableHead>
                  <TableHead className="text-right">GPU-hours</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {usage.runners.map((r) => (
                  <TableRow key={r.name}>
                    <TableCell>{r.name}</TableCell>
                    <TableCell className="text-right tabular-nums">{r.runs}</TableCell>
                    <TableCell className="text-right tabular-nums">{hours(r.gpuHours)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Quota</CardTitle>
          <CardDescription>
            {usage.quota.tokens_per_month === null && usage.quota.storage_gb === null
              ? "No limits."
              : "LLM work and uploads past a limit are refused with the reason; tokens count per calendar month (UTC)."}
            {!admin && " Set by the instance's administrator."}
          </CardDescription>
        </CardHeader>
        {admin && (
          <CardContent>
            <QuotaForm workspaceId={ctx.workspace.id} quota={usage.quota} />
          </CardContent>
        )}
      </Card>
    </div>
  );
}
