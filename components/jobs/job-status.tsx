import { Badge } from "@/components/ui/badge";
import type { JobView } from "@/lib/jobs/queries";

const TONE = {
  queued: "secondary",
  running: "warning",
  retrying: "warning",
  success: "success",
  failed: "destructive",
  cancelled: "outline",
} as const;

const LABEL = { queued: "Queued", running: "Running", retrying: "Retrying", success: "Done", failed: "Failed", cancelled: "Cancelled" } as const;

export function JobStatusBadge({ status }: { status: JobView["status"] }) {
  return (
    <Badge variant={TONE[status]} data-status={status}>
      {LABEL[status]}
    </Badge>
  );
}
