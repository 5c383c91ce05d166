import type { Metadata } from "next";
import { LogViewer } from "@/components/logs/log-viewer";
import { AccessDenied } from "@/components/shell/access-denied";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { workspacePageContext } from "@/lib/access/page";
import { can } from "@/lib/access/permissions";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Logs" };

export default async function LogsPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  if (!can(ctx.role, "audit.view")) return <AccessDenied what="reading the logs" />;
  const { LOG_RETENTION_DAYS: days, LOG_RETENTION_ROWS: rows } = env();
  const kept = [days ? `${days} days` : null, rows ? `${rows.toLocaleString()} lines` : null].filter(Boolean).join(" and at most ");
  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title="Logs"
        description={`What the jobs, the workers and the app wrote for this workspace. Kept ${kept || "forever"} (LOG_RETENTION_DAYS, LOG_RETENTION_ROWS).`}
      />
      <Card>
        <CardContent>
          <LogViewer workspaceId={ctx.workspace.id} instanceAdmin={await isInstanceAdmin(ctx.actor)} />
        </CardContent>
      </Card>
    </div>
  );
}
