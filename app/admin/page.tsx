import type { Metadata } from "next";
import Link from "next/link";
import { UserActiveButton } from "@/components/admin/user-active-button";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { formatBytes } from "@/components/ui/format-bytes";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { QuotaForm } from "@/components/usage/quota-form";
import { instanceUsage, listUsers } from "@/lib/admin";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Instance administration" };
export const dynamic = "force-dynamic";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

export default async function AdminPage() {
  const actor = await requirePageActor("/admin");
  if (!(await isInstanceAdmin(actor))) {
    return (
      <div className="mx-auto max-w-3xl p-6">
        <EmptyState title="You don't have access" description="Only the instance's administrator (ADMIN_EMAILS, or the first account) sees this page." />
      </div>
    );
  }
  const [users, workspaces] = await Promise.all([listUsers(), instanceUsage()]);
  return (
    <div className="mx-auto max-w-6xl space-y-6 p-4 md:p-8">
      <div className="space-y-1">
        <Link href="/" className="text-sm text-muted-foreground hover:underline">
          ← Back to the app
        </Link>
        <h1 className="text-2xl font-semibold">Instance administration</h1>
        <p className="text-sm text-muted-foreground">
          Every account and workspace on this server. A deactivated account is signed out everywhere and cannot sign in.
        </p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Users</CardTitle>
          <CardDescription>{users.length} accounts.</CardDescription>
        </CardHeader>
        <CardContent className="overflow-x-auto">
          <Table data-testid="admin-users">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Email</TableHead>
                <TableHead>Last sign-in</TableHead>
                <TableHead className="text-right">Workspaces</TableHead>
                <TableHead>State</TableHead>
                <TableHead />
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.map((u) => (
                <TableRow key={u.id} data-testid="admin-user" data-email={u.email}>
                  <TableCell>
                    {u.name ?? "–"} {u.admin && <Badge variant="outline">administrator</Badge>}
                  </TableCell>
                  <TableCell>{u.email}</TableCell>
                  <TableCell className="text-muted-foreground">{when(u.lastLoginAt)}</TableCell>
                  <TableCell className="text-right tabular-nums">{u.workspaces}</TableCell>
                  <TableCell>
                    <Badge variant={u.isActive ? "success" : "destructive"}>{u.isActive ? "active" : "deactivated"}</Badge>
                  </TableCell>
                  <TableCell>
                    <UserActiveButton userId={u.id} email={u.email} active={u.isActive} self={u.id === actor.id} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Workspaces</CardTitle>
          <CardDescription>Members, projects, this month&apos;s LLM tokens and stored bytes; open a workspace to set its quota.</CardDescription>
        </CardHeader>
        <CardContent className="overflow-x-auto">
          <Table data-testid="admin-workspaces">
            <TableHeader>
              <TableRow>
                <TableHead>Workspace</TableHead>
                <TableHead className="text-right">Members</TableHead>
                <TableHead className="text-right">Projects</TableHead>
                <TableHead className="text-right">Tokens this month</TableHead>
                <TableHead className="text-right">Storage</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {workspaces.map((w) => (
                <TableRow key={w.id}>
                  <TableCell className="min-w-64">
                    <details data-testid={`quota-${w.slug}`}>
                      <summary className="cursor-pointer">
                        {w.name}{" "}
                        <span className="text-xs text-muted-foreground">
                          {w.quota.tokens_per_month === null && w.quota.storage_gb === null
                            ? "· no quota"
                            : `· quota ${w.quota.tokens_per_month !== null ? `${w.quota.tokens_per_month.toLocaleString("en-US")} tokens/month` : ""}${w.quota.tokens_per_month !== null && w.quota.storage_gb !== null ? ", " : ""}${w.quota.storage_gb !== null ? `${w.quota.storage_gb} GB` : ""}`}
                        </span>
                      </summary>
                      <div className="pt-2">
                        <QuotaForm workspaceId={w.id} quota={w.quota} />
                      </div>
                    </details>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{w.members}</TableCell>
                  <TableCell className="text-right tabular-nums">{w.projects}</TableCell>
                  <TableCell className="text-right tabular-nums">{w.tokensThisMonth.toLocaleString("en-US")}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatBytes(w.storageBytes)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
