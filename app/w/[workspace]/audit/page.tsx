import type { Metadata } from "next";
import { AccessDenied } from "@/components/shell/access-denied";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { workspacePageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { listAuditEvents } from "@/lib/audit";

export const metadata: Metadata = { title: "Audit log" };

function describe(metadata: unknown): string {
  if (!metadata || typeof metadata !== "object") return "";
  return Object.entries(metadata as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

export default async function AuditPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  if (!can(ctx.role, "audit.view")) return <AccessDenied what="reading the audit log" />;
  const events = await listAuditEvents(ctx.workspace.id, { limit: 200 });
  return (
    <div className="mx-auto max-w-5xl">
      <PageHeader title="Audit log" description="Sign-ins, membership, role and project changes in this workspace." />
      {events.length === 0 ? (
        <EmptyState title="Nothing yet" description="Changes to members, roles and projects will be listed here." />
      ) : (
        <Card>
          <CardContent>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead className="w-44">When</TableHead>
                  <TableHead>Who</TableHead>
                  <TableHead>What</TableHead>
                  <TableHead>Details</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {events.map((event) => (
                  <TableRow key={event.id}>
                    <TableCell className="whitespace-nowrap text-sm text-muted-foreground">{event.createdAt.toLocaleString()}</TableCell>
                    <TableCell className="text-sm">{event.actor?.email ?? "system"}</TableCell>
                    <TableCell className="font-mono text-xs">{event.action}</TableCell>
                    <TableCell className="max-w-md truncate text-sm text-muted-foreground">{describe(event.metadata)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}
    </div>
  );
}
